// The closed set of primitive ops. Every other function (gelu, attention, cross-entropy, Adam) is composed from
// these, so it gets gradients and ONNX lowering for free. Each op has one entry in each of three tables:
// SHAPE_RULES (shape.ts), GRAD_RULES (grad.ts) and LOWER (lower-onnx.ts), all typed Record<PrimOp, …>.
import type { DType } from "./graph.js";

export const PRIM_OPS = [
  // elementwise, unary
  "Neg",
  "Exp",
  "Log",
  "Sqrt",
  "Tanh",
  "Sigmoid",
  "Relu",
  "Erf",
  "Cast",
  "Detach",
  // elementwise, binary with numpy broadcasting
  "Add",
  "Sub",
  "Mul",
  "Div",
  "Pow",
  "Max",
  "Less",
  "Greater",
  "Equal",
  "And",
  "Not",
  "Where",
  // reductions
  "ReduceSum",
  "ReduceMax",
  // linear algebra
  "MatMul",
  // movement
  "Reshape",
  "Unsqueeze",
  "Squeeze",
  "Transpose",
  "Expand",
  "Concat",
  "Split",
  "Slice",
  "Pad",
  // indexing
  "Gather",
  "ScatterAddRows",
  "GatherElements",
  "ScatterElementsAdd",
  // fused for speed (each has a hand-written gradient)
  "Softmax",
  "LogSoftmax",
  "LayerNorm",
  "SoftmaxCrossEntropy",
  // randomness and inference-only
  "RandomUniform",
  "TopK",
] as const;

export type PrimOp = (typeof PRIM_OPS)[number];

/** Static attributes of a node. Which fields an op reads is documented in its shape rule. */
export interface Attrs {
  axes?: readonly number[];
  axis?: number;
  keepdims?: boolean;
  perm?: readonly number[];
  /** Reshape target: positive sizes, 0 = copy the input dim, -1 = infer (ONNX semantics). A second input, when
   * given, supplies the target shape at run time instead (used by gradients to restore symbolic shapes). */
  shape?: readonly number[];
  starts?: readonly number[];
  /** Slice ends; Infinity = to the end of the axis. */
  ends?: readonly number[];
  /** Cast target type. */
  to?: DType;
  eps?: number;
  ignoreIndex?: number;
  k?: number;
  /** RandomUniform: a per-site constant so different dropout sites draw different numbers from one seed. */
  salt?: number;
}
