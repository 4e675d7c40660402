import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  buildDataset,
  evalTargets,
  historyBefore,
  type PreparedDataset,
  partBounds,
} from "../../src/data/index.js";
import { SeqrankError } from "../../src/util/errors.js";
import { loadBeauty, loadTaobao, memoryConnection, tempDir } from "./build-tables.js";

const out = tempDir("split");
after(() => out.remove());

/** Every event's part agrees with its timestamp: train < validCut ≤ valid < testCut ≤ test. */
function assertNoLeakage(ds: PreparedDataset, validCut: number, testCut: number): Record<string, number> {
  const counts = { train: 0, valid: 0, test: 0 };
  for (let u = 1; u <= ds.nUsers; u++) {
    for (const part of ["train", "valid", "test"] as const) {
      const [start, end] = partBounds(ds, u, part);
      for (let p = start; p < end; p++) {
        if (part === "train") assert.ok(ds.ts[p] < validCut);
        if (part === "valid") assert.ok(ds.ts[p] >= validCut && ds.ts[p] < testCut);
        if (part === "test") assert.ok(ds.ts[p] >= testCut);
        counts[part]++;
      }
    }
  }
  return counts;
}

test("temporal split by quantile on taobao: no event crosses its cut, sizes follow the quantiles", async () => {
  const conn = await memoryConnection();
  await loadTaobao(conn);
  const { dataset: ds, meta } = await buildDataset(conn, {
    out: join(out.path, "q"),
    split: { kind: "temporal", validQuantile: 0.8, testQuantile: 0.9 },
  });
  const { validCut, testCut } = ds.split;
  assert.ok(validCut !== undefined && testCut !== undefined && validCut < testCut);
  assert.equal(meta.split.testCut, testCut);
  const counts = assertNoLeakage(ds, validCut, testCut);
  assert.ok(Math.abs(counts.test / ds.nEvents - 0.1) < 0.01, `test share ${counts.test / ds.nEvents}`);
  assert.ok(Math.abs(counts.valid / ds.nEvents - 0.1) < 0.01, `valid share ${counts.valid / ds.nEvents}`);
  // Histories of test targets only hold events from before the target.
  const targets = evalTargets(ds, "test", { firstPerUser: true });
  assert.equal(targets.users.length, meta.split.testUsers);
  for (let k = 0; k < targets.users.length; k++) {
    const u = targets.users[k];
    const p = targets.positions[k];
    assert.equal(p, ds.split.validEnd[u], "first test event of the user");
    assert.equal(historyBefore(ds, u, p).length, p - ds.offsets[u]);
  }
});

test("temporal split with explicit cuts (calendar days) and buy-only targets", async () => {
  const conn = await memoryConnection();
  await loadTaobao(conn);
  const validCut = Date.UTC(2017, 11, 2) / 1000;
  const testCut = Date.UTC(2017, 11, 3) / 1000;
  const { dataset: ds, meta } = await buildDataset(conn, {
    out: join(out.path, "cuts"),
    split: { kind: "temporal", validCut, testCut },
    eventTypes: { eval: ["buy"] },
  });
  assertNoLeakage(ds, validCut, testCut);
  const buy = ds.eventTypes.indexOf("buy");
  const targets = evalTargets(ds, "test");
  assert.equal(targets.positions.length, meta.split.testTargets);
  assert.ok(targets.positions.length > 50);
  for (const p of targets.positions) assert.equal(ds.events[p], buy);
});

test("temporal split needs timestamps", async () => {
  const conn = await memoryConnection();
  await loadBeauty(conn);
  await assert.rejects(
    buildDataset(conn, { out: join(out.path, "beauty"), split: { kind: "temporal" } }),
    (e: unknown) => e instanceof SeqrankError && e.code === "SR_ERR_SPLIT_NO_TIMESTAMPS",
  );
});
