// A tied output layer with a per-item bias, in the form the fused loss takes: rows·tableᵀ + bias equals
// [rows, 1]·[table, bias]ᵀ, so a constant-1 column on the rows and the bias as an extra column of the table
// feed softmaxCrossEntropy (and a plain matmul for scoring) unchanged; gradients reach the bias through Concat.
import type { BuildContext } from "../graph/context.js";
import type { Tensor } from "../graph/graph.js";
import { zeros } from "../graph/init.js";
import * as o from "../graph/tensor-ops.js";

export interface BiasedOutput {
  /** [M, d + 1]: the rows with a constant-1 column. */
  rows: Tensor;
  /** [N, d + 1]: the table with the bias column. */
  table: Tensor;
}

/** `rows` [M, d] against `table` [N, d] with a learned bias `name` [N, 1] (initialised to 0). */
export function withOutputBias(ctx: BuildContext, name: string, rows: Tensor, table: Tensor): BiasedOutput {
  const bias = ctx.param(name, [table.shape[0] as number, 1], zeros);
  const ones = o.expandAs(rows.graph.scalar(1), o.slice(rows, { axes: [1], starts: [0], ends: [1] }));
  return { rows: o.concat([rows, ones], 1), table: o.concat([table, bias], 1) };
}
