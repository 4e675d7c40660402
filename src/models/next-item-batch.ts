// Training batches for next-item prediction: each sequence's inputs are its items but the last, the targets
// its items but the first; only positions holding a real item carry a target.
import type ort from "onnxruntime-node";
import { type Feeds, tensor } from "../graph/session.js";
import { sequenceFeeds } from "./sequence-inputs.js";

/** `seqs` are full training sequences (inputs and targets from one array). */
export function nextItemFeeds(
  seqs: readonly Int32Array[],
  maxLen: number,
): { feeds: Feeds; targets: number; rowOf: ort.Tensor } {
  const inputs = seqs.map((s) => s.subarray(Math.max(0, s.length - 1 - maxLen), s.length - 1));
  const { feeds, len } = sequenceFeeds(inputs, maxLen, true);
  let m = 0;
  for (const s of inputs) m += s.length;
  const at = new BigInt64Array(m);
  const targets = new BigInt64Array(m);
  const rowOf = new BigInt64Array(m);
  let k = 0;
  inputs.forEach((s, r) => {
    const full = seqs[r];
    const start = len - s.length;
    for (let j = 0; j < s.length; j++) {
      at[k] = BigInt(r * len + start + j);
      rowOf[k] = BigInt(r);
      targets[k++] = BigInt(full[full.length - s.length + j]);
    }
  });
  feeds.loss_at = tensor(at, [m]);
  feeds.targets = tensor(targets, [m]);
  return { feeds, targets: m, rowOf: tensor(rowOf, [m]) };
}

/**
 * Splits a batch, sorted by length, into `streams` contiguous groups that minimise the padded size
 * Σ |group| × longest(group) (dynamic programming over the sorted lengths). Returns each group's batch rows.
 */
export function lengthStreams(lengths: readonly number[], streams: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b]);
  const n = order.length;
  const k = Math.max(1, Math.min(streams, n));
  // cost[j][i]: best padded size of the first i sorted rows in j groups; a group (p, i] costs (i − p) × len(i − 1).
  const cost = Array.from({ length: k + 1 }, () => new Array<number>(n + 1).fill(Number.POSITIVE_INFINITY));
  const cut = Array.from({ length: k + 1 }, () => new Array<number>(n + 1).fill(0));
  cost[0][0] = 0;
  for (let j = 1; j <= k; j++) {
    for (let i = j; i <= n; i++) {
      for (let p = j - 1; p < i; p++) {
        const c = cost[j - 1][p] + (i - p) * lengths[order[i - 1]];
        if (c < cost[j][i]) {
          cost[j][i] = c;
          cut[j][i] = p;
        }
      }
    }
  }
  const groups: number[][] = [];
  for (let j = k, i = n; j > 0; j--) {
    const p = cut[j][i];
    groups.unshift(order.slice(p, i));
    i = p;
  }
  return groups;
}

/**
 * Next-item feeds for a batch encoded as several length streams (inputs prefixed `s0_`, `s1_`, …), so a random
 * batch pays little for padding. `loss_at` indexes the streams' hidden rows concatenated in stream order.
 * Streams left without rows (batches smaller than `streams`) get one padding-only row and no targets.
 */
export function nextItemStreamFeeds(seqs: readonly Int32Array[], maxLen: number, streams: number): Feeds {
  const inputs = seqs.map((s) => s.subarray(Math.max(0, s.length - 1 - maxLen), s.length - 1));
  const groups = lengthStreams(
    inputs.map((s) => s.length),
    streams,
  );
  const feeds: Feeds = {};
  const at: bigint[] = [];
  const targets: bigint[] = [];
  let base = 0;
  for (let k = 0; k < streams; k++) {
    const rows = groups[k] ?? [];
    const group = rows.length > 0 ? rows.map((r) => inputs[r]) : [Int32Array.of(0)];
    const { feeds: f, len } = sequenceFeeds(group, maxLen, true, `s${k}_`);
    Object.assign(feeds, f);
    rows.forEach((r, i) => {
      const s = inputs[r];
      const full = seqs[r];
      for (let j = 0; j < s.length; j++) {
        at.push(BigInt(base + i * len + len - s.length + j));
        targets.push(BigInt(full[full.length - s.length + j]));
      }
    });
    base += group.length * len;
  }
  feeds.loss_at = tensor(BigInt64Array.from(at), [at.length]);
  feeds.targets = tensor(BigInt64Array.from(targets), [targets.length]);
  return feeds;
}
