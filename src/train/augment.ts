// Sequence augmentation for sparse data (CL4SRec-style operators), applied afresh every epoch: each training
// sequence gets, with probability `prob`, one extra variant made by a randomly chosen enabled operator.
//   crop:    a contiguous sub-sequence keeping `ratio` of the items;
//   mask:    drop each item with probability 1 − ratio (at least two items stay);
//   reorder: shuffle a random window covering 1 − ratio of the sequence.
import { z } from "zod";
import type { Rng } from "../graph/init.js";
import { type PositionContext, pickContext } from "../models/context-features.js";

export const AugmentSchema = z.strictObject({
  prob: z.number().min(0).max(1).default(0),
  operators: z.array(z.enum(["crop", "mask", "reorder"])).default(["crop", "mask", "reorder"]),
  ratio: z.number().gt(0).lt(1).default(0.8),
});
export type AugmentConfig = z.infer<typeof AugmentSchema>;

/** An operator picks the positions of the variant (in order): its items and its context follow them. */
type Operator = (n: number, ratio: number, rng: Rng) => Int32Array;

const range = (start: number, end: number) => Int32Array.from({ length: end - start }, (_, i) => start + i);

const OPERATORS: Record<AugmentConfig["operators"][number], Operator> = {
  crop: (len, ratio, rng) => {
    const n = Math.max(2, Math.round(len * ratio));
    const start = rng.int(len - n + 1);
    return range(start, start + n);
  },
  mask: (len, ratio, rng) => {
    const kept = range(0, len).filter(() => rng.next() < ratio);
    return kept.length >= 2 ? kept : range(len - 2, len);
  },
  reorder: (len, ratio, rng) => {
    const out = range(0, len);
    const w = Math.max(2, Math.round(len * (1 - ratio)));
    const start = rng.int(len - w + 1);
    for (let i = start + w - 1; i > start; i--) {
      const j = start + rng.int(i - start + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  },
};

/**
 * The sequences, then their variants; `contexts` (aligned with `seqs`, when given) come back aligned with the
 * result, each variant's context taken at the variant's positions.
 */
export function augment(
  seqs: Int32Array[],
  cfg: AugmentConfig,
  rng: Rng,
  contexts?: readonly (PositionContext | undefined)[],
): { seqs: Int32Array[]; contexts?: (PositionContext | undefined)[] } {
  if (cfg.prob <= 0 || cfg.operators.length === 0) return { seqs, contexts: contexts && [...contexts] };
  const out = [...seqs];
  const outContexts = contexts && [...contexts];
  seqs.forEach((s, i) => {
    if (s.length < 3 || rng.next() >= cfg.prob) return;
    const op = cfg.operators[rng.int(cfg.operators.length)];
    const at = OPERATORS[op](s.length, cfg.ratio, rng);
    out.push(Int32Array.from(at, (p) => s[p]));
    const c = contexts?.[i];
    outContexts?.push(c && pickContext(c, at));
  });
  return { seqs: out, contexts: outContexts };
}
