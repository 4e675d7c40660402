// DIN (Zhou et al., KDD'18) target attention over the behaviour sequence: each history field is pooled with
// weights from an MLP over [h, q, h − q, h ⊙ q], where q is the candidate's embedding in the same vocabulary
// (the item id for an item history, the category for a category history). `selfAttention` first runs one
// transformer block over the history, as BST (Chen et al., 2019) does. The attended vectors form the
// sequence part of the fused input; an MLP and the first-order term give the logit.
import { z } from "zod";
import type { BuildContext } from "../../graph/context.js";
import type { Tensor } from "../../graph/graph.js";
import * as nn from "../../graph/nn.js";
import * as o from "../../graph/tensor-ops.js";
import { SeqrankError } from "../../util/errors.js";
import { FusionConfigSchema, fuse } from "../fusion.js";
import { type CtrInputs, linearTerm, logitHead, mlp, pooledFields, slotEmbeddings } from "../layers.js";
import { type CtrModelFactory, groupParts, singleTask } from "../ranker.js";
import { type FieldSlots, findField, type SlotLayout } from "../slots.js";

export const DinConfigSchema = z.object({
  dim: z.number().int().positive().default(16),
  hidden: z.array(z.number().int().positive()).default([200, 80]),
  attentionHidden: z.array(z.number().int().positive()).default([36]),
  dropout: z.number().min(0).max(1).default(0.1),
  /** BST-style: one transformer block over the history before the target attention. */
  selfAttention: z.boolean().default(false),
  fusion: FusionConfigSchema.default({}),
});
export type DinConfig = z.infer<typeof DinConfigSchema>;

/** History fields the ranker attends over: multi-valued sequence fields that share a candidate's vocabulary. */
function attendedFields(layout: SlotLayout): FieldSlots[] {
  return layout.fields.filter((f) => f.group === "sequence" && f.kind === "multi" && f.vocabOf !== undefined);
}

function targetAttention(
  ctx: BuildContext,
  cfg: DinConfig,
  layout: SlotLayout,
  inp: CtrInputs,
  field: FieldSlots,
  slotEmb: Tensor,
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
  const q = o.expandAs(pooledFields(g, layout, slotEmb, [findField(layout, field.vocabOf!)]), h); // [B, L, k]
  const unit = o.concat([h, q, o.sub(h, q), o.mul(h, q)], 2);
  const score = o.squeeze(
    nn.linear(ctx, `att.${field.name}.out`, mlp(ctx, `att.${field.name}`, unit, cfg.attentionHidden, 0), 1),
    [2],
  );
  const weights = o.softmax(o.where(mask, score, -1e9)); // [B, L]
  return o.squeeze(o.matmul(o.unsqueeze(weights, [1]), h), [1]); // [B, k]
}

export const din: CtrModelFactory<DinConfig> = {
  name: "din",
  configSchema: DinConfigSchema,
  multiTask: false,
  create: (cfg, data, store) => {
    const task = singleTask("din", data.tasks);
    const { layout } = data;
    const attended = attendedFields(layout);
    if (!attended.length) {
      throw new SeqrankError(
        "SR_ERR_CTR_MODEL",
        "din needs a sequence field that shares a candidate field's ids",
      );
    }
    return {
      name: "din",
      tasks: data.tasks,
      store,
      logits: (ctx, inp) => {
        const slotEmb = slotEmbeddings(ctx, "emb", layout, inp, cfg.dim);
        const parts = groupParts(ctx, layout, slotEmb, (f) => attended.includes(f));
        const seq = attended.map((f) => targetAttention(ctx, cfg, layout, inp, f, slotEmb));
        parts.unshift({ name: "attended", vector: seq.length === 1 ? seq[0] : o.concat(seq, 1) });
        const composite = fuse(ctx, "fusion", parts, cfg.fusion);
        const deep = logitHead(ctx, "head", mlp(ctx, "mlp", composite, cfg.hidden, cfg.dropout));
        return { [task]: o.add(linearTerm(ctx, layout, inp), deep) };
      },
    };
  },
};
