// Public API of the models: the interface, every model factory, the CTR rankers (ctr), and the registry used
// by the CLI.
export { createPop, fitItemKnn } from "./baselines/index.js";
export { bert4rec } from "./bert4rec.js";
export { bprmf } from "./bprmf.js";
export * as ctr from "./ctr/index.js";
export { gru4rec } from "./gru4rec.js";
export { LossConfigSchema } from "./losses.js";
export type { ModelData, ModelFactory, SequenceRecommender, TrainGraph } from "./model.js";
export {
  BASELINE_MODELS,
  CTR_MODELS,
  createRanker,
  MODELS,
  type ModelEntry,
  type ModelTask,
  modelNames,
  NEURAL_MODELS,
} from "./registry.js";
export { SasrecConfigSchema, sasrec } from "./sasrec.js";
export { SegmentConfigSchema } from "./segments.js";
