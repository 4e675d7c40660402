// CTR data: the raw row tables and their train / valid / test parts, CTR tables prepared through the DuckDB
// stage (a "ctr" config section; the built-in movielens-1m and taobao protocols are such configs), the reader
// of DeepCTR's samples, feature encoding and the rankers' slot inputs.
export { type BuildCtrResult, buildCtrTable } from "./build-ctr.js";
export { CTR_BIN, CTR_JSON, type CtrTableMeta, type LoadedCtrTable, readCtrTable } from "./ctr-cache.js";
export * from "./ctr-data.js";
export { CTR_PRESETS, type CtrPresetOptions, ctrPresetSpec } from "./ctr-presets.js";
export { CTR_SAMPLES, type CtrSample, readCtrSample, splitCsvLine } from "./ctr-samples.js";
export {
  type CtrFeature,
  type CtrHistory,
  type CtrSpec,
  type CtrSpecInput,
  CtrSpecSchema,
  type LabelRule,
} from "./ctr-spec.js";
export {
  type CtrTable,
  type EncodedField,
  encodeCtrData,
  type FeatureConfig,
  FeatureConfigSchema,
  hashString,
} from "./features.js";
export { CTR_DATASETS, type LoadCtrOptions, loadCtrDataset } from "./load.js";
export {
  type MovielensCtrOptions,
  MovielensCtrOptionsSchema,
  movielens1mCtrSpec,
} from "./movielens.js";
export { type PrepareCtrOptions, type PrepareCtrResult, prepareCtr } from "./prepare-ctr.js";
export { type FieldSlots, fillSlots, type SlotLayout, slotFeeds, slotLayout } from "./slots.js";
export { type TaobaoCtrOptions, TaobaoCtrOptionsSchema, taobaoCtrSpec } from "./taobao.js";
