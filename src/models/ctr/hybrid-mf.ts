// LightFM-style hybrid matrix factorisation (Kula, 2015): a user is the sum of the embeddings of its user,
// context and sequence features, an item the sum of its item features' embeddings; the score is their dot
// product plus the first-order biases. Trained pointwise (BCE on the labels) or pairwise against sampled
// items: BPR, or WARP with the rank of the positive estimated from how many of K negatives violate the margin.
import { z } from "zod";
import type { Tensor } from "../../graph/graph.js";
import * as o from "../../graph/tensor-ops.js";
import { logSigmoid } from "../losses.js";
import { linearTerm, slotEmbeddings } from "./layers.js";
import { type CtrModelFactory, type PairwiseLoss, singleTask } from "./ranker.js";

export const HybridMfConfigSchema = z.strictObject({
  dim: z.number().int().positive().default(32),
  loss: z.enum(["bce", "bpr", "warp"]).default("bce"),
  /** Negative items per row for BPR / WARP. */
  negatives: z.number().int().positive().default(8),
});
export type HybridMfConfig = z.infer<typeof HybridMfConfigSchema>;

/** Mean over positive rows (label 1) of a per-row loss [B]. */
function positiveMean(perRow: Tensor, label: Tensor): Tensor {
  return o.div(o.sum(o.mul(perRow, label)), o.add(o.sum(label), 1e-6));
}

export function bprLoss(pos: Tensor, neg: Tensor, label: Tensor): Tensor {
  const perRow = o.neg(o.mean(logSigmoid(o.sub(o.unsqueeze(pos, [1]), neg)), { axes: [1] }));
  return positiveMean(perRow, label);
}

/** WARP: hinge of the worst violator, weighted by log(1 + estimated rank); the estimate is not differentiated. */
export function warpLoss(pos: Tensor, neg: Tensor, label: Tensor, nItems: number): Tensor {
  const k = neg.shape[1] as number;
  const hinge = o.relu(o.add(o.sub(neg, o.unsqueeze(pos, [1])), 1)); // [B, K]
  const violators = o.sum(o.cast(o.greater(hinge, 0), hinge.dtype), { axes: [1] });
  const weight = o.detach(o.log(o.add(o.mul(violators, (nItems - 1) / k), 1)));
  return positiveMean(o.mul(weight, o.max(hinge, { axes: [1] })), label);
}

export const hybridMf: CtrModelFactory<HybridMfConfig> = {
  name: "hybrid-mf",
  configSchema: HybridMfConfigSchema,
  multiTask: false,
  create: (cfg, data, store) => {
    const task = singleTask("hybrid-mf", data.tasks);
    const { layout } = data;
    const userSide = layout.fields.filter((f) => f.group !== "item");
    const itemSide = layout.fields.filter((f) => f.group === "item");
    const pairwise: PairwiseLoss | undefined =
      cfg.loss === "bce"
        ? undefined
        : {
            negatives: cfg.negatives,
            loss: cfg.loss === "bpr" ? bprLoss : (p, n, l) => warpLoss(p, n, l, data.nItems),
          };
    return {
      name: "hybrid-mf",
      tasks: data.tasks,
      store,
      pairwise,
      logits: (ctx, inp) => {
        const slotEmb = slotEmbeddings(ctx, "emb", layout, inp, cfg.dim);
        const user = o.sum(slotEmb.pooled(userSide), { axes: [1] });
        const item = o.sum(slotEmb.pooled(itemSide), { axes: [1] });
        const dot = o.sum(o.mul(user, item), { axes: [1] });
        return { [task]: o.add(dot, linearTerm(ctx, layout, inp, "linear", data.priors?.[task])) };
      },
    };
  },
};
