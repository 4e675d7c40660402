import assert from "node:assert/strict";
import { test } from "node:test";
import { type EvalData, evaluateFullRanking, TopK } from "../../src/eval/index.js";
import { uniformSource } from "../../src/graph/init.js";

/** Reference: full sort by score descending, then item id ascending. */
function fullSortTop(scores: Float32Array, from: number, to: number, k: number): number[] {
  const items: number[] = [];
  for (let i = from; i < to; i++) if (scores[i] > Number.NEGATIVE_INFINITY) items.push(i);
  items.sort((a, b) => scores[b] - scores[a] || a - b);
  return items.slice(0, k);
}

test("TopK equals a full sort on random scores with ties, in any offer order", () => {
  const random = uniformSource(7);
  for (const k of [1, 3, 10, 50]) {
    for (let trial = 0; trial < 20; trial++) {
      const n = 1 + Math.floor(random() * 300);
      const scores = Float32Array.from({ length: n }, () => Math.floor(random() * 20) / 4); // heavy ties
      const heap = new TopK(k);
      const order = Array.from({ length: n }, (_, i) => i).sort(() => random() - 0.5);
      for (const i of order) heap.offer(i, scores[i]);
      const out = new Int32Array(k);
      heap.drainInto(out, 0);
      const expected = fullSortTop(scores, 0, n, k);
      assert.deepEqual([...out.slice(0, expected.length)], expected);
      assert.ok(out.slice(expected.length).every((v) => v === 0));
    }
  }
});

test("streaming evaluation matches full-sort expected ranks and top-k lists on random scores with ties", async () => {
  const random = uniformSource(42);
  const nItems = 400;
  const nUsers = 300;
  const width = nItems + 1;
  const scores = Float32Array.from({ length: nUsers * width }, () => Math.round(random() * 200) / 200);
  const histories = Array.from({ length: nUsers }, () =>
    Int32Array.from({ length: Math.floor(random() * 30) }, () => 1 + Math.floor(random() * nItems)),
  );
  const data: EvalData = {
    nItems,
    users: Int32Array.from({ length: nUsers }, (_, u) => u),
    histories,
    targets: Int32Array.from({ length: nUsers }, () => 1 + Math.floor(random() * nItems)),
    trainPopularity: new Float64Array(width).fill(1),
  };
  const k = 20;
  const result = await evaluateFullRanking(
    (rows, out) => {
      rows.forEach((r, i) => {
        out.set(scores.subarray(r * width, (r + 1) * width), i * width);
      });
    },
    data,
    { batchSize: 64, coverageK: k },
  );

  const expectedCounts = new Int32Array(width);
  for (let u = 0; u < nUsers; u++) {
    const row = scores.slice(u * width, (u + 1) * width);
    row[0] = Number.NEGATIVE_INFINITY;
    for (const h of histories[u]) row[h] = Number.NEGATIVE_INFINITY;
    for (const item of fullSortTop(row, 0, width, k)) expectedCounts[item]++;
    const target = data.targets[u];
    const seen = histories[u].includes(target);
    const higher = row.filter((s) => s > row[target]).length;
    const tied = row.filter((s) => s === row[target]).length - 1;
    assert.equal(result.ranks[u], seen ? Number.POSITIVE_INFINITY : higher + tied / 2, `user ${u}`);
  }
  assert.deepEqual([...result.recommendedCounts!], [...expectedCounts]);
});

test("top-k slots stay empty when fewer items than k are unmasked", async () => {
  const data: EvalData = {
    nItems: 3,
    users: Int32Array.of(0),
    histories: [Int32Array.of(1, 2)],
    targets: Int32Array.of(3),
    trainPopularity: [0, 1, 1, 5],
  };
  const r = await evaluateFullRanking((_rows, out) => out.set([0, 3, 2, 1]), data, { coverageK: 3, ks: [1] });
  assert.deepEqual([...r.recommendedCounts!], [0, 0, 0, 1]);
  assert.equal(r.metrics["Coverage@3"], 1 / 3);
  assert.equal(r.metrics["LongTail@3"], 0); // item 3 is the only head item (20% of 3, rounded up)
  assert.equal(r.metrics["HR@1"], 1);
});
