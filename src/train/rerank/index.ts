// Re-ranking a frozen sequence model's candidates with a CTR ranker over fused features (the user and item
// vectors of the sequence model, item features, history signals), trained listwise on validation targets.
export { listMetrics, pairedNdcgGain, rankAfterRerank } from "../../eval/list-metrics.js";
export { type CandidateSet, type FrozenRetriever, frozenRetriever } from "./candidates.js";
export {
  type FitRerankConfig,
  FitRerankConfigSchema,
  type FitRerankHooks,
  type FitRerankResult,
  fitRerank,
  type RerankEpoch,
} from "./fit-rerank.js";
export { HistorySignals, SIGNALS, type SignalName } from "./history-signals.js";
export { type QueryBlock, type RerankTable, rerankTable } from "./rerank-table.js";
export {
  type RerankRetrieval,
  type RerankRun,
  type RerankRunConfig,
  type RerankSummary,
  type RunRerankOptions,
  runRerank,
} from "./run-rerank.js";
