import assert from "node:assert/strict";
import { test } from "node:test";
import { type EvalData, evaluateFullRanking, type Scorer } from "../../src/eval/index.js";
import type { SeqrankError } from "../../src/util/errors.js";

/** Data whose scorer returns fixed per-row score vectors (index 0 = padding). */
function fixture(rows: { scores: number[]; history: number[]; target: number }[], popularity?: number[]) {
  const nItems = rows[0].scores.length - 1;
  const data: EvalData = {
    nItems,
    users: Int32Array.from(rows, (_, i) => i + 1),
    histories: rows.map((r) => Int32Array.from(r.history)),
    targets: Int32Array.from(rows, (r) => r.target),
    trainPopularity: popularity ?? new Array(nItems + 1).fill(1),
  };
  const scorer: Scorer = (batch, out) => {
    batch.forEach((row, i) => {
      out.set(rows[row].scores, i * (nItems + 1));
    });
  };
  return { data, scorer };
}

const close = (actual: number, expected: number) =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} ≠ ${expected}`);

test("one user at rank 2: HR, NDCG, MRR, Precision at K boundaries", async () => {
  // items 1..5 scored 0.1 0.5 0.3 0.9 0.2; target 3 (0.3) is beaten by items 2 and 4 -> rank 2.
  const { data, scorer } = fixture([{ scores: [0, 0.1, 0.5, 0.3, 0.9, 0.2], history: [], target: 3 }]);
  const r = await evaluateFullRanking(scorer, data, { ks: [1, 2, 3, 5], coverageK: 2 });
  assert.deepEqual([...r.ranks], [2]);
  assert.equal(r.metrics["HR@2"], 0); // rank == K is a miss
  assert.equal(r.metrics["HR@3"], 1); // rank == K - 1 is a hit
  assert.equal(r.metrics["Recall@3"], 1);
  close(r.metrics["NDCG@3"], 1 / Math.log2(4));
  close(r.metrics["NDCG@5"], 0.5);
  assert.equal(r.metrics["NDCG@2"], 0);
  close(r.metrics["MRR@3"], 1 / 3);
  close(r.metrics["Precision@3"], 1 / 3);
  close(r.metrics["Precision@5"], 1 / 5);
  assert.equal(r.metrics["Precision@1"], 0);
});

test("ties count at their expected rank and padding id 0 is never ranked", async () => {
  // target 3 ties with items 1 and 2: ranks 0, 1, 2 equally likely; padding's 99 does not compete.
  const { data, scorer } = fixture([{ scores: [99, 1, 1, 1, 0, 0], history: [], target: 3 }]);
  const r = await evaluateFullRanking(scorer, data, { ks: [1, 2] });
  assert.deepEqual([...r.ranks], [1]);
  close(r.metrics["HR@1"], 1 / 3);
  close(r.metrics["NDCG@1"], 1 / 3);
  close(r.metrics["MRR@1"], 1 / 3);
  close(r.metrics["HR@2"], 2 / 3);
  close(r.metrics["NDCG@2"], (1 + 1 / Math.log2(3)) / 3);
  close(r.metrics["MRR@2"], (1 + 1 / 2) / 3);
  close(r.metrics["Precision@2"], 2 / 3 / 2);
});

test("seen items are masked over the whole history; switchable", async () => {
  const row = { scores: [0, 0.1, 0.5, 0.3, 0.9, 0.2], history: [4, 1], target: 3 };
  const { data, scorer } = fixture([row]);
  const masked = await evaluateFullRanking(scorer, data, { ks: [2] });
  assert.equal(masked.maskSeen, true);
  assert.deepEqual([...masked.ranks], [1]); // item 4 (0.9) masked, only item 2 is above
  close(masked.metrics["NDCG@2"], 1 / Math.log2(3));
  const unmasked = await evaluateFullRanking(scorer, data, { ks: [2], maskSeen: false });
  assert.equal(unmasked.maskSeen, false);
  assert.deepEqual([...unmasked.ranks], [2]);
  assert.equal(unmasked.metrics["NDCG@2"], 0);
});

test("a target inside the masked history is a miss, even with the best score", async () => {
  const { data, scorer } = fixture([{ scores: [0, 0.1, 0.5, 5, 0.9, 0.2], history: [2, 3], target: 3 }]);
  const r = await evaluateFullRanking(scorer, data, { ks: [5] });
  assert.equal(r.ranks[0], Number.POSITIVE_INFINITY);
  assert.equal(r.metrics["HR@5"], 0);
  const unmasked = await evaluateFullRanking(scorer, data, { ks: [5], maskSeen: false });
  assert.equal(unmasked.metrics["HR@5"], 1);
});

test("averages over users, independent of batch size, with an async scorer", async () => {
  const { data, scorer } = fixture([
    { scores: [0, 0.1, 0.5, 0.3, 0.9, 0.2], history: [], target: 4 }, // rank 0
    { scores: [0, 0.1, 0.5, 0.3, 0.9, 0.2], history: [], target: 3 }, // rank 2
    { scores: [0, 0.1, 0.5, 0.3, 0.9, 0.2], history: [], target: 1 }, // rank 4
  ]);
  const asyncScorer: Scorer = async (rows, out) => {
    await new Promise((resolve) => setImmediate(resolve));
    scorer(rows, out);
  };
  const one = await evaluateFullRanking(asyncScorer, data, { batchSize: 1, ks: [3] });
  const all = await evaluateFullRanking(scorer, data, { batchSize: 256, ks: [3] });
  assert.deepEqual(one.metrics, all.metrics);
  close(all.metrics["HR@3"], 2 / 3);
  close(all.metrics["NDCG@3"], (1 + 0.5) / 3);
  close(all.metrics["MRR@3"], (1 + 1 / 3) / 3);
  assert.equal(all.users, 3);
});

test("coverage and long-tail share over top-k lists; masked items never fill a slot", async () => {
  // popularity makes items 1 and 2 the head (top 20% of 10 items, rounded up = 2 items).
  const pop = [0, 50, 40, 5, 5, 5, 5, 5, 5, 5, 5];
  const s = [0, 1, 0.9, 0.8, 0.7, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1];
  const { data, scorer } = fixture(
    [
      { scores: s, history: [], target: 5 }, // top-2: 1, 2 (both head)
      { scores: s, history: [1], target: 5 }, // top-2: 2, 3 (one head)
    ],
    pop,
  );
  const r = await evaluateFullRanking(scorer, data, { coverageK: 2, ks: [2] });
  close(r.metrics["Coverage@2"], 3 / 10);
  close(r.metrics["LongTail@2"], 1 / 4);
  assert.deepEqual([...r.recommendedCounts!].slice(0, 4), [0, 1, 2, 1]);
});

test("rejects NaN target scores and malformed data with coded errors", async () => {
  const { data } = fixture([{ scores: [0, 1, 2, 3], history: [], target: 2 }]);
  const nanScorer: Scorer = (_rows, out) => {
    out.fill(Number.NaN);
  };
  await assert.rejects(
    evaluateFullRanking(nanScorer, data),
    (e: SeqrankError) => e.code === "SR_ERR_EVAL_NAN_SCORE",
  );
  const badTarget = { ...data, targets: Int32Array.of(7) };
  await assert.rejects(
    evaluateFullRanking(nanScorer, badTarget),
    (e: SeqrankError) => e.code === "SR_ERR_EVAL_DATA",
  );
  const badHistory = { ...data, histories: [Int32Array.of(0)] };
  await assert.rejects(
    evaluateFullRanking(nanScorer, badHistory),
    (e: SeqrankError) => e.code === "SR_ERR_EVAL_DATA",
  );
});
