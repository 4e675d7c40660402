// Public API of the data stage: ingest + cleaning (stage 1) and filters, splits, vocabularies,
// features and the binary cache (stage 2). See prepared.ts for the shape of a prepared dataset.
export {
  type BuildOptions,
  BuildOptionsSchema,
  type BuildProgress,
  type BuildResult,
  buildDataset,
} from "./build.js";
export { loadDataset } from "./cache.js";
export { type BuiltItemFeatures, buildItemFeatures, type ItemRecord } from "./features.js";
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
export { assignSessions } from "./session.js";
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
