// Fusion of the parts of a ranking example into one composite vector: the user's sequence representation
// (pooled or target-attended history, or a frozen encoder's vector fed as a vector field), the user profile,
// the item's features and the context.
//   concat:       [seq ‖ user ‖ item ‖ context] (the classic DeepFM/DIN input);
//   weighted-sum: each part projected to `dim`, summed with learned softmax weights (one per part);
//   gated:        each part projected to `dim`, summed with per-dimension gates σ(W·[all parts]).
import { z } from "zod";
import type { BuildContext } from "../../graph/context.js";
import type { Tensor } from "../../graph/graph.js";
import { zeros } from "../../graph/init.js";
import * as nn from "../../graph/nn.js";
import * as o from "../../graph/tensor-ops.js";

export const FusionConfigSchema = z.strictObject({
  kind: z.enum(["concat", "weighted-sum", "gated"]).default("concat"),
  /** Width of the projected parts (weighted-sum, gated). */
  dim: z.number().int().positive().default(64),
});
export type FusionConfig = z.infer<typeof FusionConfigSchema>;

export interface FusionPart {
  name: string;
  /** [B, n] */
  vector: Tensor;
}

export function fuse(ctx: BuildContext, name: string, parts: FusionPart[], cfg: FusionConfig): Tensor {
  if (parts.length === 1 || cfg.kind === "concat") {
    return parts.length === 1
      ? parts[0].vector
      : o.concat(
          parts.map((p) => p.vector),
          1,
        );
  }
  const projected = parts.map((p) => nn.linear(ctx, `${name}.proj.${p.name}`, p.vector, cfg.dim));
  if (cfg.kind === "weighted-sum") {
    const logits = ctx.param(`${name}.part_logits`, [parts.length], zeros);
    const w = o.softmax(logits);
    return projected
      .map((v, i) => o.mul(v, o.slice(w, { axes: [0], starts: [i], ends: [i + 1] })))
      .reduce((a, b) => o.add(a, b));
  }
  const all = o.concat(projected, 1);
  const gates = o.sigmoid(nn.linear(ctx, `${name}.gate`, all, parts.length * cfg.dim));
  return projected
    .map((v, i) => o.mul(v, o.slice(gates, { axes: [1], starts: [i * cfg.dim], ends: [(i + 1) * cfg.dim] })))
    .reduce((a, b) => o.add(a, b));
}
