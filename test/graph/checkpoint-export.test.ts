import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import ort from "onnxruntime-node";
import { loadSafetensors, loadTrainState, saveTrainState } from "../../src/graph/checkpoint.js";
import { exportOnnx, exportWeights } from "../../src/graph/export.js";
import { ParamStore } from "../../src/graph/param-store.js";
import { Runner, TrainStep } from "../../src/graph/session.js";
import { Rng, toyBatch, toyLogits, toyLoss } from "./toy-model.js";

const dir = mkdtempSync(join(tmpdir(), "seqrank-graph-"));

test("checkpoint save → load gives the same next step as never stopping (dropout on)", async () => {
  const rng = new Rng(3);
  const batches = Array.from({ length: 6 }, (_, i) => toyBatch(rng, 8, 100 + i));
  const straight = new ParamStore(9);
  const a = await TrainStep.create(
    { loss: toyLoss(straight), optimizer: { kind: "adamw", weightDecay: 0.01 } },
    straight,
  );
  for (let i = 0; i < 5; i++) await a.run(batches[i], 1e-3);
  const path = join(dir, "step5.safetensors");
  saveTrainState(path, a, { epoch: "0" });
  const expected = await a.run(batches[5], 1e-3);

  const resumed = new ParamStore(1234); // different init: everything must come from the checkpoint
  const b = await TrainStep.create(
    { loss: toyLoss(resumed), optimizer: { kind: "adamw", weightDecay: 0.01 } },
    resumed,
  );
  const meta = loadTrainState(path, b);
  assert.equal(meta.epoch, "0");
  assert.equal(b.stepCount, 5);
  const got = await b.run(batches[5], 1e-3);
  assert.equal(got.loss, expected.loss);
  for (const [name, v] of a.state()) assert.deepEqual(b.state().get(name)!.data, v.data, name);
});

test("exported .onnx loads in a plain ORT session and matches the in-process forward within 1e-5", async () => {
  const store = new ParamStore(4);
  const step = await TrainStep.create({ loss: toyLoss(store) }, store);
  const rng = new Rng(5);
  for (let i = 0; i < 20; i++) await step.run(toyBatch(rng, 16, i), 3e-3);
  step.syncToStore();
  const { logits } = toyLogits(store, false);
  const path = join(dir, "toy.onnx");
  exportOnnx(path, { logits }, store);
  const batch = toyBatch(rng, 4);
  const feeds = { tokens: batch.tokens, positions: batch.positions, bias: batch.bias };
  const inProcess = (await (await Runner.create({ logits }, store)).run(feeds)).logits.data as Float32Array;
  const plain = await ort.InferenceSession.create(path);
  assert.deepEqual([...plain.inputNames].sort(), ["bias", "positions", "tokens"]);
  const exported = (await plain.run(feeds)).logits.data as Float32Array;
  assert.equal(exported.length, inProcess.length);
  let maxDiff = 0;
  for (let i = 0; i < exported.length; i++) maxDiff = Math.max(maxDiff, Math.abs(exported[i] - inProcess[i]));
  assert.ok(maxDiff <= 1e-5, `max difference ${maxDiff}`);

  const weights = join(dir, "toy.safetensors");
  exportWeights(weights, store, { model: "toy" });
  const back = loadSafetensors(weights);
  assert.equal(back.metadata.model, "toy");
  assert.deepEqual(back.tensors.get("item")!.data, store.get("item").value);
});
