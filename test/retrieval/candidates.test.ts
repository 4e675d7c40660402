import assert from "node:assert/strict";
import { test } from "node:test";
import { CoVisitation, mmr, Popularity } from "../../src/retrieval/index.js";
import { beauty, sequence } from "./beauty.js";

const T0 = 1_700_000_000;
const DAY = 86_400;
const users = beauty.offsets.length - 1;

function beautyCovis(): CoVisitation {
  const covis = new CoVisitation({ window: 3, topN: 50 }, T0);
  for (let u = 0; u < users; u++) {
    const seq = sequence(u);
    covis.addSequence(seq, new Float64Array(seq.length).fill(T0));
  }
  return covis;
}

test("co-visitation on Beauty: neighbours are the items seen next to it, by 1/distance weight", () => {
  const covis = beautyCovis();
  // Count by hand the pairs of the most frequent item.
  const counts = new Map<number, number>();
  const freq = new Int32Array(beauty.nItems + 1);
  for (const i of beauty.items) freq[i]++;
  const item = freq.indexOf(Math.max(...freq));
  for (let u = 0; u < users; u++) {
    const s = sequence(u);
    for (let i = 0; i < s.length; i++) {
      if (s[i] !== item) continue;
      for (let j = Math.max(0, i - 3); j <= Math.min(s.length - 1, i + 3); j++) {
        if (j !== i) counts.set(s[j], (counts.get(s[j]) ?? 0) + 1 / Math.abs(i - j));
      }
    }
  }
  const truth = [...counts].sort((a, b) => b[1] - a[1]);
  const got = covis.neighbours(item, 5, T0);
  assert.equal(got[0].item, truth[0][0]);
  assert.ok(Math.abs(got[0].weight - truth[0][1]) < 1e-9);
  assert.ok(got.every((n, i) => i === 0 || n.weight <= got[i - 1].weight));
  assert.ok(covis.itemCount > beauty.nItems * 0.99);
});

test("co-visitation updates at once and older co-visits decay", () => {
  const covis = new CoVisitation({ window: 2, halfLifeDays: 1 }, T0);
  covis.addSequence([1, 2], [T0, T0]); // (1,2) at weight 1, ten days ago relative to the next event
  covis.observe([1], 3, T0 + 10 * DAY); // (1,3) now
  const n = covis.neighbours(1, 2, T0 + 10 * DAY);
  assert.deepEqual(
    n.map((x) => x.item),
    [3, 2],
  );
  assert.ok(Math.abs(n[0].weight - 1) < 1e-9);
  assert.ok(Math.abs(n[1].weight - 2 ** -10) < 1e-9);
  // Forward decay survives many half-lives (rebasing keeps the numbers finite).
  covis.observe([3], 1, T0 + 400 * DAY);
  assert.ok(Number.isFinite(covis.weight(1, 3, T0 + 400 * DAY)));
  assert.ok(Math.abs(covis.weight(3, 1, T0 + 400 * DAY) - (1 + 2 ** -390)) < 1e-9);
  covis.removeItem(3);
  assert.equal(covis.weight(1, 3, T0 + 400 * DAY), 0);
});

test("popular = most interacted Beauty items; trending follows recent events", () => {
  const pop = new Popularity(beauty.nItems, { refreshMs: 0 }, T0);
  const freq = new Int32Array(beauty.nItems + 1);
  for (const i of beauty.items) {
    pop.add(i, T0);
    freq[i]++;
  }
  const top = pop.top("popular");
  assert.equal(freq[top.items[0]], Math.max(...freq));
  for (let i = 1; i < 50; i++) assert.ok(freq[top.items[i]] <= freq[top.items[i - 1]]);
  // An obscure item bought 200 times five days later trends, but is not the most popular over a month.
  const obscure = freq.indexOf(5, 1);
  for (let i = 0; i < 200; i++) pop.add(obscure, T0 + 5 * DAY);
  assert.equal(pop.top("trending").items[0], obscure);
  assert.notEqual(pop.top("popular").items[0], obscure);
  pop.setRemoved(obscure, true);
  assert.ok(!pop.top("trending").items.includes(obscure));
});

test("MMR: λ = 1 keeps the score order; lower λ skips near-duplicates", () => {
  const vec = (x: number, y: number) => Float32Array.of(x, y);
  const vectors = new Map([
    [1, vec(1, 0)],
    [2, vec(0.99, 0.01)],
    [3, vec(0, 1)],
  ]);
  const cands = [
    { item: 1, score: 1 },
    { item: 2, score: 0.95 },
    { item: 3, score: 0.5 },
  ];
  assert.deepEqual(
    mmr(cands, 2, 1, (i) => vectors.get(i)).map((c) => c.item),
    [1, 2],
  );
  assert.deepEqual(
    mmr(cands, 2, 0.5, (i) => vectors.get(i)).map((c) => c.item),
    [1, 3],
  );
});
