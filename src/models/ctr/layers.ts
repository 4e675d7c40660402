// Graph pieces shared by the rankers: slot inputs, the shared embedding table, field pooling, the first-order
// (linear) term, the factorisation-machine pairwise term, MLPs and the binary cross-entropy.
import { type FieldSlots, fieldPooling, type SlotLayout } from "../../data/ctr/slots.js";
import type { BuildContext } from "../../graph/context.js";
import type { Graph, Tensor } from "../../graph/graph.js";
import * as nn from "../../graph/nn.js";
import * as o from "../../graph/tensor-ops.js";
import { logSigmoid } from "../losses.js";

export interface CtrInputs {
  /** [B, S] int64 global feature ids. */
  ids: Tensor;
  /** [B, S] slot weights. */
  weights: Tensor;
}

export function ctrInputs(g: Graph, layout: SlotLayout, prefix = ""): CtrInputs {
  return {
    ids: g.input(`${prefix}ids`, "int64", ["batch", layout.slots]),
    weights: g.input(`${prefix}weights`, g.floatType, ["batch", layout.slots]),
  };
}

/** Weighted slot embeddings [B, S, k] from the shared table `name` [tableRows, k] (row 0 = padding). */
export function slotEmbeddings(
  ctx: BuildContext,
  name: string,
  layout: SlotLayout,
  inp: CtrInputs,
  k: number,
): Tensor {
  const table = nn.embeddingTable(ctx, name, layout.tableRows, k);
  return o.mul(o.gather(table, inp.ids), o.unsqueeze(inp.weights, [2]));
}

/** Field embeddings [B, F, k] of the given fields: each the weighted sum of its slots' embeddings. */
export function pooledFields(g: Graph, layout: SlotLayout, slotEmb: Tensor, fields: FieldSlots[]): Tensor {
  const pool = g.constant(fieldPooling(layout, fields), [fields.length, layout.slots]);
  return o.matmul(pool, slotEmb);
}

/**
 * First-order term Σ_s w[id_s]·weight_s + b, shape [B]. `prior` starts b at the training base rate's log-odds,
 * so the first steps do not spend their gradient (through every shared embedding) on learning the base rate.
 */
export function linearTerm(
  ctx: BuildContext,
  layout: SlotLayout,
  inp: CtrInputs,
  name = "linear",
  prior = 0,
): Tensor {
  const w = nn.embeddingTable(ctx, `${name}.w`, layout.tableRows, 1);
  const perSlot = o.squeeze(o.gather(w, inp.ids), [2]);
  const b = ctx.param(`${name}.b`, [1], () => Float32Array.of(prior));
  return o.add(o.sum(o.mul(perSlot, inp.weights), { axes: [1] }), b);
}

/**
 * Σ_{i<j} ⟨v_i, v_j⟩ over the fields of v [B, F, k] in O(F·k): ½ Σ_k ((Σ_i v_ik)² − Σ_i v_ik²). Shape [B].
 */
export function fmPairwise(v: Tensor): Tensor {
  const sumSq = o.pow(o.sum(v, { axes: [1] }), 2);
  const sqSum = o.sum(o.mul(v, v), { axes: [1] });
  return o.mul(o.sum(o.sub(sumSq, sqSum), { axes: [1] }), 0.5);
}

/** The naive O(F²·k) pairwise sum, the reference fmPairwise is tested against. */
export function fmPairwiseNaive(v: Tensor): Tensor {
  const f = v.shape[1] as number;
  let total: Tensor | undefined;
  for (let i = 0; i < f; i++) {
    const vi = o.slice(v, { axes: [1], starts: [i], ends: [i + 1] });
    for (let j = i + 1; j < f; j++) {
      const vj = o.slice(v, { axes: [1], starts: [j], ends: [j + 1] });
      const dot = o.sum(o.mul(vi, vj), { axes: [1, 2] });
      total = total ? o.add(total, dot) : dot;
    }
  }
  return total!;
}

/** ReLU MLP with dropout after each hidden layer. */
export function mlp(ctx: BuildContext, name: string, x: Tensor, hidden: number[], dropout: number): Tensor {
  hidden.forEach((h, i) => {
    x = nn.dropout(ctx, o.relu(nn.linear(ctx, `${name}.${i}`, x, h)), dropout);
  });
  return x;
}

/** A logit [B] from a vector [B, n]. */
export function logitHead(ctx: BuildContext, name: string, x: Tensor): Tensor {
  return o.squeeze(nn.linear(ctx, name, x, 1), [1]);
}

/** Mean binary cross-entropy of logits against 0/1 labels, via the stable log-sigmoid. */
export function bceWithLogits(logit: Tensor, label: Tensor): Tensor {
  const pos = o.mul(logSigmoid(logit), label);
  const neg = o.mul(logSigmoid(o.neg(logit)), o.sub(1, label));
  return o.neg(o.mean(o.add(pos, neg)));
}

/** Flattens [B, F, k] to [B, F·k]. */
export function flatten(x: Tensor): Tensor {
  return o.reshape(x, [0, (x.shape[1] as number) * (x.shape[2] as number)]);
}
