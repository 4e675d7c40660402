// Multi-task training (src/train/ctr/fit-ctr.ts) on the taobao set's first 150 users: labels, losses and
// metrics stay aligned per task, and the kept epoch is the one with the best validation AUC averaged over the
// tasks, not the first task's best (which judged buy at cart's best epoch).
import assert from "node:assert/strict";
import { test } from "node:test";
import { type CtrEpoch, runCtr } from "../../../src/train/ctr/index.js";
import { datasetsDir } from "../../helpers/datasets.js";

test("a multi-task ranker keeps the epoch with the best mean validation AUC over its tasks", async () => {
  const { result } = await runCtr({
    dataset: "taobao-userbehavior-sample",
    datasetsDir,
    model: "mmoe",
    limitUsers: 150,
    fit: { epochs: 5, patience: 5, batchSize: 256, lr: 0.002, threads: 1 },
  });
  assert.deepEqual(result.tasks, ["cart", "buy"]);
  const mean = (e: CtrEpoch) => (e.valid.cart.AUC + e.valid.buy.AUC) / 2;
  const best = result.history.reduce((a, b) => (mean(b) > mean(a) ? b : a));
  const cartBest = result.history.reduce((a, b) => (b.valid.cart.AUC > a.valid.cart.AUC ? b : a));
  assert.notEqual(cartBest.epoch, best.epoch, "the setting no longer tells the two criteria apart");
  assert.equal(result.bestEpoch, best.epoch);
  assert.deepEqual(result.valid, best.valid);
});

test("with buy's loss weighted 0, cart + buy trains cart exactly as the single-task run does", async () => {
  const base = {
    dataset: "taobao-userbehavior-sample",
    datasetsDir,
    model: "mmoe",
    modelConfig: { bottom: "shared" },
    limitUsers: 150,
  };
  const fit = { epochs: 2, patience: 2, batchSize: 256, lr: 0.002, threads: 1 };
  const single = await runCtr({ ...base, tasks: ["cart"], fit });
  const multi = await runCtr({ ...base, tasks: ["cart", "buy"], fit: { ...fit, taskWeights: { buy: 0 } } });
  const cartAucs = (r: typeof single) => r.result.history.map((e) => e.valid.cart.AUC);
  assert.deepEqual(cartAucs(multi), cartAucs(single));
  assert.deepEqual(multi.result.test.cart, single.result.test.cart);
});
