// The models `seqrank train --model …` can build, by name. Non-neural baselines (pop, itemknn) are fitted
// directly by the train command; everything here trains through src/train/fit.ts.
import type { ModelFactory } from "./model.js";
import { sasrec } from "./sasrec.js";

export const NEURAL_MODELS: Record<string, ModelFactory<unknown>> = {
  sasrec: sasrec as ModelFactory<unknown>,
};
export const BASELINE_MODELS = ["pop", "itemknn"] as const;
