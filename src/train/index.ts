// Public API of training: fit, hyperparameter search, incremental training and the data they read; training
// CTR rankers (ctr) and re-rankers over a sequence model's candidates (rerank).
export { AugmentSchema } from "./augment.js";
export * as ctr from "./ctr/index.js";
export { compileScorer, evaluateModel, type FitConfig, FitConfigSchema, type FitResult, fit } from "./fit.js";
export { continuationData, growFromCheckpoint, snapshotBefore } from "./incremental.js";
export * as rerank from "./rerank/index.js";
export { type NextItemRunConfig, runNextItem } from "./run.js";
export { loadRun } from "./run-dir.js";
export { ScheduleSchema } from "./schedule.js";
export { modelDataOf, type TrainData, trainDataFrom } from "./train-data.js";
export { SearchSpaceSchema, tune } from "./tune.js";
