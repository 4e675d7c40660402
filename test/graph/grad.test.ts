import assert from "node:assert/strict";
import { test } from "node:test";
import { BuildContext } from "../../src/graph/context.js";
import type { Graph, Tensor } from "../../src/graph/graph.js";
import * as nn from "../../src/graph/nn.js";
import { PRIM_OPS } from "../../src/graph/ops.js";
import { ParamStore } from "../../src/graph/param-store.js";
import { tensor } from "../../src/graph/session.js";
import * as o from "../../src/graph/tensor-ops.js";
import { checkGrad, type GradCase } from "./check-grad.js";

const idx = (g: Graph, name: string, values: number[], shape: number[]) => ({
  tensor: g.input(name, "int64", shape),
  feed: tensor(BigInt64Array.from(values.map(BigInt)), shape),
});

/** Gradient cases, one or more per differentiable primitive and per building block. */
const CASES: Record<string, GradCase> = {
  neg: { params: [[3, 4]], build: (_g, [a]) => o.neg(a) },
  exp: { params: [[3, 4]], build: (_g, [a]) => o.exp(a) },
  log: { params: [[3, 4]], positive: true, build: (_g, [a]) => o.log(a) },
  sqrt: { params: [[3, 4]], positive: true, build: (_g, [a]) => o.sqrt(a) },
  tanh: { params: [[3, 4]], build: (_g, [a]) => o.tanh(a) },
  sigmoid: { params: [[3, 4]], build: (_g, [a]) => o.sigmoid(a) },
  relu: { params: [[3, 4]], build: (_g, [a]) => o.relu(a) },
  gelu: { params: [[3, 4]], build: (_g, [a]) => nn.gelu(a) },
  // Through float32 precision: a wider step, and the function is linear so the step adds no error.
  "cast f64→f32→f64": {
    params: [[5]],
    h: 1e-2,
    tol: 1e-4,
    build: (_g, [a]) => o.cast(o.cast(a, "float32"), "float64"),
  },
  "add (broadcast)": { params: [[2, 3, 4], [4]], build: (_g, [a, b]) => o.add(a, b) },
  "sub (broadcast)": {
    params: [
      [3, 1],
      [1, 4],
    ],
    build: (_g, [a, b]) => o.sub(a, b),
  },
  "mul (broadcast)": {
    params: [
      [2, 3, 4],
      [3, 1],
    ],
    build: (_g, [a, b]) => o.mul(a, b),
  },
  div: {
    params: [
      [3, 4],
      [3, 4],
    ],
    positive: true,
    build: (_g, [a, b]) => o.div(a, b),
  },
  pow: {
    params: [
      [3, 4],
      [3, 4],
    ],
    positive: true,
    build: (_g, [a, b]) => o.pow(a, b),
  },
  maximum: {
    params: [
      [3, 4],
      [3, 4],
    ],
    build: (_g, [a, b]) => o.maximum(a, b),
  },
  "where + comparisons": {
    params: [
      [3, 4],
      [3, 4],
    ],
    build: (_g, [a, b]) =>
      o.where(o.and(o.greater(a, -0.5), o.not(o.less(a, -2))), a, o.where(o.equal(b, 0), 0, b)),
  },
  "sum / mean / max reductions": {
    params: [[2, 3, 4]],
    build: (_g, [a]) =>
      o.add(
        o.sum(a, { axes: [1] }),
        o.mul(o.squeeze(o.max(a, { axes: [1], keepdims: true }), [1]), o.mean(a, { axes: [1] })),
      ),
  },
  "matmul (batched, shared, transposes)": {
    params: [
      [2, 3, 4],
      [4, 5],
      [2, 5, 4],
    ],
    build: (_g, [a, w, b]) => o.add(o.matmul(a, w), o.matmul(a, b, { transB: true })),
  },
  "reshape / transpose / unsqueeze / squeeze": {
    params: [[2, 3, 4]],
    build: (_g, [a]) => o.squeeze(o.unsqueeze(o.transpose(o.reshape(a, [0, 6, 2]), [2, 0, 1]), [1]), [1]),
  },
  expand: {
    params: [[3, 1]],
    build: (_g, [a]) => o.expandAs(a, o.detach(o.reshape(o.concat([a, a, a, a], 1), [3, 4]))),
  },
  "concat / slice": {
    params: [
      [2, 3],
      [2, 2],
    ],
    build: (_g, [a, b]) => o.mul(o.slice(o.concat([a, b], 1), { axes: [1], starts: [1], ends: [4] }), 2),
  },
  "gather (embedding)": {
    params: [[5, 3]],
    feeds: (g) => {
      const i = idx(g, "ids", [0, 2, 2, 4, 1, 2], [2, 3]);
      return { tensors: [i.tensor], values: { ids: i.feed } };
    },
    build: (g, [t]) => o.gather(t, g.inputs()[0]),
  },
  gatherElements: {
    params: [[3, 5]],
    feeds: (g) => {
      const i = idx(g, "ids", [0, 4, 2, 2, 1, 3], [3, 2]);
      return { tensors: [i.tensor], values: { ids: i.feed } };
    },
    build: (g, [t]) => o.gatherElements(t, g.inputs()[0]),
  },
  softmax: { params: [[3, 5]], build: (_g, [a]) => o.softmax(a) },
  logSoftmax: { params: [[3, 5]], build: (_g, [a]) => o.logSoftmax(a) },
  layerNorm: { params: [[2, 3, 6], [6], [6]], build: (_g, [x, gm, bt]) => o.layerNorm(x, gm, bt, 1e-5) },
  "softmax cross-entropy over rows · tableᵀ (with an ignored row)": {
    params: [
      [4, 3],
      [6, 3],
    ],
    feeds: (g) => {
      const i = idx(g, "targets", [1, 5, -100, 0], [4]);
      return { tensors: [i.tensor], values: { targets: i.feed } };
    },
    build: (g, [rows, table]) => o.softmaxCrossEntropy(rows, table, g.inputs()[0]),
  },
};

/** Blocks built from layers: params come from a ParamStore, so the case differentiates w.r.t. an input. */
function blockCase(build: (ctx: BuildContext, x: Tensor, bias: Tensor) => Tensor): GradCase {
  return {
    params: [[2, 3, 8]],
    maxCoords: 24,
    build: (g, [x]) => {
      const ctx = new BuildContext(g, new ParamStore(3), false);
      const causal = new Float64Array(9).map((_, k) => (Math.floor(k / 3) >= k % 3 ? 0 : -1e9));
      return build(ctx, x, g.constant(causal, [1, 1, 3, 3], "float64"));
    },
  };
}
const BLOCKS: Record<string, GradCase> = {
  linear: blockCase((ctx, x) => nn.linear(ctx, "lin", x, 5)),
  "multi-head attention (causal)": blockCase((ctx, x, bias) =>
    nn.multiHeadAttention(ctx, "mha", x, x, bias, { heads: 2, dropout: 0 }),
  ),
  "feed-forward": blockCase((ctx, x) =>
    nn.feedForward(ctx, "ffn", x, { inner: 16, activation: "gelu", dropout: 0 }),
  ),
  "transformer block (post-LN)": blockCase((ctx, x, bias) =>
    nn.transformerBlock(ctx, "blk", x, bias, {
      heads: 2,
      dropout: 0,
      inner: 8,
      activation: "relu",
      norm: "post",
      eps: 1e-5,
    }),
  ),
  "transformer block (pre-LN)": blockCase((ctx, x, bias) =>
    nn.transformerBlock(ctx, "blk", x, bias, {
      heads: 2,
      dropout: 0,
      inner: 8,
      activation: "gelu",
      norm: "pre",
      eps: 1e-5,
    }),
  ),
};

const covered = new Set<string>();
for (const [name, c] of Object.entries({ ...CASES, ...BLOCKS })) {
  test(`gradient matches finite differences: ${name}`, async () => {
    const r = await checkGrad(c);
    for (const op of r.ops) covered.add(op);
    assert.ok(r.maxRelError < r.tol, `max relative error ${r.maxRelError}`);
  });
}

test("every differentiable primitive is gradient-checked", () => {
  const noGradient = new Set(["RandomUniform", "TopK", "Less", "Greater", "Equal", "And", "Not", "Detach"]);
  // Primitives that only appear inside gradients are checked through the op they differentiate.
  const gradientOnly = new Set(["ScatterAddRows", "ScatterElementsAdd", "Split", "Pad"]);
  const missing = PRIM_OPS.filter((op) => !noGradient.has(op) && !gradientOnly.has(op) && !covered.has(op));
  assert.deepEqual(missing, []);
});
