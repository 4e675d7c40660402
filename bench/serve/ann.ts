// int8 vs f32 item vectors in the ANN index, on the served model: recall@10 against exact inner-product
// top 10, query latency, and NDCG@10 of the retrieved top 10 against each test user's held-out item (exact
// search = the model's own full-ranking NDCG without seen-item masking).

import type { ServingModel } from "../../src/artifact/index.js";
import { loadDataset } from "../../src/data/index.js";
import { ItemIndex } from "../../src/retrieval/index.js";
import { trainDataFrom } from "../../src/train/train-data.js";

const USERS = 2000;

function exactTop10(m: ServingModel, q: Float32Array): Int32Array {
  const best = new Int32Array(10);
  const scores = new Float64Array(10).fill(Number.NEGATIVE_INFINITY);
  for (let i = 1; i <= m.nItems; i++) {
    let s = 0;
    for (let d = 0; d < m.dim; d++) s += q[d] * m.itemVectors[i * m.dim + d];
    if (s <= scores[9]) continue;
    let j = 9;
    while (j > 0 && scores[j - 1] < s) {
      scores[j] = scores[j - 1];
      best[j] = best[j - 1];
      j--;
    }
    scores[j] = s;
    best[j] = i;
  }
  return best;
}

const ndcg = (top: ArrayLike<number>, target: number) => {
  for (let r = 0; r < top.length; r++) if (top[r] === target) return 1 / Math.log2(r + 2);
  return 0;
};
const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

export async function annComparison(model: ServingModel, dataDir: string) {
  const test = trainDataFrom(loadDataset(dataDir)).test;
  const step = Math.max(1, Math.floor(test.histories.length / USERS));
  const queries: Float32Array[] = [];
  const targets: number[] = [];
  for (let i = 0; i < test.histories.length && queries.length < USERS; i += step) {
    queries.push(await model.encodeUser(test.histories[i]));
    targets.push(test.targets[i]);
  }
  const exact = queries.map((q) => exactTop10(model, q));
  const out: Record<string, number> = { ann_users: queries.length };
  out.exact_ndcg10 = round(exact.reduce((s, top, i) => s + ndcg(top, targets[i]), 0) / queries.length);
  for (const quantization of ["f32", "i8"] as const) {
    let t0 = performance.now();
    const index = ItemIndex.build(model.itemVectors, model.dim, { quantization, threads: 2 });
    const buildS = (performance.now() - t0) / 1000;
    for (const q of queries.slice(0, 200)) index.search(q, 10); // warm-up
    const ms: number[] = [];
    let hits = 0;
    let gain = 0;
    queries.forEach((q, i) => {
      t0 = performance.now();
      const top = index.search(q, 10).items;
      ms.push(performance.now() - t0);
      const truth = new Set(exact[i]);
      for (const item of top) if (truth.has(item)) hits++;
      gain += ndcg(top, targets[i]);
    });
    ms.sort((a, b) => a - b);
    out[`${quantization}_recall10`] = round(hits / (queries.length * 10));
    out[`${quantization}_ndcg10`] = round(gain / queries.length);
    out[`${quantization}_query_p50_us`] = round(ms[Math.floor(ms.length / 2)] * 1000, 1);
    out[`${quantization}_query_p99_us`] = round(ms[Math.floor(ms.length * 0.99)] * 1000, 1);
    out[`${quantization}_build_s`] = round(buildS, 2);
  }
  return out;
}
