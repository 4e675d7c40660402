// The second stage: one score per candidate. A candidate carries the user–item inner product and the
// score each candidate source gave it (each source's scores scaled to [0, 1] by its best candidate); the
// default ranker blends them linearly. A learned ranker implements the same interface.
import { z } from "zod";
import { unitScale } from "./unit-scale.js";

export const CANDIDATE_SOURCES = ["ann", "covis", "popular", "trending"] as const;
export type CandidateSource = (typeof CANDIDATE_SOURCES)[number];

export interface Candidate {
  /** Dense item id. */
  item: number;
  /** Inner product of the user vector with the item vector; NaN without either (or when not finite). */
  dot: number;
  /** Per-source scores in [0, 1] (0 = not proposed by that source). */
  sources: Record<CandidateSource, number>;
}

export interface RankContext {
  /** The user's items, oldest first (dense ids). */
  history: Int32Array;
  userVector?: Float32Array;
}

export interface Ranker {
  readonly name: string;
  /** Scores aligned with `candidates` (higher is better); the candidate objects are only valid during the call. */
  score(candidates: readonly Candidate[], ctx: RankContext): Float32Array;
}

/**
 * The scores a learned ranker gave the model's candidates (`ranked`: items and scores): each candidate gets
 * its own; one it did not score (a popular backfill after narrow filters) ranks below all of them.
 */
export function scoredRanker(name: string, ranked: { items: Int32Array; scores: Float32Array }): Ranker {
  const byItem = new Map<number, number>();
  let floor = 0;
  ranked.items.forEach((item, i) => {
    byItem.set(item, ranked.scores[i]);
    floor = Math.min(floor, ranked.scores[i]);
  });
  return {
    name,
    score: (candidates) => Float32Array.from(candidates, (c) => byItem.get(c.item) ?? floor - 1),
  };
}

/** Weights are relative; the bound keeps the float32 blend of five of them finite. */
const Weight = z.number().min(0).max(1e30);

export const BlendRankerConfigSchema = z
  .strictObject({
    /** Weight of the user–item inner product, min–max scaled over the candidates. */
    dot: Weight.default(1),
    ann: Weight.default(0),
    covis: Weight.default(0.6),
    popular: Weight.default(0.1),
    trending: Weight.default(0.05),
  })
  .default({});
export type BlendRankerConfig = z.infer<typeof BlendRankerConfigSchema>;

export function blendRanker(config: z.input<typeof BlendRankerConfigSchema> = {}): Ranker {
  const w = BlendRankerConfigSchema.parse(config);
  return {
    name: "blend",
    score(candidates) {
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      for (const c of candidates) {
        if (!Number.isFinite(c.dot)) continue;
        lo = Math.min(lo, c.dot);
        hi = Math.max(hi, c.dot);
      }
      // Every term is a weight times a value in [0, 1]: the blend is finite whatever the inputs.
      const out = new Float32Array(candidates.length);
      for (let i = 0; i < candidates.length; i++) {
        const c = candidates[i];
        const dot = Number.isFinite(c.dot) ? unitScale(c.dot, lo, hi) : 0;
        const { ann, covis, popular, trending } = c.sources;
        out[i] = w.dot * dot + w.ann * ann + w.covis * covis + w.popular * popular + w.trending * trending;
      }
      return out;
    },
  };
}
