// DeepFM (Guo et al., IJCAI'17): FM and an MLP over the same field embeddings, logits summed. The MLP reads
// the fused composite vector (fusion.ts: concat by default, or weighted-sum / gated parts).
import { z } from "zod";
import * as o from "../../graph/tensor-ops.js";
import { FusionConfigSchema, fuse } from "../fusion.js";
import { fmPairwise, linearTerm, logitHead, mlp, pooledFields, slotEmbeddings } from "../layers.js";
import { type CtrModelFactory, groupParts, singleTask } from "../ranker.js";

export const DeepFmConfigSchema = z.object({
  dim: z.number().int().positive().default(16),
  hidden: z.array(z.number().int().positive()).default([256, 128]),
  dropout: z.number().min(0).max(1).default(0.1),
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
    return {
      name: "deepfm",
      tasks: data.tasks,
      store,
      logits: (ctx, inp) => {
        const slotEmb = slotEmbeddings(ctx, "emb", layout, inp, cfg.dim);
        const v = pooledFields(ctx.g, layout, slotEmb, layout.fields);
        const composite = fuse(ctx, "fusion", groupParts(ctx, layout, slotEmb), cfg.fusion);
        const deep = logitHead(ctx, "head", mlp(ctx, "mlp", composite, cfg.hidden, cfg.dropout));
        return { [task]: o.add(o.add(linearTerm(ctx, layout, inp), fmPairwise(v)), deep) };
      },
    };
  },
};
