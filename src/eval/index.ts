// Evaluation: full-ranking metrics with a streaming top-k, CTR metrics, metrics of re-ranked lists, and run
// reports.
export { auc, gauc, LOGLOSS_EPSILON, logLoss } from "./ctr.js";
export {
  assertValidEvalData,
  type CsrSequences,
  type EvalData,
  evalDataFromCsr,
  type HoldoutSplit,
  MIN_SEQUENCE_LENGTH,
} from "./eval-data.js";
export {
  evaluateFullRanking,
  type FullRankingOptions,
  FullRankingOptionsSchema,
  type FullRankingResult,
  type Scorer,
} from "./full-ranking.js";
export { listMetrics, pairedNdcgGain, rankAfterRerank } from "./list-metrics.js";
export {
  createMetric,
  higherIsBetter,
  METRIC_KINDS,
  METRICS,
  type Metric,
  type MetricContext,
  type MetricKind,
  type MetricNeed,
  metricKindOf,
  type RankedBatch,
} from "./metrics.js";
export { headItemMask, itemsByPopularity, type PopularityDeciles, popularityDeciles } from "./popularity.js";
export * from "./report/index.js";
export { TopK } from "./top-k.js";
