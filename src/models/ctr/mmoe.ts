// Multi-task rankers over the fused field embeddings: a shared bottom MLP with one tower per task, or MMoE
// (Ma et al., KDD'18): expert MLPs mixed per task by a softmax gate, then one tower per task. Each task also
// has its own first-order term (the wide part), which the deep towers refine.
import { z } from "zod";
import type { Tensor } from "../../graph/graph.js";
import * as nn from "../../graph/nn.js";
import * as o from "../../graph/tensor-ops.js";
import { FusionConfigSchema, fuse } from "./fusion.js";
import { linearTerm, logitHead, mlp, slotEmbeddings } from "./layers.js";
import { type CtrModelFactory, groupParts } from "./ranker.js";

export const MmoeConfigSchema = z.strictObject({
  bottom: z.enum(["mmoe", "shared"]).default("mmoe"),
  dim: z.number().int().positive().default(16),
  experts: z.number().int().positive().default(4),
  /** Each expert's MLP (mmoe) or the shared bottom (shared). */
  expertHidden: z.array(z.number().int().positive()).default([128, 64]),
  towerHidden: z.array(z.number().int().positive()).default([32]),
  dropout: z.number().min(0).max(1).default(0.1),
  fusion: FusionConfigSchema.default({}),
});
export type MmoeConfig = z.infer<typeof MmoeConfigSchema>;

export const mmoe: CtrModelFactory<MmoeConfig> = {
  name: "mmoe",
  configSchema: MmoeConfigSchema,
  multiTask: true,
  create: (cfg, data, store) => {
    const { layout, tasks } = data;
    return {
      name: cfg.bottom === "mmoe" ? "mmoe" : "shared-bottom",
      tasks,
      store,
      logits: (ctx, inp) => {
        const slotEmb = slotEmbeddings(ctx, "emb", layout, inp, cfg.dim);
        const x = fuse(ctx, "fusion", groupParts(layout, slotEmb), cfg.fusion);
        const out: Record<string, Tensor> = {};
        const head = (t: string, h: Tensor) =>
          o.add(
            logitHead(ctx, `${t}.head`, mlp(ctx, `${t}.tower`, h, cfg.towerHidden, cfg.dropout)),
            linearTerm(ctx, layout, inp, `${t}.linear`, data.priors?.[t]),
          );
        if (cfg.bottom === "shared") {
          const shared = mlp(ctx, "bottom", x, cfg.expertHidden, cfg.dropout);
          for (const t of tasks) out[t] = head(t, shared);
          return out;
        }
        const experts = Array.from({ length: cfg.experts }, (_, e) =>
          o.unsqueeze(mlp(ctx, `expert${e}`, x, cfg.expertHidden, cfg.dropout), [1]),
        );
        const stacked = o.concat(experts, 1); // [B, E, h]
        for (const t of tasks) {
          const gate = o.softmax(nn.linear(ctx, `${t}.gate`, x, cfg.experts)); // [B, E]
          const mixed = o.squeeze(o.matmul(o.unsqueeze(gate, [1]), stacked), [1]);
          out[t] = head(t, mixed);
        }
        return out;
      },
    };
  },
};
