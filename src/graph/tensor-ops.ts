// User-facing op functions. Each records one primitive (or a short composition) and returns new tensors.
import type { DType, Tensor } from "./graph.js";
import type { Attrs, PrimOp } from "./ops.js";

type Operand = Tensor | number;

function one(op: PrimOp, inputs: Tensor[], attrs: Attrs = {}): Tensor {
  return inputs[0].graph.apply(op, inputs, attrs)[0];
}

/** Lifts a JS number to a scalar constant of the other operand's dtype. */
function lift(a: Operand, b: Operand): [Tensor, Tensor] {
  if (typeof a === "number" && typeof b === "number")
    throw new Error("at least one operand must be a tensor");
  const ta = typeof a === "number" ? (b as Tensor).graph.scalar(a, (b as Tensor).dtype) : a;
  const tb = typeof b === "number" ? ta.graph.scalar(b, ta.dtype) : b;
  return [ta, tb];
}

const binary = (op: PrimOp) => (a: Operand, b: Operand) => one(op, lift(a, b));

export const add = binary("Add");
export const sub = binary("Sub");
export const mul = binary("Mul");
export const div = binary("Div");
export const pow = binary("Pow");
export const maximum = binary("Max");
export const less = binary("Less");
export const greater = binary("Greater");
export const equal = binary("Equal");
export const and = binary("And");

export const neg = (x: Tensor) => one("Neg", [x]);
export const exp = (x: Tensor) => one("Exp", [x]);
export const log = (x: Tensor) => one("Log", [x]);
export const sqrt = (x: Tensor) => one("Sqrt", [x]);
export const tanh = (x: Tensor) => one("Tanh", [x]);
export const sigmoid = (x: Tensor) => one("Sigmoid", [x]);
export const relu = (x: Tensor) => one("Relu", [x]);
export const erf = (x: Tensor) => one("Erf", [x]);
export const not = (x: Tensor) => one("Not", [x]);
/** Identity whose gradient is zero: cuts a path out of autodiff. */
export const detach = (x: Tensor) => one("Detach", [x]);
export const cast = (x: Tensor, to: DType) => (x.dtype === to ? x : one("Cast", [x], { to }));

export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  const [ta, tb] = lift(a, b);
  return one("Where", [cond, ta, tb]);
}

export interface ReduceOpts {
  axes?: number[];
  keepdims?: boolean;
}
export const sum = (x: Tensor, o: ReduceOpts = {}) => one("ReduceSum", [x], o);
export const max = (x: Tensor, o: ReduceOpts = {}) => one("ReduceMax", [x], o);

/** Mean over the given axes; symbolic axis sizes are counted at run time. */
export function mean(x: Tensor, o: ReduceOpts = {}): Tensor {
  const axes = o.axes ?? x.shape.map((_, i) => i);
  const sizes = axes.map((a) => x.shape[a < 0 ? a + x.rank : a]);
  if (sizes.every((d): d is number => typeof d === "number"))
    return div(
      sum(x, o),
      sizes.reduce((p, d) => p * d, 1),
    );
  return div(sum(x, o), count(x, axes, o.keepdims ?? false));
}

/** Number of elements over `axes`, as a tensor of x's float type (works for symbolic dims). */
function count(x: Tensor, axes: number[], keepdims: boolean): Tensor {
  return sum(add(mul(detach(x), 0), 1), { axes, keepdims });
}

export interface MatMulOpts {
  transA?: boolean;
  transB?: boolean;
}
/** Batched matrix product with numpy broadcasting of the batch dims; ORT fuses the transposes into the GEMM. */
export function matmul(a: Tensor, b: Tensor, o: MatMulOpts = {}): Tensor {
  const ta = o.transA ? swapLast(a) : a;
  const tb = o.transB ? swapLast(b) : b;
  return one("MatMul", [ta, tb]);
}

export function swapLast(x: Tensor): Tensor {
  const perm = x.shape.map((_, i) => i);
  [perm[x.rank - 2], perm[x.rank - 1]] = [perm[x.rank - 1], perm[x.rank - 2]];
  return transpose(x, perm);
}

export const reshape = (x: Tensor, shape: number[]) => one("Reshape", [x], { shape });
export const reshapeLike = (x: Tensor, like: Tensor) => one("Reshape", [x, like]);
export const unsqueeze = (x: Tensor, axes: number[]) => one("Unsqueeze", [x], { axes });
export const squeeze = (x: Tensor, axes: number[]) => one("Squeeze", [x], { axes });
export const transpose = (x: Tensor, perm: number[]) => one("Transpose", [x], { perm });
export const expandAs = (x: Tensor, like: Tensor) => one("Expand", [x, like]);
export const concat = (xs: Tensor[], axis: number) => one("Concat", xs, { axis });

export interface SliceOpts {
  axes: number[];
  starts: number[];
  /** Exclusive ends; omitted or Infinity = to the end of the axis. */
  ends?: number[];
}
export const slice = (x: Tensor, o: SliceOpts) =>
  one("Slice", [x], {
    axes: o.axes,
    starts: o.starts,
    ends: o.ends ?? o.axes.map(() => Number.POSITIVE_INFINITY),
  });

/** Rows of `table` (axis 0) at int64 `indices`: the embedding lookup. */
export const gather = (table: Tensor, indices: Tensor) => one("Gather", [table, indices]);
/** Elements of `x` along its last axis at int64 `indices` of the same rank. */
export const gatherElements = (x: Tensor, indices: Tensor) =>
  one("GatherElements", [x, indices], { axis: -1 });

export const softmax = (x: Tensor) => one("Softmax", [x], { axis: -1 });
export const logSoftmax = (x: Tensor) => one("LogSoftmax", [x], { axis: -1 });

/** LayerNorm over the last axis (fused; its mean and inverse-std outputs feed only its own gradient). */
export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): Tensor {
  return x.graph.apply("LayerNorm", [x, gamma, beta], { eps })[0];
}

/**
 * Per-row cross-entropy of softmax(rows · tableᵀ) [M, N] against int64 targets [M]; rows whose target is
 * `ignoreIndex` contribute 0. Fused with the output matmul: its gradient never materialises a one-hot target
 * or scatters into the M × N gradient (see grad.ts). Its second output holds the log-probabilities.
 */
export function softmaxCrossEntropy(
  rows: Tensor,
  table: Tensor,
  targets: Tensor,
  ignoreIndex = -100,
): Tensor {
  return rows.graph.apply("SoftmaxCrossEntropy", [rows, table, targets], { ignoreIndex })[0];
}

/** Uniform [0, 1) numbers shaped like `like`, a pure function of (seed, salt, position): reproducible and
 * resumable, since the seed is a run-time input. */
export const randomUniform = (like: Tensor, seed: Tensor, salt: number) =>
  one("RandomUniform", [like, seed], { salt });

export function topk(x: Tensor, k: number): { values: Tensor; indices: Tensor } {
  const [values, indices] = x.graph.apply("TopK", [x], { k });
  return { values, indices };
}
