// The shape every dot-product next-item model's score graph ends in: MatMul(user [B, d], Transpose(items
// [nItems + 1, d])). Splitting it there gives the user encoder and the item table, which is what serving
// (src/artifact/export.ts) and re-ranking's frozen retriever (src/train/rerank/candidates.ts) both need.
import type { Tensor } from "../graph/graph.js";
import { SeqrankError } from "../util/errors.js";

/** The user rows [B, d] and the item table [nItems + 1, d] whose product a dot-product score graph ends in. */
export function splitScoreGraph(scores: Tensor): { user: Tensor; table: Tensor } {
  const node = scores.node;
  const right = node.inputs[1]?.node;
  if (node.op !== "MatMul" || right?.op !== "Transpose") {
    throw new SeqrankError(
      "SR_ERR_MODEL_EXPORT",
      `score graph does not end in MatMul(user, Transpose(items)) (found ${node.op}); cannot split it`,
    );
  }
  return { user: node.inputs[0], table: right.inputs[0] };
}
