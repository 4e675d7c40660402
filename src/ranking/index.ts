// Ranking: CTR data and features, fusion, the rankers (LR, FM, DeepFM, hybrid MF, DIN/BST, shared-bottom and
// MMoE multi-task) and their training loop with AUC / GAUC / LogLoss; re-ranking a sequence model's
// candidates (rerank/).

export { crossNetwork } from "./cross.js";
export * from "./ctr-data.js";
export { CTR_SAMPLES, type CtrSample, readCtrSample, splitCsvLine } from "./datasets/ctr-samples.js";
export { CTR_DATASETS, type LoadCtrOptions, loadCtrDataset } from "./datasets/load.js";
export {
  type MovielensCtrOptions,
  MovielensCtrOptionsSchema,
  readMovielens1mCtr,
} from "./datasets/movielens.js";
export { readTaobaoCtr, type TaobaoCtrOptions, TaobaoCtrOptionsSchema } from "./datasets/taobao.js";
export {
  type CtrTable,
  type EncodedField,
  encodeCtrData,
  type FeatureConfig,
  FeatureConfigSchema,
  hashString,
} from "./features.js";
export {
  type CtrEpoch,
  type CtrFitResult,
  ctrMetrics,
  exportRankerOnnx,
  type FitCtrConfig,
  FitCtrConfigSchema,
  type FitCtrHooks,
  fitCtr,
  predict,
  scoreOutputs,
  type TaskMetrics,
} from "./fit-ctr.js";
export { type FusionConfig, FusionConfigSchema, type FusionPart, fuse } from "./fusion.js";
export { type CtrInputs, ctrInputs, fmPairwise, fmPairwiseNaive } from "./layers.js";
export type { CtrModelFactory, CtrRanker, PairwiseLoss, RankerData } from "./ranker.js";
export { CTR_MODELS, createRanker } from "./registry.js";
export * as rerank from "./rerank/index.js";
export { type CtrRunSummary, flatMetrics, type RunCtrOptions, runCtr } from "./run-ctr.js";
export { type FieldSlots, fillSlots, type SlotLayout, slotFeeds, slotLayout } from "./slots.js";
