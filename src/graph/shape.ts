// Shape and dtype rules: one entry per primitive op. A rule checks its inputs and returns the outputs' metadata;
// a mismatch throws SR_ERR_SHAPE naming the op, the inputs' shapes and what was expected.
import { SeqrankError } from "../util/errors.js";
import type { Dim, DType, Shape, Tensor, TensorMeta } from "./graph.js";
import type { Attrs, PrimOp } from "./ops.js";

type Rule = (inputs: readonly Tensor[], attrs: Attrs, op: PrimOp) => TensorMeta[];

export function shapeError(op: string, inputs: readonly Tensor[], expected: string): SeqrankError {
  const shown = inputs.map((t) => `[${t.shape.join(", ")}]:${t.dtype}`).join(", ");
  return new SeqrankError("SR_ERR_SHAPE", `${op}: inputs ${shown} — expected ${expected}`);
}

/** Symbolic dims are products like "batch*seq"; this splits them into a numeric coefficient and symbol factors. */
function factors(d: Dim): { coef: number; syms: string[] } {
  if (typeof d === "number") return { coef: d, syms: [] };
  let coef = 1;
  const syms: string[] = [];
  for (const f of d.split("*")) {
    const n = Number(f);
    if (Number.isFinite(n) && f.trim() !== "") coef *= n;
    else syms.push(f);
  }
  return { coef, syms: syms.sort() };
}

function fromFactors(coef: number, syms: string[]): Dim {
  if (syms.length === 0) return coef;
  return [...(coef === 1 ? [] : [String(coef)]), ...syms].join("*");
}

export function dimProduct(dims: readonly Dim[]): Dim {
  let coef = 1;
  const syms: string[] = [];
  for (const d of dims) {
    const f = factors(d);
    coef *= f.coef;
    syms.push(...f.syms);
  }
  return fromFactors(coef, syms.sort());
}

function dimQuotient(total: Dim, part: Dim): Dim | undefined {
  const t = factors(total);
  const p = factors(part);
  const syms = [...t.syms];
  for (const s of p.syms) {
    const i = syms.indexOf(s);
    if (i < 0) return undefined;
    syms.splice(i, 1);
  }
  if (t.coef % p.coef !== 0) return undefined;
  return fromFactors(t.coef / p.coef, syms);
}

function broadcastDim(a: Dim, b: Dim): Dim | undefined {
  if (a === b) return a;
  if (a === 1) return b;
  if (b === 1) return a;
  if (typeof a === "number" && typeof b === "number") return undefined;
  // Two symbols cannot be compared until run time (ORT checks them there); keep the plainer name.
  if (typeof a === "string" && typeof b === "string") return a.includes("(") ? b : a;
  return typeof a === "number" ? a : b; // a symbol meets a size: the size is what it must be at run time
}

export function broadcastShapes(op: string, inputs: readonly Tensor[], shapes: readonly Shape[]): Dim[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const di = s[s.length - rank + i] ?? 1;
      const next = broadcastDim(d, di);
      if (next === undefined)
        throw shapeError(op, inputs, `shapes that broadcast (axis ${i - rank}: ${d} vs ${di})`);
      d = next;
    }
    out.push(d);
  }
  return out;
}

function normAxis(op: string, inputs: readonly Tensor[], axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw shapeError(op, inputs, `axis ${axis} within rank ${rank}`);
  return a;
}

export function normAxes(
  op: string,
  inputs: readonly Tensor[],
  axes: readonly number[],
  rank: number,
): number[] {
  return axes.map((a) => normAxis(op, inputs, a, rank)).sort((x, y) => x - y);
}

function sameDType(op: string, inputs: readonly Tensor[]): DType {
  const dt = inputs[0].dtype;
  if (inputs.some((t) => t.dtype !== dt)) throw shapeError(op, inputs, "inputs of one dtype");
  return dt;
}

function requireFloat(op: string, inputs: readonly Tensor[], t: Tensor): void {
  if (t.dtype !== "float32" && t.dtype !== "float64") throw shapeError(op, inputs, "a float tensor");
}

const same: Rule = (inp, _a, op) => {
  requireFloat(op, inp, inp[0]);
  return [{ dtype: inp[0].dtype, shape: inp[0].shape }];
};
const binary: Rule = (inp, _a, op) => [
  {
    dtype: sameDType(op, inp),
    shape: broadcastShapes(
      op,
      inp,
      inp.map((t) => t.shape),
    ),
  },
];
const compare: Rule = (inp, _a, op) => {
  sameDType(op, inp);
  return [
    {
      dtype: "bool",
      shape: broadcastShapes(
        op,
        inp,
        inp.map((t) => t.shape),
      ),
    },
  ];
};

function reduce(inp: readonly Tensor[], attrs: Attrs, op: PrimOp): TensorMeta[] {
  const x = inp[0];
  const axes = normAxes(op, inp, attrs.axes ?? x.shape.map((_, i) => i), x.rank);
  const shape = attrs.keepdims
    ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d))
    : x.shape.filter((_, i) => !axes.includes(i));
  return [{ dtype: x.dtype, shape }];
}

function reshape(inp: readonly Tensor[], attrs: Attrs, op: PrimOp): TensorMeta[] {
  const x = inp[0];
  if (inp.length === 2) {
    if (String(dimProduct(inp[1].shape)) !== String(dimProduct(x.shape))) {
      throw shapeError(op, inp, "a reshape to a tensor shape with as many elements");
    }
    return [{ dtype: x.dtype, shape: inp[1].shape }];
  }
  const target = attrs.shape ?? [];
  const out: Dim[] = target.map((d, i) => (d === 0 ? x.shape[i] : d));
  const infer = out.indexOf(-1);
  if (infer >= 0) {
    const known = dimProduct(out.filter((_, i) => i !== infer));
    const total = dimProduct(x.shape);
    const q = dimQuotient(total, known);
    // A symbolic total that does not factor (e.g. "batch" into [-1, 3, d]) gets a new symbol; ORT checks at run time.
    if (q === undefined && typeof total === "number") {
      throw shapeError(op, inp, `a reshape to [${target}] that divides ${total}`);
    }
    out[infer] = q ?? `(${total})/(${known})`;
  } else if (String(dimProduct(out)) !== String(dimProduct(x.shape))) {
    throw shapeError(op, inp, `a reshape to [${target}] with as many elements`);
  }
  return [{ dtype: x.dtype, shape: out }];
}

function sliceDim(d: Dim, start: number, end: number): Dim {
  if (typeof d === "number") return Math.max(0, Math.min(end, d) - Math.min(start, d));
  if (end === Number.POSITIVE_INFINITY) return start === 0 ? d : `${d}-${start}`;
  return end - start;
}

export const SHAPE_RULES: Record<PrimOp, Rule> = {
  Neg: same,
  Exp: same,
  Log: same,
  Sqrt: same,
  Tanh: same,
  Sigmoid: same,
  Relu: same,
  Erf: same,
  Detach: (inp) => [{ dtype: inp[0].dtype, shape: inp[0].shape }],
  Cast: (inp, a, op) => {
    if (!a.to) throw shapeError(op, inp, "a target dtype");
    return [{ dtype: a.to, shape: inp[0].shape }];
  },
  Add: binary,
  Sub: binary,
  Mul: binary,
  Div: binary,
  Pow: binary,
  Max: binary,
  Less: compare,
  Greater: compare,
  Equal: compare,
  And: compare,
  Not: (inp, _a, op) => {
    if (inp[0].dtype !== "bool") throw shapeError(op, inp, "a bool tensor");
    return [{ dtype: "bool", shape: inp[0].shape }];
  },
  Where: (inp, _a, op) => {
    const [c, x, y] = inp;
    if (c.dtype !== "bool") throw shapeError(op, inp, "a bool condition");
    return [{ dtype: sameDType(op, [x, y]), shape: broadcastShapes(op, inp, [c.shape, x.shape, y.shape]) }];
  },
  ReduceSum: reduce,
  ReduceMax: reduce,
  MatMul: (inp, _a, op) => {
    const [a, b] = inp;
    const dt = sameDType(op, inp);
    if (a.rank < 2 || b.rank < 2) throw shapeError(op, inp, "both inputs of rank ≥ 2");
    const k1 = a.shape[a.rank - 1];
    const k2 = b.shape[b.rank - 2];
    if (k1 !== k2) throw shapeError(op, inp, `a.shape[-1] (${k1}) == b.shape[-2] (${k2})`);
    const batch = broadcastShapes(op, inp, [a.shape.slice(0, -2), b.shape.slice(0, -2)]);
    return [{ dtype: dt, shape: [...batch, a.shape[a.rank - 2], b.shape[b.rank - 1]] }];
  },
  Reshape: reshape,
  Unsqueeze: (inp, a, op) => {
    const x = inp[0];
    const rank = x.rank + (a.axes?.length ?? 0);
    const axes = normAxes(op, inp, a.axes ?? [], rank);
    const shape: Dim[] = [];
    let j = 0;
    for (let i = 0; i < rank; i++) shape.push(axes.includes(i) ? 1 : x.shape[j++]);
    return [{ dtype: x.dtype, shape }];
  },
  Squeeze: (inp, a, op) => {
    const x = inp[0];
    const axes = normAxes(op, inp, a.axes ?? [], x.rank);
    if (axes.some((ax) => x.shape[ax] !== 1)) throw shapeError(op, inp, `size 1 on axes [${axes}]`);
    return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !axes.includes(i)) }];
  },
  Transpose: (inp, a, op) => {
    const x = inp[0];
    const perm = a.perm ?? [];
    if (perm.length !== x.rank || [...perm].sort().some((p, i) => p !== i)) {
      throw shapeError(op, inp, `a permutation of ${x.rank} axes, got [${perm}]`);
    }
    return [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p]) }];
  },
  Expand: (inp, _a, op) => [
    { dtype: inp[0].dtype, shape: broadcastShapes(op, inp, [inp[0].shape, inp[1].shape]) },
  ],
  Concat: (inp, a, op) => {
    const dt = sameDType(op, inp);
    const rank = inp[0].rank;
    const axis = normAxis(op, inp, a.axis ?? 0, rank);
    const shape = [...inp[0].shape];
    for (const t of inp.slice(1)) {
      if (t.rank !== rank || t.shape.some((d, i) => i !== axis && d !== shape[i])) {
        throw shapeError(op, inp, `equal shapes except on axis ${axis}`);
      }
      const d0 = shape[axis];
      const d1 = t.shape[axis];
      shape[axis] = typeof d0 === "number" && typeof d1 === "number" ? d0 + d1 : `${d0}+${d1}`;
    }
    return [{ dtype: dt, shape }];
  },
  Split: (inp) => inp.slice(1).map((t) => ({ dtype: inp[0].dtype, shape: t.shape })),
  Slice: (inp, a, op) => {
    const x = inp[0];
    const axes = normAxes(op, inp, a.axes ?? [], x.rank);
    const shape = [...x.shape];
    axes.forEach((ax, i) => {
      const start = a.starts?.[i] ?? 0;
      const end = a.ends?.[i] ?? Number.POSITIVE_INFINITY;
      if (start < 0 || end < start) throw shapeError(op, inp, `0 ≤ start ≤ end on axis ${ax}`);
      shape[ax] = sliceDim(x.shape[ax], start, end);
    });
    return [{ dtype: x.dtype, shape }];
  },
  Pad: (inp) => [{ dtype: inp[0].dtype, shape: inp[1].shape }],
  Gather: (inp, _a, op) => {
    const [table, idx] = inp;
    if (idx.dtype !== "int64") throw shapeError(op, inp, "int64 indices");
    if (table.rank < 1) throw shapeError(op, inp, "a table of rank ≥ 1");
    return [{ dtype: table.dtype, shape: [...idx.shape, ...table.shape.slice(1)] }];
  },
  ScatterAddRows: (inp, _a, op) => {
    const [like, idx, upd] = inp;
    if (idx.dtype !== "int64") throw shapeError(op, inp, "int64 indices");
    if (upd.rank !== idx.rank + like.rank - 1)
      throw shapeError(op, inp, "updates of shape indices ++ table row");
    return [{ dtype: upd.dtype, shape: like.shape }];
  },
  GatherElements: (inp, _a, op) => {
    const [x, idx] = inp;
    if (idx.dtype !== "int64" || idx.rank !== x.rank)
      throw shapeError(op, inp, "int64 indices of the input's rank");
    return [{ dtype: x.dtype, shape: idx.shape }];
  },
  ScatterElementsAdd: (inp, _a, op) => {
    const [base, idx, upd] = inp;
    if (idx.dtype !== "int64" || idx.rank !== base.rank || upd.rank !== base.rank) {
      throw shapeError(op, inp, "int64 indices and updates of the base's rank");
    }
    return [{ dtype: base.dtype, shape: base.shape }];
  },
  Softmax: same,
  LogSoftmax: same,
  LayerNorm: (inp, _a, op) => {
    const [x, gamma, beta] = inp;
    requireFloat(op, inp, x);
    const d = x.shape[x.rank - 1];
    if (gamma.rank !== 1 || beta.rank !== 1 || gamma.shape[0] !== d || beta.shape[0] !== d) {
      throw shapeError(op, inp, `gamma and beta of shape [${d}]`);
    }
    const stat = [...x.shape.slice(0, -1), 1];
    return [
      { dtype: x.dtype, shape: x.shape },
      { dtype: x.dtype, shape: stat },
      { dtype: x.dtype, shape: stat },
    ];
  },
  SoftmaxCrossEntropy: (inp, _a, op) => {
    const [rows, table, target] = inp;
    requireFloat(op, inp, rows);
    const ok =
      rows.rank === 2 &&
      table.rank === 2 &&
      rows.shape[1] === table.shape[1] &&
      target.rank === 1 &&
      target.dtype === "int64" &&
      rows.shape[0] === target.shape[0];
    if (!ok) throw shapeError(op, inp, "rows [M, d], table [N, d] and int64 targets [M]");
    return [
      { dtype: rows.dtype, shape: [rows.shape[0]] }, // loss per row
      { dtype: rows.dtype, shape: [rows.shape[0], table.shape[0]] }, // log-probabilities
    ];
  },
  RandomUniform: (inp, _a, op) => {
    if (inp[1].dtype !== "int64" || inp[1].rank !== 0) throw shapeError(op, inp, "an int64 scalar seed");
    return [{ dtype: inp[0].graph.floatType, shape: inp[0].shape }];
  },
  TopK: (inp, a, op) => {
    const x = inp[0];
    if (!a.k || a.k < 1) throw shapeError(op, inp, "k ≥ 1");
    const shape = [...x.shape.slice(0, -1), a.k];
    return [
      { dtype: x.dtype, shape },
      { dtype: "int64", shape },
    ];
  },
};

export function inferShape(op: PrimOp, inputs: readonly Tensor[], attrs: Attrs): TensorMeta[] {
  return SHAPE_RULES[op](inputs, attrs, op);
}
