// Public API of training: the library verbs that train one run each (runNextItem, runCtr, runRerank: a config
// in, a run directory out, resumable), fit, the epoch loop every task trains through, hyperparameter search,
// incremental training and the data they read; training CTR rankers (ctr) and re-rankers over a sequence
// model's candidates (rerank).
export { AugmentSchema } from "./augment.js";
export * as ctr from "./ctr/index.js";
export { type CtrRunSummary, type RunCtrOptions, runCtr } from "./ctr/run-ctr.js";
export {
  type EpochLoopConfig,
  type EpochLoopHooks,
  type EpochLoopResult,
  type EpochTask,
  type LoopEpoch,
  type LoopProgress,
  type LoopResume,
  runEpochs,
} from "./epoch-loop.js";
export { compileScorer, evaluateModel, type FitConfig, FitConfigSchema, type FitResult, fit } from "./fit.js";
export { continuationData, growFromCheckpoint, snapshotBefore } from "./incremental.js";
export * as rerank from "./rerank/index.js";
export { type RerankRun, type RerankRunConfig, runRerank } from "./rerank/run-rerank.js";
export { type NextItemRunConfig, runNextItem } from "./run.js";
export { loadRun } from "./run-dir.js";
export { ScheduleSchema } from "./schedule.js";
export { modelDataOf, type TrainData, trainDataFrom } from "./train-data.js";
export { SearchSpaceSchema, tune } from "./tune.js";
