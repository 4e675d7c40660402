// The `ranking` namespace of the public API (and the `seqrank/ranking` subpath), under the names it always
// had: CTR data and features (src/data/ctr), the rankers (src/models/ctr, built by name from the model table
// in src/models/registry.ts: LR, FM, DeepFM, hybrid MF, DIN/BST, shared-bottom and MMoE multi-task), their
// training loop with AUC / GAUC / LogLoss (src/train/ctr), and re-ranking a sequence model's candidates
// (`rerank`, src/train/rerank).
export * from "./data/ctr/index.js";
export * from "./models/ctr/index.js";
export { CTR_MODELS, createRanker } from "./models/registry.js";
export * from "./train/ctr/index.js";
export * as rerank from "./train/rerank/index.js";
