// The CTR rankers' interface and building blocks: field embeddings, FM's pairwise term, the cross network
// and fusion of feature groups. The rankers themselves (LR, FM, DeepFM, hybrid MF, DIN/BST, shared-bottom and
// MMoE multi-task) are built by name from the one model table, ../registry.ts.
export { crossNetwork } from "./cross.js";
export { type FusionConfig, FusionConfigSchema, type FusionPart, fuse } from "./fusion.js";
export { type CtrInputs, ctrInputs, fmPairwise, fmPairwiseNaive } from "./layers.js";
export type { CtrModelFactory, CtrRanker, PairwiseLoss, RankerData } from "./ranker.js";
