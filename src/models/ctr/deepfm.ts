// DeepFM (Guo et al., IJCAI'17): FM and an MLP over the same field embeddings, logits summed. The MLP reads
// the fused composite vector (fusion.ts: concat by default, or weighted-sum / gated parts). History fields
// enter as the mean of their items, or (`history: "attention"`) pooled by DIN's target attention, in both
// the FM and the MLP. With `cross` > 0 the deep part is DCN-V2's parallel structure: a cross network
// (cross.ts) beside the MLP over the same composite vector, both feeding the deep logit.
import { z } from "zod";
import * as o from "../../graph/tensor-ops.js";
import { attendedFields, attendedPart, TargetAttentionConfigSchema, targetAttention } from "./attention.js";
import { crossNetwork } from "./cross.js";
import { FusionConfigSchema, fuse } from "./fusion.js";
import { fmPairwise, linearTerm, logitHead, mlp, slotEmbeddings } from "./layers.js";
import { type CtrModelFactory, groupParts, singleTask } from "./ranker.js";

export const DeepFmConfigSchema = TargetAttentionConfigSchema.extend({
  dim: z.number().int().positive().default(16),
  hidden: z.array(z.number().int().positive()).default([256, 128]),
  dropout: z.number().min(0).max(1).default(0.1),
  /** DCN-V2 cross layers beside the MLP (0 = plain DeepFM). */
  cross: z.number().int().min(0).default(0),
  history: z.enum(["mean", "attention"]).default("mean"),
  fusion: FusionConfigSchema.default({}),
});
export type DeepFmConfig = z.infer<typeof DeepFmConfigSchema>;

export const deepfm: CtrModelFactory<DeepFmConfig> = {
  name: "deepfm",
  configSchema: DeepFmConfigSchema,
  multiTask: false,
  create: (cfg, data, store) => {
    const task = singleTask("deepfm", data.tasks);
    const { layout } = data;
    const attended = cfg.history === "attention" ? attendedFields(layout) : [];
    const pooled = layout.fields.filter((f) => !attended.includes(f));
    return {
      name: "deepfm",
      tasks: data.tasks,
      store,
      logits: (ctx, inp) => {
        const slotEmb = slotEmbeddings(ctx, "emb", layout, inp, cfg.dim);
        const seq = attended.map((f) => targetAttention(ctx, cfg, layout, inp, f, slotEmb)); // [B, k] each
        const fields = slotEmb.pooled(pooled); // [B, F, k]
        const v = seq.length ? o.concat([fields, ...seq.map((s) => o.unsqueeze(s, [1]))], 1) : fields;
        const parts = groupParts(layout, slotEmb, (f) => attended.includes(f));
        if (seq.length) parts.unshift(attendedPart(seq));
        const composite = fuse(ctx, "fusion", parts, cfg.fusion);
        const hidden = mlp(ctx, "mlp", composite, cfg.hidden, cfg.dropout);
        const deep = logitHead(
          ctx,
          "head",
          cfg.cross ? o.concat([crossNetwork(ctx, "cross", composite, cfg.cross), hidden], 1) : hidden,
        );
        return {
          [task]: o.add(
            o.add(linearTerm(ctx, layout, inp, "linear", data.priors?.[task]), fmPairwise(v)),
            deep,
          ),
        };
      },
    };
  },
};
