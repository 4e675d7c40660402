// Public API of the models: the interface, every model factory, and the registry used by the CLI.
export { createPop, fitItemKnn } from "./baselines/index.js";
export { bert4rec } from "./bert4rec.js";
export { bprmf } from "./bprmf.js";
export { gru4rec } from "./gru4rec.js";
export { LossConfigSchema } from "./losses.js";
export type { ModelData, ModelFactory, SequenceRecommender, TrainGraph } from "./model.js";
export { BASELINE_MODELS, NEURAL_MODELS } from "./registry.js";
export { SasrecConfigSchema, sasrec } from "./sasrec.js";
export { SegmentConfigSchema } from "./segments.js";
