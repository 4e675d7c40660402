// Run reports: results.json, a self-contained HTML page per run, and comparisons across runs.
export {
  type ComparisonRow,
  type ComparisonTable,
  compareRuns,
  formatComparison,
  renderComparisonHtml,
} from "./compare-runs.js";
export { renderRunHtml, SELECTION_METRIC, writeRunReport } from "./run-report.js";
export {
  type EpochRecord,
  EpochRecordSchema,
  parseRunResult,
  REPORT_FILE,
  RESULTS_FILE,
  type RunResult,
  type RunResultInput,
  RunResultSchema,
  readRunResult,
} from "./run-result.js";
export { barChart, escapeHtml, lineChart } from "./svg.js";
