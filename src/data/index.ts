// Public API of the data stage: ingest + cleaning (stage 1) and filters, splits, vocabularies,
// features and the binary cache (stage 2), and the CTR rankers' row data (ctr). See prepared.ts for the shape
// of a prepared dataset.
export {
  type BuildOptions,
  BuildOptionsSchema,
  type BuildProgress,
  type BuildResult,
  buildDataset,
} from "./build.js";
export { loadDataset } from "./cache.js";
export * as ctr from "./ctr/index.js";
export { type OpenDuckDB, type OpenOptions, openDuckDB } from "./db.js";
export { type BuiltItemFeatures, buildItemFeatures, type ItemRecord } from "./features.js";
export { FILTERED_COUNTS_FILE, FILTERED_FILE, type FilteredOutput } from "./filtered.js";
export {
  type IngestOptions,
  type IngestProgress,
  type IngestResult,
  ingest,
  type SourceSummary,
} from "./ingest.js";
export { type KCoreResult, type KCoreThresholds, kCore } from "./kcore.js";
export type {
  Csr,
  DatasetMeta,
  DatasetSplit,
  ItemFeatures,
  PreparedDataset,
  RuleCount,
  SplitKind,
} from "./prepared.js";
export { defaultDatasetsDir, PRESETS, presetSpec } from "./presets.js";
export { BOTS_FILE, QUARANTINE_FILE } from "./quarantine.js";
export {
  CATEGORY_SEPARATOR,
  type EventRow,
  EventRowSchema,
  type ItemRow,
  ItemRowSchema,
  type UserRow,
  UserRowSchema,
} from "./schema.js";
export { assignSessions } from "./session.js";
export {
  CleaningSchema,
  ColumnMapSchema,
  type IngestSpec,
  type IngestSpecInput,
  IngestSpecSchema,
  parseIngestSpec,
  type SourceInput,
  SourceSchema,
} from "./source.js";
export {
  type EvalTargets,
  evalTargets,
  historyBefore,
  partBounds,
  type SplitOptions,
  SplitSchema,
} from "./split.js";
export {
  type SynthFiles,
  type SynthOptions,
  SynthOptionsSchema,
  writeSynth,
} from "./synth.js";
export { tokenize, tokenizeChinese, tokenizeEnglish } from "./text.js";
export { readVocabTsv, Vocab, writeVocabTsv } from "./vocab.js";
