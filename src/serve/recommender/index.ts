// The service's recommendation engine: live state over src/retrieval, model bundles with hot swap,
// cached user vectors and hybrid search.
export { ModelBundle } from "./bundle.js";
export { contentVector, textNeighbourVector } from "./content-vectors.js";
export {
  type HybridHit,
  type HybridResult,
  type HybridSearchOptions,
  hybridSearch,
  type VectorLeg,
} from "./hybrid-search.js";
export {
  type RecommenderConfig,
  type RecommenderConfigInput,
  RecommenderConfigSchema,
  RecommenderService,
} from "./service.js";
export { buildTitleIndex, titleVector } from "./title-index.js";
export { UserVectorCache } from "./user-vectors.js";
