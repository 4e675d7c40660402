// Maximal marginal relevance (Carbonell & Goldstein, 1998): pick items one by one, each maximising
// λ·relevance − (1 − λ)·(max cosine similarity to the items already picked). Relevance is min–max scaled
// to [0, 1] so λ means the same whatever the ranker's score range.
import { dot } from "./catalogue.js";
import { unitScale } from "./unit-scale.js";

export interface Scored {
  item: number;
  score: number;
}

/**
 * The `k` items MMR picks from `candidates` (any order), in pick order. λ = 1 keeps the score order.
 * Similarities are folded in lazily: a candidate's value only falls as items are picked, so a stale value is an
 * upper bound, and only the candidate with the best bound is brought up to date (then the search repeats).
 * The picks, their order and ties (lowest index first) are those of updating every candidate after every
 * pick, with a fraction of the dot products (those were a third of a recommendation's time).
 */
export function mmr<T extends Scored>(
  candidates: readonly T[],
  k: number,
  lambda: number,
  vectorOf: (item: number) => Float32Array | undefined,
): T[] {
  const n = candidates.length;
  if (n === 0 || k <= 0) return [];
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const c of candidates) {
    if (!Number.isFinite(c.score)) continue;
    lo = Math.min(lo, c.score);
    hi = Math.max(hi, c.score);
  }
  // A non-finite score (never the blend ranker's) ranks last rather than making every value NaN.
  const rel = candidates.map((c) => (Number.isFinite(c.score) ? unitScale(c.score, lo, hi) : 0));
  const vecs = candidates.map((c) => vectorOf(c.item));
  const norms = vecs.map((v) => (v ? Math.sqrt(dot(v, v)) || 1 : 1));
  const maxSim = new Float64Array(n);
  /** How many of `diverse` each candidate's maxSim has seen. */
  const seen = new Int32Array(n);
  /** Picks with a vector, in pick order: the items the others' similarity is taken to. */
  const diverse: number[] = [];
  const taken = new Uint8Array(n);
  const picked: T[] = [];
  const want = Math.min(k, n);
  while (picked.length < want) {
    let best = -1;
    for (;;) {
      best = -1;
      let bestValue = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < n; i++) {
        if (taken[i]) continue;
        const value = lambda * rel[i] - (1 - lambda) * maxSim[i];
        if (value > bestValue) {
          bestValue = value;
          best = i;
        }
      }
      if (seen[best] === diverse.length) break;
      const w = vecs[best];
      for (let p = seen[best]; w && p < diverse.length; p++) {
        const j = diverse[p];
        // A damaged vector's NaN similarity counts as none: a NaN value would never be picked (nor end the loop).
        const sim = dot(vecs[j]!, w) / (norms[j] * norms[best]);
        if (Number.isFinite(sim)) maxSim[best] = Math.max(maxSim[best], sim);
      }
      seen[best] = diverse.length;
    }
    taken[best] = 1;
    picked.push(candidates[best]);
    if (vecs[best] && lambda < 1) diverse.push(best);
  }
  return picked;
}
