// Product search: BM25F over title/brand/category/attributes, Block-Max WAND top-k, prefix and typo expansion, filters.
export {
  FIELD_COUNT,
  SEARCH_FIELDS,
  type SearchDocument,
  type SearchField,
  type SearchIndexConfig,
  type SearchIndexConfigInput,
  SearchIndexConfigSchema,
} from "./config.js";
export {
  addDocument,
  createSearchIndex,
  documentCount,
  removeDocument,
  type SearchIndex,
  updateDocument,
  vacuum,
} from "./inverted-index.js";
export { loadIndex, saveIndex } from "./persist.js";
export type { MatchKind } from "./query-plan.js";
export { type SearchHit, type SearchResult, search, type TermMatch } from "./search.js";
export {
  type SearchFilters,
  SearchFiltersSchema,
  type SearchOptions,
  type SearchOptionsInput,
  SearchOptionsSchema,
} from "./search-options.js";
export * from "./tokenizers/index.js";
