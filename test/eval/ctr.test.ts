import assert from "node:assert/strict";
import { test } from "node:test";
import { auc, gauc, logLoss } from "../../src/eval/index.js";
import type { SeqrankError } from "../../src/util/errors.js";

/** O(n²) reference: share of positive–negative pairs ordered correctly, ties counting one half. */
function pairwiseAuc(labels: number[], scores: number[]): number {
  let wins = 0;
  let pairs = 0;
  labels.forEach((li, i) => {
    if (li !== 1) return;
    labels.forEach((lj, j) => {
      if (lj !== 0) return;
      pairs++;
      wins += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

function rng(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
}

test("AUC equals the pairwise reference on random data with many ties", () => {
  const random = rng(3);
  for (let trial = 0; trial < 50; trial++) {
    const n = 2 + Math.floor(random() * 400);
    const labels = Array.from({ length: n }, (_, i) => (i < 2 ? i : random() < 0.3 ? 1 : 0));
    const scores = labels.map((l) => Math.floor((random() + 0.3 * l) * 8)); // few distinct values
    const got = auc(labels, scores);
    assert.ok(Math.abs(got - pairwiseAuc(labels, scores)) < 1e-12, `trial ${trial}`);
  }
});

test("AUC hand cases: perfect, inverted, all tied", () => {
  assert.equal(auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]), 1);
  assert.equal(auc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]), 0);
  assert.equal(auc([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5]), 0.5);
});

test("GAUC weighs per-user AUC by rows and skips one-class users", () => {
  // user 1: 4 rows, AUC 0.75 (positive 0.9 beats both, positive 0.4 beats 0.3 and loses to 0.5).
  // user 2: 2 rows, AUC 0 (inverted). user 3: 3 rows, positives only -> skipped.
  const users = [1, 1, 1, 1, 2, 2, 3, 3, 3];
  const labels = [1, 1, 0, 0, 1, 0, 1, 1, 1];
  const scores = [0.9, 0.4, 0.5, 0.3, 0.1, 0.7, 0.2, 0.3, 0.4];
  assert.ok(Math.abs(gauc(users, labels, scores) - (0.75 * 4 + 0 * 2) / 6) < 1e-12);
  // Rows need not be grouped by user.
  const perm = [8, 3, 5, 0, 7, 1, 6, 2, 4];
  const shuffled = gauc(
    perm.map((i) => users[i]),
    perm.map((i) => labels[i]),
    perm.map((i) => scores[i]),
  );
  assert.ok(Math.abs(shuffled - 0.5) < 1e-12);
});

test("LogLoss clips predictions to [1e-7, 1 - 1e-7]", () => {
  const expected = -(Math.log(0.8) + Math.log(1 - 0.3)) / 2;
  assert.ok(Math.abs(logLoss([1, 0], [0.8, 0.3]) - expected) < 1e-12);
  assert.ok(Math.abs(logLoss([1], [0]) - -Math.log(1e-7)) < 1e-9);
  assert.ok(Math.abs(logLoss([0], [1]) - -Math.log(1e-7)) < 1e-6);
  assert.ok(Number.isFinite(logLoss([1, 0], [0, 1])));
});

test("coded errors for one class, bad labels, NaN and length mismatches", () => {
  const code = (c: string) => (e: SeqrankError) => e.code === c;
  assert.throws(() => auc([1, 1], [0.1, 0.2]), code("SR_ERR_EVAL_ONE_CLASS"));
  assert.throws(() => gauc([1, 2], [1, 0], [0.1, 0.2]), code("SR_ERR_EVAL_ONE_CLASS"));
  assert.throws(() => auc([1, 2], [0.1, 0.2]), code("SR_ERR_EVAL_LABEL"));
  assert.throws(() => auc([1, 0], [Number.NaN, 0.2]), code("SR_ERR_EVAL_NAN_SCORE"));
  assert.throws(() => logLoss([1, 0], [0.5]), code("SR_ERR_EVAL_LENGTH"));
});
