import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { buildDataset, kCore } from "../../src/data/index.js";
import { loadBeauty, loadTaobao, memoryConnection, readTaobao, tempDir } from "./build-tables.js";

const out = tempDir("kcore");
after(() => out.remove());

/** The textbook version: filter users, then items, until a round removes nothing. */
function kCoreByRounds(user: Int32Array, item: Int32Array, ku: number, ki: number): Uint8Array {
  const keep = new Uint8Array(user.length).fill(1);
  for (let changed = true; changed; ) {
    changed = false;
    for (const [node, k] of [
      [user, ku],
      [item, ki],
    ] as const) {
      const deg = new Map<number, number>();
      for (let e = 0; e < node.length; e++) if (keep[e]) deg.set(node[e], (deg.get(node[e]) ?? 0) + 1);
      for (let e = 0; e < node.length; e++) {
        if (keep[e] && deg.get(node[e])! < k) {
          keep[e] = 0;
          changed = true;
        }
      }
    }
  }
  return keep;
}

function codes(values: string[]): { code: Int32Array; n: number } {
  const ids = new Map<string, number>();
  const code = Int32Array.from(values, (v) => {
    if (!ids.has(v)) ids.set(v, ids.size);
    return ids.get(v)!;
  });
  return { code, n: ids.size };
}

test("kCore matches the round-based filter on taobao for several thresholds", () => {
  const rows = readTaobao();
  const users = codes(rows.map((r) => r.user));
  const items = codes(rows.map((r) => r.item));
  for (const [ku, ki] of [
    [5, 2],
    [10, 3],
    [20, 5],
    [1, 4],
  ]) {
    const got = kCore(users.code, items.code, users.n, items.n, { users: ku, items: ki });
    assert.deepEqual(got.keep, kCoreByRounds(users.code, items.code, ku, ki), `k=${ku}/${ki}`);
    assert.ok(got.keptEvents < rows.length && got.keptEvents > 0);
  }
});

test("kCore on an `alive` mask equals kCore on the surviving events alone (filters run in sequence)", () => {
  const rows = readTaobao();
  const users = codes(rows.map((r) => r.user));
  const items = codes(rows.map((r) => r.item));
  const first = kCore(users.code, items.code, users.n, items.n, { users: 5, items: 2 });
  const then = kCore(users.code, items.code, users.n, items.n, { users: 20, items: 2 }, first.keep);
  const alive = (a: Int32Array) => a.filter((_, e) => first.keep[e] === 1);
  const subset = kCore(alive(users.code), alive(items.code), users.n, items.n, { users: 20, items: 2 });
  assert.deepEqual(
    then.keep.filter((_, e) => first.keep[e] === 1),
    subset.keep,
  );
  assert.ok(
    then.keep.every((k, e) => k <= first.keep[e]),
    "a removed event stays removed",
  );
  // The unique fixpoint: the same as applying the stricter thresholds in one go.
  const once = kCore(users.code, items.code, users.n, items.n, { users: 20, items: 2 });
  assert.deepEqual(then.keep, once.keep);
  assert.ok(then.keptEvents < first.keptEvents);
});

test("after buildDataset with a k-core every user and item has at least k interactions", async () => {
  const conn = await memoryConnection();
  await loadTaobao(conn);
  const k = { users: 10, items: 3 };
  const { dataset: ds, rules } = await buildDataset(conn, { out: join(out.path, "taobao"), kCore: k });
  const itemDeg = new Int32Array(ds.nItems + 1);
  for (let u = 1; u <= ds.nUsers; u++) assert.ok(ds.offsets[u + 1] - ds.offsets[u] >= k.users);
  for (const i of ds.items) itemDeg[i]++;
  for (let i = 1; i <= ds.nItems; i++) assert.ok(itemDeg[i] >= k.items, `item ${i}: ${itemDeg[i]}`);
  const rule = rules.find((r) => r.rule === "k_core")!;
  assert.equal(rule.kept, ds.nEvents);
  assert.ok(rule.kept < rule.rowsIn, "taobao is sparse: the 3-core drops events");
});

test("amazon-beauty is already 5-core: the filter keeps every interaction", async () => {
  const conn = await memoryConnection();
  await loadBeauty(conn);
  const { dataset: ds } = await buildDataset(conn, { out: join(out.path, "beauty"), kCore: 5 });
  assert.equal(ds.nEvents, 198502);
  const { dataset: six } = await buildDataset(conn, { out: join(out.path, "beauty6"), kCore: 6 });
  assert.ok(six.nEvents < 198502);
  assert.ok(
    Array.from({ length: six.nUsers }, (_, u) => six.offsets[u + 2] - six.offsets[u + 1]).every(
      (n) => n >= 6,
    ),
  );
});
