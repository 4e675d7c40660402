// Every ranker against logistic regression on the first 200 users of movielens-1m (≈ 28k ratings, the
// random 8:1:1 split), same features, 3 epochs, same optimiser. Margin: test AUC at least 0.005 above LR's.
import assert from "node:assert/strict";
import { test } from "node:test";
import { runCtr } from "../../../src/train/ctr/index.js";
import { datasetsDir } from "../../helpers/datasets.js";

const MARGIN = 0.005;
const base = {
  dataset: "movielens-1m",
  datasetsDir,
  limitUsers: 200,
  fit: { epochs: 3, lr: 0.005, batchSize: 512, threads: 1 },
};

const lrAuc = runCtr({ ...base, model: "lr" }).then((r) => r.summary.test.AUC);

for (const [model, modelConfig] of [
  ["fm", {}],
  ["deepfm", {}],
  ["deepfm", { history: "attention" }],
  ["deepfm", { history: "attention", cross: 2 }],
  ["din", {}],
  ["hybrid-mf", {}],
  ["mmoe", {}],
] as const) {
  const name = `${model}${Object.keys(modelConfig).length ? ` ${JSON.stringify(modelConfig)}` : ""}`;
  test(`${name} beats LR by ≥ ${MARGIN} test AUC on a movielens-1m subset`, async () => {
    const lr = await lrAuc;
    const { summary } = await runCtr({ ...base, model, modelConfig });
    assert.ok(lr > 0.7, `LR AUC ${lr}`);
    assert.ok(summary.test.AUC >= lr + MARGIN, `${name} AUC ${summary.test.AUC} vs LR ${lr}`);
    assert.ok(Number.isFinite(summary.test.GAUC) && Number.isFinite(summary.test.LogLoss));
  });
}
