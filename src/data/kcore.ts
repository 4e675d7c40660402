// Iterative k-core over the user–item interaction multigraph: repeatedly drop users with fewer than
// `users` interactions and items with fewer than `items` interactions until nothing changes.
// Implemented with a work queue (each edge is removed at most once, O(events)), which reaches the same
// unique fixpoint as the textbook "filter users, filter items, repeat" rounds.

export interface KCoreThresholds {
  /** Minimum interactions per remaining user (0 or 1 = no constraint). */
  users: number;
  /** Minimum interactions per remaining item (0 or 1 = no constraint). */
  items: number;
}

export interface KCoreResult {
  /** keep[e] = 1 if event e survives. */
  keep: Uint8Array;
  keptEvents: number;
  keptUsers: number;
  keptItems: number;
}

/** Counts multiplicity: a user who viewed the same item three times contributes 3 to both degrees.
 *  `alive` (optional) marks the events still present; the others count as already removed, so filters
 *  can run one after another and each be credited with its own removals. */
export function kCore(
  user: Int32Array,
  item: Int32Array,
  nUsers: number,
  nItems: number,
  k: KCoreThresholds,
  alive?: Uint8Array,
): KCoreResult {
  const n = user.length;
  const keep = alive ? alive.slice() : new Uint8Array(n).fill(1);
  const userDeg = new Int32Array(nUsers);
  const itemDeg = new Int32Array(nItems);
  for (let e = 0; e < n; e++) {
    userDeg[user[e]] += keep[e];
    itemDeg[item[e]] += keep[e];
  }
  const userEdges = csrOf(user, nUsers);
  const itemEdges = csrOf(item, nItems);
  // Node ids in one queue: users as u, items as nUsers + i.
  const queued = new Uint8Array(nUsers + nItems);
  const queue = new Int32Array(nUsers + nItems);
  let head = 0;
  let tail = 0;
  for (let u = 0; u < nUsers; u++) {
    if (userDeg[u] > 0 && userDeg[u] < k.users) {
      queued[u] = 1;
      queue[tail++] = u;
    }
  }
  for (let i = 0; i < nItems; i++) {
    if (itemDeg[i] > 0 && itemDeg[i] < k.items) {
      queued[nUsers + i] = 1;
      queue[tail++] = nUsers + i;
    }
  }
  while (head < tail) {
    const node = queue[head++];
    const isUser = node < nUsers;
    const csr = isUser ? userEdges : itemEdges;
    const id = isUser ? node : node - nUsers;
    for (let p = csr.start[id]; p < csr.start[id + 1]; p++) {
      const e = csr.edges[p];
      if (!keep[e]) continue;
      keep[e] = 0;
      if (isUser) {
        const i = item[e];
        itemDeg[i]--;
        userDeg[id]--;
        if (!queued[nUsers + i] && itemDeg[i] < k.items) {
          queued[nUsers + i] = 1;
          queue[tail++] = nUsers + i;
        }
      } else {
        const u = user[e];
        userDeg[u]--;
        itemDeg[id]--;
        if (!queued[u] && userDeg[u] < k.users) {
          queued[u] = 1;
          queue[tail++] = u;
        }
      }
    }
  }
  let keptEvents = 0;
  for (let e = 0; e < n; e++) keptEvents += keep[e];
  return { keep, keptEvents, keptUsers: countPositive(userDeg), keptItems: countPositive(itemDeg) };
}

/** Every event of each node (removed ones too: the queue skips them). */
function csrOf(node: Int32Array, nNodes: number): { start: Int32Array; edges: Int32Array } {
  const start = new Int32Array(nNodes + 1);
  for (let e = 0; e < node.length; e++) start[node[e] + 1]++;
  for (let v = 0; v < nNodes; v++) start[v + 1] += start[v];
  const fill = start.slice(0, nNodes);
  const edges = new Int32Array(node.length);
  for (let e = 0; e < node.length; e++) edges[fill[node[e]]++] = e;
  return { start, edges };
}

function countPositive(a: Int32Array): number {
  let c = 0;
  for (let i = 0; i < a.length; i++) if (a[i] > 0) c++;
  return c;
}
