// The models `seqrank train --model …` can build, by name. Non-neural baselines (pop, itemknn) are fitted
// directly by the train command; everything here trains through src/train/fit.ts.
import { bert4rec } from "./bert4rec.js";
import { bprmf } from "./bprmf.js";
import { gru4rec } from "./gru4rec.js";
import type { ModelFactory } from "./model.js";
import { sasrec } from "./sasrec.js";

export const NEURAL_MODELS: Record<string, ModelFactory<unknown>> = {
  sasrec: sasrec as ModelFactory<unknown>,
  bert4rec: bert4rec as ModelFactory<unknown>,
  gru4rec: gru4rec as ModelFactory<unknown>,
  bprmf: bprmf as ModelFactory<unknown>,
};
export const BASELINE_MODELS = ["pop", "itemknn"] as const;
