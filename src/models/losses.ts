// Next-item losses over the positions that have a target. Hidden states are gathered at those positions
// first, so the output layer (the largest matmul of a step) never runs on padding.
import type { Tensor } from "../graph/graph.js";
import * as o from "../graph/tensor-ops.js";

/** Rows of hidden [B, L, d] at flat positions (b·L + t) given by int64 `at` [M]. */
export function gatherPositions(hidden: Tensor, at: Tensor): Tensor {
  const d = hidden.shape[hidden.rank - 1] as number;
  return o.gather(o.reshape(hidden, [-1, d]), at);
}

/** Mean cross-entropy of softmax over the whole catalogue (every row of the item table, padding included). */
export function fullSoftmaxLoss(rows: Tensor, table: Tensor, targets: Tensor): Tensor {
  return o.mean(o.softmaxCrossEntropy(rows, table, targets));
}
