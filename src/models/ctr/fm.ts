// Factorization machine (Rendle, ICDM'10): first-order term plus Σ_{i<j} ⟨v_i, v_j⟩ over field embeddings,
// computed in O(F·k). Multi-valued fields enter as the mean of their ids' embeddings.
import { z } from "zod";
import * as o from "../../graph/tensor-ops.js";
import { fmPairwise, linearTerm, slotEmbeddings } from "./layers.js";
import { type CtrModelFactory, singleTask } from "./ranker.js";

export const FmConfigSchema = z.strictObject({
  dim: z.number().int().positive().default(16),
});
export type FmConfig = z.infer<typeof FmConfigSchema>;

export const fm: CtrModelFactory<FmConfig> = {
  name: "fm",
  configSchema: FmConfigSchema,
  multiTask: false,
  create: (cfg, data, store) => {
    const task = singleTask("fm", data.tasks);
    const { layout } = data;
    return {
      name: "fm",
      tasks: data.tasks,
      store,
      logits: (ctx, inp) => {
        const v = slotEmbeddings(ctx, "emb", layout, inp, cfg.dim).pooled(layout.fields);
        return { [task]: o.add(linearTerm(ctx, layout, inp, "linear", data.priors?.[task]), fmPairwise(v)) };
      },
    };
  },
};
