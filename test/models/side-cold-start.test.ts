import assert from "node:assert/strict";
import { test } from "node:test";
import { loadDataset } from "../../src/data/cache.js";
import type { EvalData } from "../../src/eval/index.js";
import { BuildContext } from "../../src/graph/context.js";
import { Graph } from "../../src/graph/graph.js";
import { ParamStore } from "../../src/graph/param-store.js";
import { Runner } from "../../src/graph/session.js";
import { fusedItemTable, itemSideTables, sideTowers, warmItems } from "../../src/models/item-features.js";
import { sasrec } from "../../src/models/sasrec.js";
import { fit } from "../../src/train/fit.js";
import { modelDataOf, type TrainData, trainDataFrom } from "../../src/train/train-data.js";
import { preparedDataset } from "../helpers/prepared.js";

// Cold start on amazon-beauty: the test targets of the first users are taken out of every training sequence,
// so these items have a title but no interaction. Scored among all 12k items for the users who bought them,
// the title-tower model must rank them far above random; ID-only SASRec cannot.
const USERS = 2500;
const full = trainDataFrom(loadDataset(preparedDataset("amazon-beauty")));
const fullSide = full.itemSide;
if (!fullSide) throw new Error("trainDataFrom gives item side data");
const cold = new Set<number>();
for (let r = 0; r < USERS && cold.size < 150; r++) cold.add(full.test.targets[r]);
const sequences = full.sequences
  .slice(0, USERS)
  .map((s) => s.filter((i) => !cold.has(i)))
  .filter((s) => s.length >= 2);
const rows = Array.from({ length: USERS }, (_, r) => r).filter((r) => cold.has(full.test.targets[r]));
const pick = (e: EvalData, keep: number[]): EvalData => ({
  ...e,
  users: Int32Array.from(keep, (r) => e.users[r]),
  histories: keep.map((r) => e.histories[r]),
  targets: Int32Array.from(keep, (r) => e.targets[r]),
});
const data: TrainData = {
  ...full,
  sequences,
  valid: pick(
    full.valid,
    Array.from({ length: 1000 }, (_, r) => r),
  ),
  test: pick(full.test, rows),
  itemSide: { ...fullSide, warm: warmItems(sequences, full.nItems) },
};
const fitConfig = { epochs: 2, lr: 3e-3, batchSize: 128, threads: 1, patience: 5 };

/** Trains briefly; returns the model and the mean percentile rank of the cold targets (0.5 = random). */
async function coldRank(side: object) {
  const model = sasrec.create(sasrec.configSchema.parse({ side }), modelDataOf(data), new ParamStore(3));
  const r = await fit(model, data, fitConfig);
  const ranks = [...r.testDetail.ranks].filter(Number.isFinite);
  return { model, rank: ranks.reduce((a, x) => a + x, 0) / ranks.length / data.nItems };
}

test("an item with a title but no interactions gets its vector from the text tower and ranks far above random", async () => {
  for (const i of cold) assert.equal(data.itemSide?.warm[i], 0);
  const config = sasrec.configSchema.parse({ side: { title: true } });
  const text = await coldRank(config.side);
  // Measured: 0.16–0.17 (median 0.12); ID-only SASRec gives 0.82, worse than random, as its cold rows are
  // only ever pushed down as negatives.
  assert.ok(text.rank < 0.3, `title tower: mean percentile rank of cold items ${text.rank}`);

  // The fused row of a cold item is exactly the text tower's output; a warm item's row is not.
  const g = new Graph();
  const ctx = new BuildContext(g, text.model.store, false);
  const side = data.itemSide;
  if (!side) throw new Error("unreachable");
  const tables = itemSideTables(config.side, side, data.nItems);
  const fused = fusedItemTable(ctx, config.side, tables, side, data.nItems, config.dim);
  const [tower] = sideTowers(ctx, tables, side, config.dim);
  const runner = await Runner.create({ fused, tower }, undefined, { threads: 1 });
  const out = await runner.run({});
  await runner.release();
  const row = (name: string, i: number) =>
    (out[name].data as Float32Array).subarray(i * config.dim, (i + 1) * config.dim);
  const coldItem = [...cold][0];
  assert.deepEqual(row("fused", coldItem), row("tower", coldItem));
  const warmItem = sequences[0][0];
  assert.notDeepEqual(row("fused", warmItem), row("tower", warmItem));
});
