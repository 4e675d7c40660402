// Public API of the data stage: ingest + cleaning (stage 1) and filters, splits, vocabularies,
// features and the binary cache (stage 2). See prepared.ts for the shape of a prepared dataset.
export { type BuildOptions, BuildOptionsSchema, type BuildProgress, type BuildResult, buildDataset } from "./build.js";
export { loadDataset } from "./cache.js";
export { type BuiltItemFeatures, type ItemRecord, buildItemFeatures } from "./features.js";
export { type KCoreResult, type KCoreThresholds, kCore } from "./kcore.js";
export type { Csr, DatasetMeta, DatasetSplit, ItemFeatures, PreparedDataset, RuleCount, SplitKind } from "./prepared.js";
export { assignSessions } from "./session.js";
export { type EvalTargets, type SplitOptions, SplitSchema, evalTargets, historyBefore, partBounds } from "./split.js";
export { tokenize, tokenizeChinese, tokenizeEnglish } from "./text.js";
export { Vocab, readVocabTsv, writeVocabTsv } from "./vocab.js";
