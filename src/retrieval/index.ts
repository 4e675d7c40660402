// Candidate retrieval and re-ranking for serving: ANN over item vectors (usearch HNSW, f32 or int8),
// co-visitation, popular/trending, business filters, MMR, and the multi-stage recommendation pipeline.
export {
  type BusinessFilters,
  BusinessFiltersSchema,
  businessFilter,
  cosine,
  dot,
  ItemCatalogue,
  type ItemMeta,
} from "./catalogue.js";
export {
  CoVisitation,
  type CoVisitationConfig,
  type CoVisitationConfigInput,
  CoVisitationConfigSchema,
  type Neighbour,
  type NeighbourList,
} from "./covisitation.js";
export { type Clock, DecayClock, systemClock } from "./decay.js";
export {
  type AnnSearch,
  type IndexHits,
  ItemIndex,
  type ItemIndexConfig,
  type ItemIndexConfigInput,
  ItemIndexConfigSchema,
} from "./item-index.js";
export { ItemVectors } from "./item-vectors.js";
export { mmr, type Scored } from "./mmr.js";
export {
  Popularity,
  type PopularityConfig,
  type PopularityConfigInput,
  PopularityConfigSchema,
  type PopularityKind,
  type RankedItems,
} from "./popularity.js";
export {
  BlendRankerConfigSchema,
  blendRanker,
  CANDIDATE_SOURCES,
  type Candidate,
  type CandidateSource,
  type RankContext,
  type Ranker,
  scoredRanker,
} from "./ranker.js";
export {
  type PipelineConfig,
  PipelineConfigSchema,
  type Reason,
  type Recommendation,
  type RecommenderState,
  type RecommendOptions,
  type RecommendOptionsInput,
  RecommendOptionsSchema,
  type RecommendResult,
  recommend,
} from "./recommend.js";
export { unitScale } from "./unit-scale.js";
