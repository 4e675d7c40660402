// What training hands to serving, in one place below both: the ServingModel interface, its popularity
// fallback, the on-disk artefact format (export from a trained SequenceRecommender, manifest with checksums,
// load with ONNX Runtime) and the versioned registry.
export { recordArtefacts, verifyArtefacts } from "./artefacts.js";
export { datasetPopModel } from "./baseline-model.js";
export { type ExportServingOptions, exportServingModel } from "./export.js";
export { exportRunVersion } from "./export-run.js";
export { datasetInteractions, type Interactions } from "./interactions.js";
export {
  loadRegistryVersion,
  type ModelSource,
  type OpenedModel,
  openModelSource,
  RUN_VERSION,
  resolveModelSource,
} from "./model-source.js";
export { type LoadModelOptions, loadServingModel, readManifest } from "./onnx-model.js";
export { attachRanker, isRerankRun } from "./ranker-model.js";
export { ModelRegistry } from "./registry.js";
export {
  ENCODER_FILE,
  type EncoderInput,
  type HistoryEvents,
  ITEM_VECTORS_FILE,
  ITEMS_TSV,
  type LearnedRanker,
  MODEL_JSON,
  popularityModel,
  type ServingManifest,
  ServingManifestSchema,
  type ServingModel,
} from "./serving-model.js";
