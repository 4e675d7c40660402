import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import ort from "onnxruntime-node";
import {
  encodeCtrData,
  fillSlots,
  limitUsers,
  loadCtrDataset,
  rowsOf,
  slotLayout,
  TEST,
} from "../../../src/data/ctr/index.js";
import { ParamStore } from "../../../src/graph/param-store.js";
import { Runner, tensor } from "../../../src/graph/session.js";
import { createRanker } from "../../../src/models/registry.js";
import { exportRankerOnnx, fitCtr, predict, scoreOutputs } from "../../../src/train/ctr/index.js";
import { datasetsDir } from "../../helpers/datasets.js";

test("a trained ranker exported to ONNX and reloaded scores identically", async () => {
  const raw = limitUsers(await loadCtrDataset("movielens-1m", { datasetsDir }), 60);
  const table = encodeCtrData(raw);
  const layout = slotLayout(table);
  const store = new ParamStore(3);
  const data = { layout, tasks: ["click"], nItems: table.nItems };
  const ranker = createRanker("din", { fusion: { kind: "gated" } }, data, store);
  const fitted = await fitCtr(ranker, table, layout, { epochs: 1, threads: 1 });
  assert.ok(fitted.test.click.AUC > 0.55);

  const dir = mkdtempSync(join(tmpdir(), "seqrank-ctr-"));
  try {
    const path = join(dir, "model.onnx");
    exportRankerOnnx(path, ranker, layout);
    const rows = rowsOf(table, TEST).subarray(0, 500);
    const runner = await Runner.create(scoreOutputs(ranker, layout), store, { threads: 1 });
    const expected = (await predict(ranker, table, layout, runner, rows, {})).click;
    await runner.release();

    const session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1 });
    assert.deepEqual([...session.inputNames].sort(), ["ids", "weights"]);
    const slots = fillSlots(table, layout, rows);
    const out = await session.run({
      ids: tensor(slots.ids, [rows.length, layout.slots]),
      weights: tensor(slots.weights, [rows.length, layout.slots]),
    });
    const reloaded = out.prob_click.data as Float32Array;
    for (let i = 0; i < rows.length; i++) assert.equal(reloaded[i], expected[i], `row ${i}`);
    await session.release();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
