// DIN (Zhou et al., KDD'18): each history field pooled by target attention (attention.ts; BST with
// `selfAttention`). The attended vectors form the sequence part of the fused input; an MLP and the
// first-order term give the logit.
import { z } from "zod";
import * as o from "../../graph/tensor-ops.js";
import { SeqrankError } from "../../util/errors.js";
import { attendedFields, attendedPart, TargetAttentionConfigSchema, targetAttention } from "./attention.js";
import { FusionConfigSchema, fuse } from "./fusion.js";
import { linearTerm, logitHead, mlp, slotEmbeddings } from "./layers.js";
import { type CtrModelFactory, groupParts, singleTask } from "./ranker.js";

export const DinConfigSchema = TargetAttentionConfigSchema.extend({
  dim: z.number().int().positive().default(16),
  hidden: z.array(z.number().int().positive()).default([200, 80]),
  dropout: z.number().min(0).max(1).default(0.1),
  fusion: FusionConfigSchema.default({}),
});
export type DinConfig = z.infer<typeof DinConfigSchema>;

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
        const parts = groupParts(layout, slotEmb, (f) => attended.includes(f));
        const seq = attended.map((f) => targetAttention(ctx, cfg, layout, inp, f, slotEmb));
        parts.unshift(attendedPart(seq));
        const composite = fuse(ctx, "fusion", parts, cfg.fusion);
        const deep = logitHead(ctx, "head", mlp(ctx, "mlp", composite, cfg.hidden, cfg.dropout));
        return { [task]: o.add(linearTerm(ctx, layout, inp, "linear", data.priors?.[task]), deep) };
      },
    };
  },
};
