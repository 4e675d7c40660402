// DIN (Zhou et al., KDD'18) target attention over the behaviour sequence, shared by DIN and DeepFM: each
// history field is pooled with weights from an MLP over [h, q, h − q, h ⊙ q], where q is the candidate's
// embedding in the same vocabulary (the item id for an item history, the category for a category history).
// `selfAttention` first runs one transformer block over the history, as BST (Chen et al., 2019) does.
import { z } from "zod";
import { type FieldSlots, findField, type SlotLayout } from "../../data/ctr/slots.js";
import type { BuildContext } from "../../graph/context.js";
import type { Tensor } from "../../graph/graph.js";
import * as nn from "../../graph/nn.js";
import * as o from "../../graph/tensor-ops.js";
import type { FusionPart } from "./fusion.js";
import { type CtrInputs, mlp, type SlotEmbeddings } from "./layers.js";

export const TargetAttentionConfigSchema = z.strictObject({
  attentionHidden: z.array(z.number().int().positive()).default([36]),
  /** BST-style: one transformer block over the history before the target attention. */
  selfAttention: z.boolean().default(false),
});
export type TargetAttentionConfig = z.infer<typeof TargetAttentionConfigSchema> & {
  dim: number;
  dropout: number;
};

/** History fields a ranker can attend over: multi-valued sequence fields that share a candidate's vocabulary. */
export function attendedFields(layout: SlotLayout): FieldSlots[] {
  return layout.fields.filter((f) => f.group === "sequence" && f.kind === "multi" && f.vocabOf !== undefined);
}

/** The history of `field` pooled by target attention: [B, k]. */
export function targetAttention(
  ctx: BuildContext,
  cfg: TargetAttentionConfig,
  layout: SlotLayout,
  inp: CtrInputs,
  field: FieldSlots,
  slotEmb: SlotEmbeddings,
): Tensor {
  const g = ctx.g;
  const range = { axes: [1], starts: [field.start], ends: [field.start + field.count] };
  const mask = o.greater(o.slice(inp.weights, range), 0); // [B, L]
  const table = nn.embeddingTable(ctx, "emb", layout.tableRows, cfg.dim);
  // Padding rows are zeroed so no gradient reaches the shared padding embedding.
  let h = o.mul(o.gather(table, o.slice(inp.ids, range)), o.unsqueeze(o.cast(mask, g.floatType), [2]));
  if (cfg.selfAttention) {
    const bias = o.unsqueeze(o.where(mask, g.scalar(0), -1e9), [1, 2]);
    const block = {
      heads: 1,
      dropout: cfg.dropout,
      inner: cfg.dim,
      activation: "relu",
      norm: "post",
    } as const;
    h = nn.transformerBlock(ctx, `bst.${field.name}`, h, bias, block);
  }
  const q = o.expandAs(slotEmb.pooled([findField(layout, field.vocabOf!)]), h); // [B, L, k]
  const unit = o.concat([h, q, o.sub(h, q), o.mul(h, q)], 2);
  const score = o.squeeze(
    nn.linear(ctx, `att.${field.name}.out`, mlp(ctx, `att.${field.name}`, unit, cfg.attentionHidden, 0), 1),
    [2],
  );
  const weights = o.softmax(o.where(mask, score, -1e9)); // [B, L]
  return o.squeeze(o.matmul(o.unsqueeze(weights, [1]), h), [1]); // [B, k]
}

/** The attended histories [B, k] each, as the "attended" part of the fused input. */
export function attendedPart(vectors: Tensor[]): FusionPart {
  return { name: "attended", vector: vectors.length === 1 ? vectors[0] : o.concat(vectors, 1) };
}
