// DCN-V2's cross network (Wang et al., WWW'21): each layer x_{l+1} = x0 ⊙ (W_l x_l + b_l) + x_l multiplies the
// input with a full-rank projection of the previous layer, so l layers build explicit feature crosses of degree
// l + 1 that an MLP only approximates. Composed from matmul / mul / add, so it needs no op of its own.
import type { BuildContext } from "../../graph/context.js";
import type { Tensor } from "../../graph/graph.js";
import * as nn from "../../graph/nn.js";
import * as o from "../../graph/tensor-ops.js";

/** `layers` cross layers over x0 [B, d]; the output has x0's shape (x0 itself when `layers` is 0). */
export function crossNetwork(ctx: BuildContext, name: string, x0: Tensor, layers: number): Tensor {
  let x = x0;
  for (let l = 0; l < layers; l++) {
    const d = x0.shape[x0.rank - 1] as number;
    x = o.add(o.mul(x0, nn.linear(ctx, `${name}.${l}`, x, d)), x);
  }
  return x;
}
