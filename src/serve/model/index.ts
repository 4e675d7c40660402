// The served model: the ServingModel interface, its popularity fallback, the on-disk artefact format
// (export from a trained SequenceRecommender, load with ONNX Runtime) and the versioned registry.
export { type ExportServingOptions, exportServingModel } from "./export.js";
export { type LoadModelOptions, loadServingModel, readManifest } from "./onnx-model.js";
export { ModelRegistry } from "./registry.js";
export {
  ENCODER_FILE,
  ITEM_VECTORS_FILE,
  ITEMS_TSV,
  MODEL_JSON,
  popularityModel,
  type ServingManifest,
  ServingManifestSchema,
  type ServingModel,
} from "./serving-model.js";
