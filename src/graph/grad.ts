// Reverse-mode autodiff as a graph transform: gradient rules emit new nodes into the same graph, so ONNX Runtime
// optimises forward and backward together. One rule per primitive op.
import { SeqrankError } from "../util/errors.js";
import { ancestors, type Node, type Tensor } from "./graph.js";
import type { PrimOp } from "./ops.js";
import { normAxes } from "./shape.js";
import * as o from "./tensor-ops.js";

/** Gradients of the node's inputs, given the gradients of its outputs (undefined = no gradient flows). */
type GradRule = (
  node: Node,
  grads: readonly (Tensor | undefined)[],
  needs: readonly boolean[],
) => (Tensor | undefined)[];

const sameShape = (a: Tensor, b: Tensor) => a.shape.join() === b.shape.join();

/** Sums a broadcast gradient back to the shape of the input it came from. */
export function unbroadcast(g: Tensor, x: Tensor): Tensor {
  if (sameShape(g, x)) return g;
  const lead = g.rank - x.rank;
  const ones = x.shape.flatMap((d, i) => (d === 1 && g.shape[i + lead] !== 1 ? [i + lead] : []));
  let r = ones.length ? o.sum(g, { axes: ones, keepdims: true }) : g;
  if (lead > 0) r = o.sum(r, { axes: [...Array(lead).keys()] });
  return r;
}

const zerosLike = (x: Tensor) => o.mul(o.detach(x), 0);
const y0 = (n: Node) => n.outputs[0];
const x0 = (n: Node) => n.inputs[0];
const unary =
  (f: (n: Node, g: Tensor) => Tensor): GradRule =>
  (n, [g]) => [f(n, g!)];
const none: GradRule = (n) => n.inputs.map(() => undefined);
const notDifferentiable: GradRule = (n) => {
  throw new SeqrankError("SR_ERR_GRAD", `${n.op} has no gradient (inference only)`);
};

/** Gradient of A @ B w.r.t. B when A is batched and B is a shared matrix: one flat GEMM instead of a batch. */
function matmulGradShared(a: Tensor, g: Tensor): Tensor {
  const k = a.shape[a.rank - 1] as number;
  const n = g.shape[g.rank - 1] as number;
  return o.matmul(o.reshape(a, [-1, k]), o.reshape(g, [-1, n]), { transA: true });
}

export const GRAD_RULES: Record<PrimOp, GradRule> = {
  Neg: unary((_n, g) => o.neg(g)),
  Exp: unary((n, g) => o.mul(g, y0(n))),
  Log: unary((n, g) => o.div(g, x0(n))),
  Sqrt: unary((n, g) => o.div(g, o.mul(y0(n), 2))),
  Tanh: unary((n, g) => o.mul(g, o.sub(1, o.mul(y0(n), y0(n))))),
  Sigmoid: unary((n, g) => o.mul(g, o.mul(y0(n), o.sub(1, y0(n))))),
  Relu: unary((n, g) => o.where(o.greater(x0(n), 0), g, 0)),
  Erf: unary((n, g) => o.mul(g, o.mul(o.exp(o.neg(o.mul(x0(n), x0(n)))), 2 / Math.sqrt(Math.PI)))),
  Cast: (n, [g]) => {
    const floats = ["float32", "float64"];
    return [
      floats.includes(x0(n).dtype) && floats.includes(y0(n).dtype) ? o.cast(g!, x0(n).dtype) : undefined,
    ];
  },
  Detach: none,
  Add: (n, [g]) => [unbroadcast(g!, n.inputs[0]), unbroadcast(g!, n.inputs[1])],
  Sub: (n, [g], needs) => [
    unbroadcast(g!, n.inputs[0]),
    needs[1] ? unbroadcast(o.neg(g!), n.inputs[1]) : undefined,
  ],
  Mul: (n, [g], needs) => {
    const [a, b] = n.inputs;
    return [
      needs[0] ? unbroadcast(o.mul(g!, b), a) : undefined,
      needs[1] ? unbroadcast(o.mul(g!, a), b) : undefined,
    ];
  },
  Div: (n, [g], needs) => {
    const [a, b] = n.inputs;
    return [
      needs[0] ? unbroadcast(o.div(g!, b), a) : undefined,
      needs[1] ? unbroadcast(o.neg(o.div(o.mul(g!, y0(n)), b)), b) : undefined,
    ];
  },
  Pow: (n, [g], needs) => {
    const [a, b] = n.inputs;
    return [
      needs[0] ? unbroadcast(o.mul(g!, o.mul(b, o.pow(a, o.sub(b, 1)))), a) : undefined,
      needs[1] ? unbroadcast(o.mul(g!, o.mul(y0(n), o.log(a))), b) : undefined,
    ];
  },
  Max: (n, [g]) => {
    const [a, b] = n.inputs;
    const aWins = o.less(b, a);
    return [unbroadcast(o.where(aWins, g!, 0), a), unbroadcast(o.where(aWins, 0, g!), b)];
  },
  Less: none,
  Greater: none,
  Equal: none,
  And: none,
  Not: none,
  Where: (n, [g]) => {
    const [c, a, b] = n.inputs;
    return [undefined, unbroadcast(o.where(c, g!, 0), a), unbroadcast(o.where(c, 0, g!), b)];
  },
  ReduceSum: (n, [g]) => [o.expandAs(keepReducedDims(n, g!), x0(n))],
  ReduceMax: (n, [g]) => {
    const x = x0(n);
    const hit = o.cast(o.equal(x, o.expandAs(keepReducedDims(n, y0(n)), x)), x.dtype);
    const share = o.div(hit, o.sum(hit, { axes: reducedAxes(n), keepdims: true })); // ties split the gradient
    return [o.mul(share, keepReducedDims(n, g!))];
  },
  MatMul: (n, [g], needs) => {
    const [a, b] = n.inputs;
    const ga = needs[0] ? unbroadcast(o.matmul(g!, b, { transB: true }), a) : undefined;
    let gb: Tensor | undefined;
    if (needs[1])
      gb =
        b.rank === 2 && a.rank > 2
          ? matmulGradShared(a, g!)
          : unbroadcast(o.matmul(a, g!, { transA: true }), b);
    return [ga, gb];
  },
  Reshape: (n, [g]) => [o.reshapeLike(g!, x0(n)), undefined],
  Unsqueeze: (n, [g]) => [o.squeeze(g!, normAxes(n.op, n.inputs, n.attrs.axes ?? [], y0(n).rank))],
  Squeeze: (n, [g]) => [o.unsqueeze(g!, normAxes(n.op, n.inputs, n.attrs.axes ?? [], x0(n).rank))],
  Transpose: (n, [g]) => {
    const perm = n.attrs.perm ?? [];
    const inv = perm.map((_, i) => perm.indexOf(i));
    return [o.transpose(g!, inv)];
  },
  Expand: (n, [g]) => [unbroadcast(g!, x0(n)), undefined],
  Concat: (n, [g]) => x0(n).graph.apply("Split", [g!, ...n.inputs], { axis: n.attrs.axis }),
  Split: (n, grads) => {
    const parts = n.outputs.map((out, i) => grads[i] ?? zerosLike(out));
    return [o.concat(parts, n.attrs.axis ?? 0), ...n.inputs.slice(1).map(() => undefined)];
  },
  Slice: (n, [g]) => [x0(n).graph.apply("Pad", [g!, x0(n)], n.attrs)[0]],
  Pad: (n, [g]) => [x0(n).graph.apply("Slice", [g!], n.attrs)[0], undefined],
  Gather: (n, [g]) => {
    const [table, idx] = n.inputs;
    return [table.graph.apply("ScatterAddRows", [table, idx, g!])[0], undefined];
  },
  ScatterAddRows: (n, [g]) => [undefined, undefined, o.gather(g!, n.inputs[1])],
  GatherElements: (n, [g]) => {
    const [x, idx] = n.inputs;
    return [x.graph.apply("ScatterElementsAdd", [zerosLike(x), idx, g!], { axis: -1 })[0], undefined];
  },
  ScatterElementsAdd: (n, [g], needs) => [
    needs[0] ? g : undefined,
    undefined,
    o.gatherElements(g!, n.inputs[1]),
  ],
  Softmax: unary((n, g) => {
    const y = y0(n);
    return o.mul(y, o.sub(g, o.sum(o.mul(g, y), { axes: [-1], keepdims: true })));
  }),
  LogSoftmax: unary((n, g) => o.sub(g, o.mul(o.exp(y0(n)), o.sum(g, { axes: [-1], keepdims: true })))),
  LayerNorm: (n, [g], needs) => {
    const [x, gamma] = n.inputs;
    const [, mu, invStd] = n.outputs;
    const xhat = o.mul(o.sub(x, mu), invStd);
    const lead = [...Array(x.rank - 1).keys()];
    const gxhat = o.mul(g!, gamma);
    const meanLast = (t: Tensor) => o.mean(t, { axes: [-1], keepdims: true });
    const gx = o.mul(invStd, o.sub(o.sub(gxhat, meanLast(gxhat)), o.mul(xhat, meanLast(o.mul(gxhat, xhat)))));
    return [
      needs[0] ? gx : undefined,
      needs[1] ? o.sum(o.mul(g!, xhat), { axes: lead }) : undefined,
      needs[2] ? o.sum(g!, { axes: lead }) : undefined,
    ];
  },
  SoftmaxCrossEntropy: (n, [g], needs) => {
    // With P = softmax(logits) and G = diag(g): d rows = G (P·table − table[target]) and
    // d table = Pᵀ (G rows) − scatter(target, G rows). The per-row scale is applied to the M × d side and the
    // one-hot part becomes a row gather/scatter, so no M × N tensor is touched beyond P itself.
    const [rows, table, targets] = n.inputs;
    const ignored = o.equal(targets, n.attrs.ignoreIndex ?? -100);
    const gCol = o.unsqueeze(o.where(ignored, 0, g!), [1]);
    const safeTargets = o.where(ignored, 0, targets);
    const p = o.exp(n.outputs[1]); // exp of the forward's log-probabilities: cheaper than a second softmax
    const scaledRows = o.mul(rows, gCol);
    const dRows = needs[0] ? o.mul(gCol, o.sub(o.matmul(p, table), o.gather(table, safeTargets))) : undefined;
    const dTable = needs[1]
      ? o.sub(
          o.matmul(p, scaledRows, { transA: true }),
          table.graph.apply("ScatterAddRows", [table, safeTargets, scaledRows])[0],
        )
      : undefined;
    return [dRows, dTable, undefined];
  },
  RandomUniform: none,
  TopK: notDifferentiable,
};

function reducedAxes(n: Node): number[] {
  const x = x0(n);
  return normAxes(n.op, n.inputs, n.attrs.axes ?? x.shape.map((_, i) => i), x.rank);
}

/** A reduction's output (or its gradient) with the reduced axes restored as size 1. */
function keepReducedDims(n: Node, t: Tensor): Tensor {
  return n.attrs.keepdims ? t : o.unsqueeze(t, reducedAxes(n));
}

/** d loss / d wrt for each tensor in `wrt`, emitted as nodes of the loss's graph. `loss` must be a scalar. */
export function grad(loss: Tensor, wrt: readonly Tensor[]): Tensor[] {
  if (loss.rank !== 0) throw new SeqrankError("SR_ERR_GRAD", `grad: loss must be a scalar, got ${loss}`);
  const nodes = ancestors([loss]);
  const targets = new Set(wrt.map((t) => t.node));
  // Forward pass: which nodes depend on a target (only their gradients are worth emitting).
  const live = new Set<Node>();
  for (const n of nodes) {
    if (targets.has(n) || (n.op !== "Detach" && n.inputs.some((i) => live.has(i.node)))) live.add(n);
  }
  const grads = new Map<Tensor, Tensor>();
  const accumulate = (t: Tensor, g: Tensor) => {
    const prev = grads.get(t);
    grads.set(t, prev ? o.add(prev, g) : g);
  };
  accumulate(loss, loss.graph.scalar(1, loss.dtype));
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i];
    if (n.op === "Leaf" || !live.has(n)) continue;
    const outGrads = n.outputs.map((t) => grads.get(t));
    // Only Split passes gradients from several outputs; the others' extra outputs (LayerNorm statistics,
    // log-probabilities) are by-products whose uses are treated as constants.
    if (n.op === "Split" ? outGrads.every((g) => g === undefined) : outGrads[0] === undefined) continue;
    const needs = n.inputs.map((t) => live.has(t.node));
    const inGrads = GRAD_RULES[n.op](n, outGrads, needs);
    n.inputs.forEach((t, k) => {
      const g = inGrads[k];
      if (g && needs[k]) accumulate(t, g);
    });
  }
  return wrt.map((t) => grads.get(t) ?? zerosLike(t));
}
