// CTR data: the raw row tables and their train / valid / test parts, the readers of the shared CTR datasets
// (movielens-1m, the taobao sample, DeepCTR's samples), feature encoding and the rankers' slot inputs.
export * from "./ctr-data.js";
export { CTR_SAMPLES, type CtrSample, readCtrSample, splitCsvLine } from "./ctr-samples.js";
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
  readMovielens1mCtr,
} from "./movielens.js";
export { type FieldSlots, fillSlots, type SlotLayout, slotFeeds, slotLayout } from "./slots.js";
export { readTaobaoCtr, type TaobaoCtrOptions, TaobaoCtrOptionsSchema } from "./taobao.js";
