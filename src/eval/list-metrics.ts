// Ranking metrics of re-ranked candidate lists. A query whose target was not retrieved has rank ∞: a miss
// for the retrieval order and for every re-ranking alike, so averages run over all queries.
import { createMetric } from "./metrics.js";

/**
 * 0-based position of the target in its list after ordering the k candidates by `scores` (descending). Equal
 * scores keep retrieval order (slot order), so a ranker that scores everything alike gains nothing from ties.
 */
export function rankAfterRerank(
  scores: ArrayLike<number>,
  at: number,
  k: number,
  targetSlot: number,
): number {
  if (targetSlot < 0) return Number.POSITIVE_INFINITY;
  const t = scores[at + targetSlot];
  let rank = 0;
  for (let j = 0; j < k; j++) {
    const s = scores[at + j];
    if (s > t || (s === t && j < targetSlot)) rank++;
  }
  return rank;
}

/** HR, NDCG and MRR at each cut-off, averaged over every query (misses included). */
export function listMetrics(
  ranks: Float64Array,
  ks: readonly number[] = [5, 10, 20],
): Record<string, number> {
  const ctx = { nItems: 0, isHead: new Uint8Array(0) };
  const out: Record<string, number> = {};
  for (const kind of ["NDCG", "HR", "MRR"] as const) {
    for (const k of ks) {
      const m = createMetric(kind, k, ctx);
      m.update({ size: ranks.length, ranks, topItems: new Int32Array(0), topK: 0 });
      out[m.name] = m.result();
    }
  }
  return out;
}

/** Mean and standard error of the per-query NDCG@k difference after − before (paired: the same queries). */
export function pairedNdcgGain(
  before: Float64Array,
  after: Float64Array,
  k = 10,
): { mean: number; se: number } {
  const gain = (rank: number) => (rank < k ? 1 / Math.log2(rank + 2) : 0);
  const n = before.length;
  let sum = 0;
  let sumSq = 0;
  for (let q = 0; q < n; q++) {
    const d = gain(after[q]) - gain(before[q]);
    sum += d;
    sumSq += d * d;
  }
  const mean = sum / n;
  const variance = n > 1 ? (sumSq - n * mean * mean) / (n - 1) : 0;
  return { mean, se: Math.sqrt(variance / n) };
}
