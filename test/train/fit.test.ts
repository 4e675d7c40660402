import assert from "node:assert/strict";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { evaluateFullRanking } from "../../src/eval/index.js";
import { loadSafetensors } from "../../src/graph/checkpoint.js";
import { ParamStore } from "../../src/graph/param-store.js";
import { createPop } from "../../src/models/baselines/index.js";
import { sasrec } from "../../src/models/sasrec.js";
import { fit } from "../../src/train/fit.js";
import { firstUsers } from "../helpers/prepared.js";

const data = firstUsers("amazon-beauty", 5000);
const quick = { epochs: 4, lr: 3e-3, batchSize: 64, threads: 1, patience: 5 };

test("SASRec-CE trained briefly on an amazon-beauty subset beats Pop (valid and test NDCG@10, full ranking)", async () => {
  const pop = createPop(data.trainPopularity);
  const popValid = (await evaluateFullRanking(pop.scorerFor(data.valid), data.valid)).metrics["NDCG@10"];
  const model = sasrec.create(
    sasrec.configSchema.parse({}),
    { nItems: data.nItems, maxSeqLen: 50 },
    new ParamStore(1),
  );
  const r = await fit(model, data, quick);
  assert.equal(r.history.length, 4);
  assert.ok(r.history[3].loss < r.history[0].loss - 1, "training loss falls");
  // Measured: Pop 0.0067 valid; SASRec 0.0153 valid / 0.0106 test after 4 epochs. Require 1.5 × Pop.
  assert.ok(r.valid["NDCG@10"] > 1.5 * popValid, `valid NDCG@10 ${r.valid["NDCG@10"]} vs Pop ${popValid}`);
  const popTest = (await evaluateFullRanking(pop.scorerFor(data.test), data.test)).metrics["NDCG@10"];
  assert.ok(r.test["NDCG@10"] > 1.5 * popTest, `test NDCG@10 ${r.test["NDCG@10"]} vs Pop ${popTest}`);
});

test("training is seeded: the same seed gives the same losses; a run resumed from its checkpoint continues identically", async () => {
  const make = () =>
    sasrec.create(sasrec.configSchema.parse({}), { nItems: data.nItems, maxSeqLen: 50 }, new ParamStore(7));
  const small = firstUsers("amazon-beauty", 1500);
  const cfg = { ...quick, epochs: 2 };
  const a = await fit(make(), small, cfg);
  const dir = mkdtempSync(join(tmpdir(), "seqrank-fit-"));
  await fit(make(), small, { ...cfg, epochs: 1 }, dir); // "killed" after epoch 1: only its checkpoint remains
  assert.ok(existsSync(join(dir, "last.safetensors")));
  const resumed = await fit(make(), small, cfg, dir);
  assert.deepEqual(
    resumed.history.map((h) => h.loss),
    a.history.map((h) => h.loss),
  );
  assert.equal(JSON.parse(loadSafetensors(join(dir, "last.safetensors")).metadata.progress).epoch, 2);
});
