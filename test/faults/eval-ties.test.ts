// Ties are ranked honestly: a model whose scores are all equal (e.g. zeroed weights) scores like chance, not
// perfect, and a target tied with other items counts at its expected rank in every rank metric.
import assert from "node:assert/strict";
import { test } from "node:test";
import { type EvalData, evaluateFullRanking, type Scorer } from "../../src/eval/index.js";
import { uniformSource } from "../../src/graph/init.js";

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} ≠ ${expected}`);

/** Users with random histories of distinct items and a target outside them. */
function randomData(nItems: number, nUsers: number, seed: number): EvalData {
  const random = uniformSource(seed);
  const histories: Int32Array[] = [];
  const targets = new Int32Array(nUsers);
  for (let u = 0; u < nUsers; u++) {
    const seen = new Set<number>();
    const length = 1 + Math.floor(random() * 40);
    while (seen.size < length) seen.add(1 + Math.floor(random() * nItems));
    let target: number;
    do target = 1 + Math.floor(random() * nItems);
    while (seen.has(target));
    histories.push(Int32Array.from(seen));
    targets[u] = target;
  }
  return {
    nItems,
    users: Int32Array.from({ length: nUsers }, (_, u) => u + 1),
    histories,
    targets,
    trainPopularity: new Float64Array(nItems + 1).fill(1),
  };
}

test("a constant-score model scores like chance on every rank metric, not perfect", async () => {
  const data = randomData(500, 300, 11);
  const constant: Scorer = (_rows, out) => {
    out.fill(0.25);
  };
  const r = await evaluateFullRanking(constant, data, { ks: [10, 20] });
  // Chance for a user with c unmasked candidates: the target is equally likely at each rank 0 … c − 1.
  const chance = (gain: (rank: number) => number, k: number) => {
    let sum = 0;
    data.histories.forEach((h) => {
      const c = data.nItems - h.length;
      for (let rank = 0; rank < k; rank++) sum += gain(rank) / c;
    });
    return sum / data.histories.length;
  };
  for (const k of [10, 20]) {
    close(
      r.metrics[`HR@${k}`],
      chance(() => 1, k),
      `HR@${k}`,
    );
    close(
      r.metrics[`Recall@${k}`],
      chance(() => 1, k),
      `Recall@${k}`,
    );
    close(
      r.metrics[`NDCG@${k}`],
      chance((rank) => 1 / Math.log2(rank + 2), k),
      `NDCG@${k}`,
    );
    close(
      r.metrics[`MRR@${k}`],
      chance((rank) => 1 / (rank + 1), k),
      `MRR@${k}`,
    );
    close(
      r.metrics[`Precision@${k}`],
      chance(() => 1 / k, k),
      `Precision@${k}`,
    );
  }
  assert.ok(
    Math.abs(r.metrics["HR@10"] - 10 / data.nItems) < 0.002,
    `HR@10 ${r.metrics["HR@10"]} ≈ 10/nItems`,
  );
  data.histories.forEach((h, u) => {
    assert.equal(r.ranks[u], (data.nItems - h.length - 1) / 2, `user ${u}: expected rank is the middle`);
  });
});

test("a mostly-zero scorer (ItemKNN-like): a target tied at 0 counts at its expected place among the zeros", async () => {
  // 100 items; items 1 and 2 score above zero, everything else (the target 50 included) scores exactly 0.
  const data: EvalData = {
    nItems: 100,
    users: Int32Array.of(1),
    histories: [Int32Array.of(3)],
    targets: Int32Array.of(50),
    trainPopularity: new Float64Array(101).fill(1),
  };
  const r = await evaluateFullRanking(
    (_rows, out) => {
      out[1] = 0.9;
      out[2] = 0.4;
    },
    data,
    { ks: [10] },
  );
  const places = 97; // the target and the 96 other unmasked zero-scored items
  assert.equal(r.ranks[0], 2 + (places - 1) / 2);
  close(r.metrics["HR@10"], 8 / places, "HR@10");
  let ndcg = 0;
  for (let rank = 2; rank < 10; rank++) ndcg += 1 / Math.log2(rank + 2);
  close(r.metrics["NDCG@10"], ndcg / places, "NDCG@10");
});

test("a target the scorer sets to −∞ ties only with unmasked −∞ items, not with the masked history", async () => {
  const data: EvalData = {
    nItems: 5,
    users: Int32Array.of(1),
    histories: [Int32Array.of(1)],
    targets: Int32Array.of(3),
    trainPopularity: new Float64Array(6).fill(1),
  };
  const scores = [0, 1, 2, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY, 3];
  const r = await evaluateFullRanking((_rows, out) => out.set(scores), data, { ks: [3] });
  assert.equal(r.ranks[0], 2.5); // items 5 and 2 above, item 4 tied; masked item 1 is no competitor
  close(r.metrics["HR@3"], 1 / 2, "HR@3");
});
