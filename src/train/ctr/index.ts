// Training a CTR ranker: the loop with AUC / GAUC / LogLoss per task, its ONNX export, and runCtr (a dataset
// in, a run directory out), the library verb behind `seqrank train --task ctr`.
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
export { type CtrRunSummary, flatMetrics, type RunCtrOptions, runCtr } from "./run-ctr.js";
