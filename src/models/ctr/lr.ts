// Logistic regression: the first-order term over every slot (one weight per feature id).
import { z } from "zod";
import { linearTerm } from "./layers.js";
import { type CtrModelFactory, singleTask } from "./ranker.js";

export const LrConfigSchema = z.strictObject({});
export type LrConfig = z.infer<typeof LrConfigSchema>;

export const lr: CtrModelFactory<LrConfig> = {
  name: "lr",
  configSchema: LrConfigSchema,
  multiTask: false,
  create: (_cfg, data, store) => {
    const task = singleTask("lr", data.tasks);
    return {
      name: "lr",
      tasks: data.tasks,
      store,
      logits: (ctx, inp) => ({ [task]: linearTerm(ctx, data.layout, inp, "linear", data.priors?.[task]) }),
    };
  },
};
