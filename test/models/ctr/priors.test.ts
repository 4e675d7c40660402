// Output-bias initialisation (layers.ts linearTerm, ctr-data.ts trainPriors): every ranker's logit starts at
// the log-odds of its task's positive rate in the training rows, not at 0 (p = 0.5).
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  encodeCtrData,
  limitUsers,
  loadCtrDataset,
  rowsOf,
  slotLayout,
  TRAIN,
  trainPriors,
} from "../../../src/data/ctr/index.js";
import { ParamStore } from "../../../src/graph/param-store.js";
import { createRanker } from "../../../src/models/registry.js";
import { scoreOutputs } from "../../../src/train/ctr/index.js";
import { datasetsDir } from "../../helpers/datasets.js";

test("each ranker's output bias starts at the training log-odds of its task", async () => {
  const raw = limitUsers(await loadCtrDataset("taobao-userbehavior-sample", { datasetsDir }), 100);
  const table = encodeCtrData(raw);
  const layout = slotLayout(table);
  const train = rowsOf(raw, TRAIN);
  const tasks = ["cart", "buy"];
  const priors = trainPriors(raw, tasks);
  for (const t of tasks) {
    const positives = train.reduce((n, r) => n + raw.labels[t][r], 0);
    assert.ok(Math.abs(priors[t] - Math.log(positives / (train.length - positives))) < 1e-12, t);
    assert.ok(priors[t] < -1, `${t}: a rare label has a negative prior`);
  }
  const cases: [string, string[], string[]][] = [
    ["lr", ["cart"], ["linear.b"]],
    ["fm", ["buy"], ["linear.b"]],
    ["deepfm", ["cart"], ["linear.b"]],
    ["din", ["cart"], ["linear.b"]],
    ["hybrid-mf", ["buy"], ["linear.b"]],
    ["mmoe", tasks, ["cart.linear.b", "buy.linear.b"]],
  ];
  for (const [model, modelTasks, biases] of cases) {
    const store = new ParamStore(1);
    const data = { layout, tasks: modelTasks, nItems: table.nItems, priors };
    scoreOutputs(createRanker(model, {}, data, store), layout); // creates the parameters
    biases.forEach((name, i) => {
      assert.ok(Math.abs(store.get(name).value[0] - priors[modelTasks[i]]) < 1e-6, `${model} ${name}`);
    });
  }
});
