// The second stage: one score per candidate. A candidate carries the user–item inner product and the
// score each candidate source gave it (each source's scores scaled to [0, 1] by its best candidate); the
// default ranker blends them linearly. A learned ranker implements the same interface.
import { z } from "zod";

export const CANDIDATE_SOURCES = ["ann", "covis", "popular", "trending"] as const;
export type CandidateSource = (typeof CANDIDATE_SOURCES)[number];

export interface Candidate {
  /** Dense item id. */
  item: number;
  /** Inner product of the user vector with the item vector; NaN without either. */
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

export const BlendRankerConfigSchema = z
  .object({
    /** Weight of the user–item inner product, min–max scaled over the candidates. */
    dot: z.number().nonnegative().default(1),
    ann: z.number().nonnegative().default(0),
    covis: z.number().nonnegative().default(0.6),
    popular: z.number().nonnegative().default(0.1),
    trending: z.number().nonnegative().default(0.05),
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
        if (Number.isNaN(c.dot)) continue;
        lo = Math.min(lo, c.dot);
        hi = Math.max(hi, c.dot);
      }
      const out = new Float32Array(candidates.length);
      for (let i = 0; i < candidates.length; i++) {
        const c = candidates[i];
        const dot = Number.isNaN(c.dot) ? 0 : hi > lo ? (c.dot - lo) / (hi - lo) : 1;
        const { ann, covis, popular, trending } = c.sources;
        out[i] = w.dot * dot + w.ann * ann + w.covis * covis + w.popular * popular + w.trending * trending;
      }
      return out;
    },
  };
}
