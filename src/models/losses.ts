// Next-item losses over the positions that have a target. Hidden states are gathered at those positions
// first, so the output layer (the largest matmul of a step) never runs on padding.
import { z } from "zod";
import type { Tensor } from "../graph/graph.js";
import * as o from "../graph/tensor-ops.js";

export const LossConfigSchema = z.strictObject({
  /** ce: softmax over the whole catalogue; sampled: softmax over the target and shared negatives;
   * gbce: gSASRec's generalised BCE over the same negatives; bce: one negative, plain BCE (classic SASRec). */
  kind: z.enum(["ce", "sampled", "gbce", "bce"]).default("ce"),
  /** Negatives per sequence, shared by all its positions (sampled, gbce). */
  negatives: z.number().int().min(1).default(256),
  /** gBCE calibration t ∈ [0, 1] (gSASRec): 0 = plain BCE, 1 = fully calibrated. */
  gbceT: z.number().min(0).max(1).default(0.75),
});
export type LossConfig = z.infer<typeof LossConfigSchema>;

/** Rows of hidden [B, L, d] at flat positions (b·L + t) given by int64 `at` [M]. */
export function gatherPositions(hidden: Tensor, at: Tensor): Tensor {
  const d = hidden.shape[hidden.rank - 1] as number;
  return o.gather(o.reshape(hidden, [-1, d]), at);
}

/** Mean cross-entropy of softmax over the whole catalogue (every row of the item table, padding included). */
export function fullSoftmaxLoss(rows: Tensor, table: Tensor, targets: Tensor): Tensor {
  return o.mean(o.softmaxCrossEntropy(rows, table, targets));
}

/** log σ(x) = −softplus(−x), computed stably as min(x, 0) − log(1 + e^−|x|). */
export function logSigmoid(x: Tensor): Tensor {
  const absX = o.add(o.relu(x), o.relu(o.neg(x)));
  return o.sub(o.neg(o.relu(o.neg(x))), o.log(o.add(o.exp(o.neg(absX)), 1)));
}

export interface SampledScores {
  /** [M] score of each position's target. */
  positive: Tensor;
  /** [M, K] scores of its sequence's negatives, with accidental hits (negative = target) pushed to −1e9. */
  negative: Tensor;
}

/**
 * Scores of targets and shared negatives. `negatives` [B, K] holds K item ids per sequence, and `rowOf` [M]
 * the sequence of each target position; every position of a sequence is scored against its sequence's
 * negatives in one batched matmul ([B, L, d] × [B, d, K]).
 */
export function sampledScores(
  hidden: Tensor,
  at: Tensor,
  table: Tensor,
  targets: Tensor,
  negatives: Tensor,
  rowOf: Tensor,
): SampledScores {
  const positive = o.sum(o.mul(gatherPositions(hidden, at), o.gather(table, targets)), { axes: [-1] });
  const perSequence = o.matmul(hidden, o.gather(table, negatives), { transB: true }); // [B, L, K]
  const hit = o.equal(o.gather(negatives, rowOf), o.unsqueeze(targets, [1])); // [M, K]
  return { positive, negative: o.where(hit, hidden.graph.scalar(-1e9), gatherPositions(perSequence, at)) };
}

/** Softmax cross-entropy over [target, negatives]. */
export function sampledSoftmaxLoss(s: SampledScores): Tensor {
  const logits = o.concat([o.unsqueeze(s.positive, [1]), s.negative], 1);
  const logp = o.logSoftmax(logits);
  return o.neg(o.mean(o.slice(logp, { axes: [1], starts: [0], ends: [1] })));
}

/**
 * gBCE (Petrov & Macdonald, RecSys'23): −β·log σ(s⁺) − Σ log(1 − σ(s⁻)), with β = α(t(1 − 1/α) + 1/α) and
 * α = K / (nItems − 1) the negative sampling rate. t = 0 with K = 1 is the classic BCE loss.
 */
export function gbceLoss(s: SampledScores, k: number, nItems: number, t: number): Tensor {
  const alpha = k / (nItems - 1);
  const beta = alpha * (t * (1 - 1 / alpha) + 1 / alpha);
  const pos = o.mul(logSigmoid(s.positive), beta);
  const neg = o.sum(logSigmoid(o.neg(s.negative)), { axes: [-1] });
  return o.neg(o.mean(o.add(pos, neg)));
}
