// Re-ranking on a real subset: SASRec trained briefly on the first amazon-beauty users retrieves the top-50
// unseen items; the fused DeepFM learns from the validation-target queries and re-ranks every test query.
// The retrieval order must rank exactly as the full-ranking evaluator, and the re-ranked lists must beat it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ParamStore } from "../../../src/graph/param-store.js";
import { sasrec } from "../../../src/models/sasrec.js";
import { fit } from "../../../src/train/fit.js";
import { frozenRetriever } from "../../../src/train/rerank/candidates.js";
import { runRerank } from "../../../src/train/rerank/run-rerank.js";
import { modelDataOf } from "../../../src/train/train-data.js";
import { firstUsers } from "../../helpers/prepared.js";

const USERS = 3000;
const data = firstUsers("amazon-beauty", USERS);
const model = sasrec.create(sasrec.configSchema.parse({}), modelDataOf(data), new ParamStore(7));
const trained = fit(model, data, { epochs: 4, lr: 3e-3, threads: 1, patience: 4 });

test("candidates: the seen history is masked and the retrieval order ranks targets as the evaluator does", async () => {
  const retrieval = await trained;
  const retriever = await frozenRetriever(model, 1);
  const set = await retriever.retrieve(data.test, 50);
  await retriever.release();
  for (let q = 0; q < set.targetAt.length; q++) {
    const seen = new Set(data.test.histories[q]);
    const items = set.items.subarray(q * 50, (q + 1) * 50);
    assert.ok(
      items.every((i) => i > 0 && !seen.has(i)),
      `query ${q}: a seen item or padding among the candidates`,
    );
    const rank = retrieval.testDetail.ranks[q];
    assert.equal(set.targetAt[q], rank < 50 ? rank : -1, `query ${q}: slot vs evaluator rank ${rank}`);
  }
  assert.equal(retriever.itemVectors.length, (data.nItems + 1) * retriever.dim);
});

const options = {
  candidates: 50,
  model: "deepfm",
  modelConfig: { fusion: { kind: "gated" } },
  fit: { epochs: 4 },
  threads: 1,
};

test("the fused re-ranker beats retrieval alone on test NDCG@10 over all test users", async () => {
  const retrieval = await trained;
  const { summary, fit: learned } = await runRerank({ retriever: { model, data }, ...options });
  const before = summary.test.retrieval;
  const after = summary.test.reranked;
  assert.equal(summary.queries.test, data.test.targets.length, "every test user is scored");
  assert.ok(Math.abs(before["NDCG@10"] - retrieval.test["NDCG@10"]) < 1e-9, "retrieval order = evaluator");
  // Measured over 3 SASRec seeds × gated/concat fusion: re-ranked / retrieval NDCG@10 = 1.34–1.70.
  assert.ok(
    after["NDCG@10"] > 1.2 * before["NDCG@10"],
    `NDCG@10 ${after["NDCG@10"]} vs ${before["NDCG@10"]}`,
  );
  assert.ok(after["HR@10"] >= before["HR@10"], `HR@10 ${after["HR@10"]} vs ${before["HR@10"]}`);
  const gain = summary.test.ndcg10Gain;
  assert.ok(
    Math.abs(gain.mean - (after["NDCG@10"] - before["NDCG@10"])) < 1e-12,
    "paired gain = difference of means",
  );
  assert.ok(gain.se > 0 && gain.se < gain.mean, `gain ${gain.mean} ± ${gain.se}`);

  // Leak check: with every test target replaced, training goes exactly the same way.
  const shuffled = { ...data.test, targets: data.test.targets.map((t) => (t % data.nItems) + 1) };
  const again = await runRerank({ retriever: { model, data: { ...data, test: shuffled } }, ...options });
  assert.deepEqual(
    again.fit.history.map((e) => [e.loss, e.valid]),
    learned.history.map((e) => [e.loss, e.valid]),
  );
  assert.notDeepEqual(again.summary.test, summary.test);
});
