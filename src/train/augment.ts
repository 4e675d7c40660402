// Sequence augmentation for sparse data (CL4SRec-style operators), applied afresh every epoch: each training
// sequence gets, with probability `prob`, one extra variant made by a randomly chosen enabled operator.
//   crop:    a contiguous sub-sequence keeping `ratio` of the items;
//   mask:    drop each item with probability 1 − ratio (at least two items stay);
//   reorder: shuffle a random window covering 1 − ratio of the sequence.
import { z } from "zod";
import type { Rng } from "../graph/init.js";

export const AugmentSchema = z.strictObject({
  prob: z.number().min(0).max(1).default(0),
  operators: z.array(z.enum(["crop", "mask", "reorder"])).default(["crop", "mask", "reorder"]),
  ratio: z.number().gt(0).lt(1).default(0.8),
});
export type AugmentConfig = z.infer<typeof AugmentSchema>;

type Operator = (s: Int32Array, ratio: number, rng: Rng) => Int32Array;

const OPERATORS: Record<AugmentConfig["operators"][number], Operator> = {
  crop: (s, ratio, rng) => {
    const n = Math.max(2, Math.round(s.length * ratio));
    const start = rng.int(s.length - n + 1);
    return s.slice(start, start + n);
  },
  mask: (s, ratio, rng) => {
    const kept = s.filter(() => rng.next() < ratio);
    return kept.length >= 2 ? kept : s.slice(-2);
  },
  reorder: (s, ratio, rng) => {
    const out = s.slice();
    const w = Math.max(2, Math.round(s.length * (1 - ratio)));
    const start = rng.int(s.length - w + 1);
    for (let i = start + w - 1; i > start; i--) {
      const j = start + rng.int(i - start + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  },
};

export function augment(seqs: Int32Array[], cfg: AugmentConfig, rng: Rng): Int32Array[] {
  if (cfg.prob <= 0 || cfg.operators.length === 0) return seqs;
  const out = [...seqs];
  for (const s of seqs) {
    if (s.length < 3 || rng.next() >= cfg.prob) continue;
    const op = cfg.operators[rng.int(cfg.operators.length)];
    out.push(OPERATORS[op](s, cfg.ratio, rng));
  }
  return out;
}
