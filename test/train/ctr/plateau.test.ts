// Reduce-on-plateau: after every epoch whose validation AUC is not a new best, the next epoch trains with the
// learning rate times plateauDecay; after an improving epoch it keeps the rate. Real rows (movielens-1m, first
// 100 users) and a high rate, so that validation AUC both rises and falls within a few epochs.
import assert from "node:assert/strict";
import { test } from "node:test";
import { runCtr } from "../../../src/train/ctr/index.js";
import { datasetsDir } from "../../helpers/datasets.js";

test("plateauDecay multiplies the learning rate after each epoch without a better validation AUC", async () => {
  const decay = 0.5;
  const { result } = await runCtr({
    dataset: "movielens-1m",
    datasetsDir,
    limitUsers: 100,
    model: "fm",
    fit: { epochs: 6, patience: 6, lr: 0.05, batchSize: 256, plateauDecay: decay, threads: 1 },
  });
  const h = result.history;
  assert.equal(h.length, 6);
  assert.equal(h[0].lr, 0.05);
  const auc = h.map((e) => e.valid.click.AUC);
  const improved = auc.map((a, i) => i === 0 || a > Math.max(...auc.slice(0, i)));
  for (let e = 1; e < h.length; e++)
    assert.equal(h[e].lr, h[e - 1].lr * (improved[e - 1] ? 1 : decay), `epoch ${e + 1}`);
  const decayed = improved.slice(0, -1).filter((x) => !x).length;
  assert.ok(decayed > 0, "no epoch without improvement: the run never exercised the decay");
});
