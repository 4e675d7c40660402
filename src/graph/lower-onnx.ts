// Lowering to ONNX (opset 18): one entry per primitive op. Shape-dependent pieces (zeros for scatter, reshape
// back to a symbolic shape, pad amounts) are computed at run time from Shape nodes, so batch and sequence
// lengths stay dynamic.
import { SeqrankError } from "../util/errors.js";
import { ancestors, type DType, type Node, type Tensor } from "./graph.js";
import {
  type AttrValue,
  encodeModel,
  ONNX_DTYPE,
  type OnnxGraph,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from "./onnx-proto.js";
import type { PrimOp } from "./ops.js";
import { normAxes } from "./shape.js";

const INT64_MAX_SLICE = 2n ** 62n;

class LoweringContext {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private consts = new Map<string, string>();
  private shapes = new Map<string, string>();
  private fresh = 0;
  /** Values that are graph outputs take the output's name directly (an Identity would copy them every run). */
  readonly renamed = new Map<string, string>();

  nameOf(t: Tensor): string {
    return this.renamed.get(t.name) ?? t.name;
  }

  tmp(hint: string): string {
    return `_${hint}${this.fresh++}`;
  }
  emit(
    op: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attrs?: Record<string, AttrValue>,
  ): void {
    this.nodes.push({ op, inputs, outputs, attrs });
  }
  /** Emits one node with a fresh output name and returns that name. */
  value(op: string, inputs: readonly string[], attrs?: Record<string, AttrValue>): string {
    const out = this.tmp(op);
    this.emit(op, inputs, [out], attrs);
    return out;
  }
  i64(values: readonly (number | bigint)[], scalar = false): string {
    const key = `i64:${scalar}:${values.join(",")}`;
    let name = this.consts.get(key);
    if (!name) {
      name = this.tmp("c");
      const data = BigInt64Array.from(values.map((v) => BigInt(v)));
      this.initializers.push({ name, dtype: "int64", dims: scalar ? [] : [values.length], data });
      this.consts.set(key, name);
    }
    return name;
  }
  u32(value: number): string {
    const key = `u32:${value}`;
    let name = this.consts.get(key);
    if (!name) {
      name = this.tmp("c");
      this.initializers.push({ name, dtype: "uint32", dims: [], data: Uint32Array.of(value) });
      this.consts.set(key, name);
    }
    return name;
  }
  float(value: number, dtype: DType): string {
    const key = `${dtype}:${value}`;
    let name = this.consts.get(key);
    if (!name) {
      name = this.tmp("c");
      const data = dtype === "float64" ? Float64Array.of(value) : Float32Array.of(value);
      this.initializers.push({ name, dtype: dtype as "float32" | "float64", dims: [], data });
      this.consts.set(key, name);
    }
    return name;
  }
  shapeOf(t: Tensor): string {
    let s = this.shapes.get(t.name);
    if (!s) {
      s = this.value("Shape", [this.nameOf(t)]);
      this.shapes.set(t.name, s);
    }
    return s;
  }
}

type Lowering = (n: Node, c: LoweringContext, ins: string[], outs: string[]) => void;

const direct =
  (op: string): Lowering =>
  (_n, c, ins, outs) =>
    c.emit(op, ins, outs);

function axesOf(n: Node, rank: number): number[] {
  return normAxes(n.op, n.inputs, n.attrs.axes ?? [...Array(rank).keys()], rank);
}

const reduce =
  (op: string): Lowering =>
  (n, c, ins, outs) =>
    c.emit(op, [ins[0], c.i64(axesOf(n, n.inputs[0].rank))], outs, { keepdims: n.attrs.keepdims ? 1 : 0 });

/**
 * Counter-based randomness: uniform [0, 1) = lowbias32(position + mix(seed, salt)) / 2³², on uint32 with
 * wrap-around multiplication. A pure function of the fed seed, so a resumed run draws the same masks.
 */
const randomUniform: Lowering = (n, c, ins, outs) => {
  const u32 = (v: number) => c.u32(v);
  const shape = c.shapeOf(n.inputs[0]);
  const count = c.value("ReduceProd", [shape, c.i64([0])], { keepdims: 0 });
  const pos = c.value("Cast", [c.value("Range", [c.i64([0], true), count, c.i64([1], true)])], {
    to: ONNX_DTYPE.uint32,
  });
  const seed = c.value("Cast", [ins[1]], { to: ONNX_DTYPE.uint32 });
  const offset = c.value("Add", [
    c.value("Mul", [seed, u32(0x9e3779b9)]),
    u32(Math.imul(n.attrs.salt ?? 0, 0x85ebca6b) >>> 0),
  ]);
  let h = c.value("Add", [pos, offset]);
  const xorShift = (x: string, bits: number) =>
    c.value("BitwiseXor", [x, c.value("BitShift", [x, u32(bits)], { direction: "RIGHT" })]);
  h = c.value("Mul", [xorShift(h, 16), u32(0x7feb352d)]);
  h = c.value("Mul", [xorShift(h, 15), u32(0x846ca68b)]);
  h = xorShift(h, 16);
  const top24 = c.value("BitShift", [h, u32(8)], { direction: "RIGHT" }); // 24 bits are exact in float32
  const dtype = n.outputs[0].dtype as "float32" | "float64";
  const u = c.value("Mul", [c.value("Cast", [top24], { to: ONNX_DTYPE[dtype] }), c.float(2 ** -24, dtype)]);
  c.emit("Reshape", [u, shape], outs);
};

/**
 * ORT's CPU provider has no float64 Erf, and float64 graphs exist for gradient checks: there erf is the Maclaurin
 * series 2/√π Σ (−1)ⁿ x²ⁿ⁺¹ / (n! (2n+1)) on x clamped to ±3.5 (60 terms, error below 1e-12 inside the clamp).
 */
function erfSeries(c: LoweringContext, x: string, out: string): void {
  const clamped = c.value("Clip", [x, c.float(-3.5, "float64"), c.float(3.5, "float64")]);
  const x2 = c.value("Mul", [clamped, clamped]);
  const terms = 60;
  const coef = (k: number) => {
    let f = 1;
    for (let i = 2; i <= k; i++) f *= i;
    return ((k % 2 ? -1 : 1) * 2) / Math.sqrt(Math.PI) / (f * (2 * k + 1));
  };
  let acc = c.float(coef(terms - 1), "float64");
  for (let k = terms - 2; k >= 0; k--)
    acc = c.value("Add", [c.value("Mul", [acc, x2]), c.float(coef(k), "float64")]);
  c.emit("Mul", [acc, clamped], [out]);
}

export const LOWER: Record<PrimOp, Lowering> = {
  Neg: direct("Neg"),
  Exp: direct("Exp"),
  Log: direct("Log"),
  Sqrt: direct("Sqrt"),
  Tanh: direct("Tanh"),
  Sigmoid: direct("Sigmoid"),
  Relu: direct("Relu"),
  Erf: (n, c, ins, outs) =>
    n.outputs[0].dtype === "float64" ? erfSeries(c, ins[0], outs[0]) : c.emit("Erf", ins, outs),
  Detach: direct("Identity"),
  Cast: (n, c, ins, outs) => c.emit("Cast", ins, outs, { to: ONNX_DTYPE[n.attrs.to as DType] }),
  Add: direct("Add"),
  Sub: direct("Sub"),
  Mul: direct("Mul"),
  Div: direct("Div"),
  Pow: direct("Pow"),
  Max: direct("Max"),
  Less: direct("Less"),
  Greater: direct("Greater"),
  Equal: direct("Equal"),
  And: direct("And"),
  Not: direct("Not"),
  Where: direct("Where"),
  ReduceSum: reduce("ReduceSum"),
  ReduceMax: reduce("ReduceMax"),
  MatMul: direct("MatMul"),
  Reshape: (n, c, ins, outs) =>
    c.emit("Reshape", [ins[0], ins.length === 2 ? c.shapeOf(n.inputs[1]) : c.i64(n.attrs.shape ?? [])], outs),
  Unsqueeze: (n, c, ins, outs) => c.emit("Unsqueeze", [ins[0], c.i64(axesOf(n, n.outputs[0].rank))], outs),
  Squeeze: (n, c, ins, outs) => c.emit("Squeeze", [ins[0], c.i64(axesOf(n, n.inputs[0].rank))], outs),
  Transpose: (n, c, ins, outs) => c.emit("Transpose", ins, outs, { perm: n.attrs.perm ?? [] }),
  Expand: (n, c, ins, outs) => c.emit("Expand", [ins[0], c.shapeOf(n.inputs[1])], outs),
  Concat: (n, c, ins, outs) => c.emit("Concat", ins, outs, { axis: n.attrs.axis ?? 0 }),
  Split: (n, c, ins, outs) => {
    const axis = normAxes(n.op, n.inputs, [n.attrs.axis ?? 0], n.inputs[0].rank)[0];
    const sizes = n.inputs.slice(1).map((t) => c.value("Gather", [c.shapeOf(t), c.i64([axis])]));
    c.emit("Split", [ins[0], c.value("Concat", sizes, { axis: 0 })], outs, { axis });
  },
  Slice: (n, c, ins, outs) => {
    const ends = (n.attrs.ends ?? []).map((e) => (Number.isFinite(e) ? BigInt(e) : INT64_MAX_SLICE));
    c.emit(
      "Slice",
      [ins[0], c.i64(n.attrs.starts ?? []), c.i64(ends), c.i64(axesOf(n, n.inputs[0].rank))],
      outs,
    );
  },
  Pad: (n, c, ins, outs) => {
    // Places the slice gradient at [starts, ends) of zeros shaped like the sliced input.
    const [g, like] = n.inputs;
    const before = new Array<number>(like.rank).fill(0);
    axesOf(n, like.rank).forEach((ax, i) => {
      before[ax] = n.attrs.starts?.[i] ?? 0;
    });
    const after = c.value("Sub", [c.value("Sub", [c.shapeOf(like), c.shapeOf(g)]), c.i64(before)]);
    c.emit("Pad", [ins[0], c.value("Concat", [c.i64(before), after], { axis: 0 })], outs, {
      mode: "constant",
    });
  },
  Gather: (_n, c, ins, outs) => c.emit("Gather", ins, outs, { axis: 0 }),
  ScatterAddRows: (n, c, ins, outs) => {
    const zero: OnnxTensor = {
      dtype: n.outputs[0].dtype as "float32",
      dims: [1],
      data: zeroOf(n.outputs[0].dtype),
    };
    const zeros = c.value("ConstantOfShape", [c.shapeOf(n.inputs[0])], { value: zero });
    const idx = c.value("Unsqueeze", [ins[1], c.i64([-1])]);
    c.emit("ScatterND", [zeros, idx, ins[2]], outs, { reduction: "add" });
  },
  GatherElements: (n, c, ins, outs) =>
    c.emit("GatherElements", ins, outs, {
      axis: normAxes(n.op, n.inputs, [n.attrs.axis ?? -1], n.inputs[0].rank)[0],
    }),
  ScatterElementsAdd: (n, c, ins, outs) =>
    c.emit("ScatterElements", ins, outs, {
      axis: normAxes(n.op, n.inputs, [n.attrs.axis ?? -1], n.inputs[0].rank)[0],
      reduction: "add",
    }),
  Softmax: (_n, c, ins, outs) => c.emit("Softmax", ins, outs, { axis: -1 }),
  LogSoftmax: (_n, c, ins, outs) => c.emit("LogSoftmax", ins, outs, { axis: -1 }),
  LayerNorm: (n, c, ins, outs) => {
    const eps = n.attrs.eps ?? 1e-5;
    if (n.outputs[0].dtype === "float32") {
      c.emit("LayerNormalization", ins, outs, { axis: -1, epsilon: { float: eps } });
      return;
    }
    // ORT's CPU LayerNormalization has no float64 kernel; float64 graphs (gradient checks) compose it.
    const [x, gamma, beta] = ins;
    const [y, mean, invStd] = outs;
    const last = c.i64([-1]);
    c.emit("ReduceMean", [x, last], [mean], { keepdims: 1 });
    const centred = c.value("Sub", [x, mean]);
    const variance = c.value("ReduceMean", [c.value("Mul", [centred, centred]), last], { keepdims: 1 });
    c.emit("Reciprocal", [c.value("Sqrt", [c.value("Add", [variance, c.float(eps, "float64")])])], [invStd]);
    c.emit("Add", [c.value("Mul", [c.value("Mul", [centred, invStd]), gamma]), beta], [y]);
  },
  SoftmaxCrossEntropy: (n, c, ins, outs) => {
    const [rows, table, targets] = ins;
    const [loss, logp] = outs;
    const logits = c.value("MatMul", [rows, c.value("Transpose", [table], { perm: [1, 0] })]);
    const ignored = c.value("Equal", [targets, c.i64([n.attrs.ignoreIndex ?? -100], true)]);
    const safe = c.value("Where", [ignored, c.i64([0], true), targets]);
    c.emit("LogSoftmax", [logits], [logp], { axis: -1 });
    const picked = c.value("GatherElements", [logp, c.value("Unsqueeze", [safe, c.i64([1])])], { axis: 1 });
    const nll = c.value("Neg", [c.value("Squeeze", [picked, c.i64([1])])]);
    c.emit("Where", [ignored, c.float(0, n.outputs[0].dtype), nll], [loss]);
  },
  RandomUniform: randomUniform,
  TopK: (n, c, ins, outs) =>
    c.emit("TopK", [ins[0], c.i64([n.attrs.k ?? 1])], outs, { axis: -1, largest: 1, sorted: 1 }),
};

function zeroOf(dtype: DType): OnnxTensor["data"] {
  if (dtype === "float64") return new Float64Array(1);
  if (dtype === "int64") return new BigInt64Array(1);
  return new Float32Array(1);
}

function valueInfo(name: string, t: Tensor): OnnxValueInfo {
  return { name, dtype: t.dtype, dims: t.shape };
}

export interface LowerSpec {
  /** Graph outputs by name. */
  outputs: Record<string, Tensor>;
  /** "inputs" for train steps (fed each run); "initializers" bakes current values in (export). */
  params: "inputs" | "initializers";
  /** Values for params when baked in; defaults to their init. */
  paramValues?: Map<Tensor, Float32Array | Float64Array>;
}

export interface LoweredModel {
  bytes: Uint8Array;
  /** The ONNX graph the bytes encode (for export-time rewrites such as quantize.ts). */
  graph: OnnxGraph;
  inputs: Tensor[];
  outputNames: string[];
}

/** Lowers everything the outputs depend on into one ONNX model. */
export function lowerToOnnx(spec: LowerSpec, name = "seqrank"): LoweredModel {
  const outTensors = Object.values(spec.outputs);
  const c = new LoweringContext();
  const aliases: [string, Tensor][] = [];
  for (const [outName, t] of Object.entries(spec.outputs)) {
    if (t.node.op !== "Leaf" && !c.renamed.has(t.name)) c.renamed.set(t.name, outName);
    else aliases.push([outName, t]);
  }
  const inputs: Tensor[] = [];
  for (const node of ancestors(outTensors)) {
    const t = node.outputs[0];
    if (node.op === "Leaf") {
      const leaf = node.leaf!;
      if (leaf.kind === "input" || (leaf.kind === "param" && spec.params === "inputs")) inputs.push(t);
      else {
        const data = leaf.kind === "param" ? (spec.paramValues?.get(t) ?? leaf.init) : leaf.value;
        c.initializers.push({ name: t.name, dtype: t.dtype, dims: t.shape as number[], data });
      }
      continue;
    }
    const ins = node.inputs.map((i) => c.nameOf(i));
    try {
      LOWER[node.op](
        node,
        c,
        ins,
        node.outputs.map((o) => c.nameOf(o)),
      );
    } catch (e) {
      throw new SeqrankError(
        "SR_ERR_LOWER",
        `lowering ${node.op} (${node.outputNames[0]}): ${(e as Error).message}`,
      );
    }
  }
  for (const [outName, t] of aliases) c.emit("Identity", [c.nameOf(t)], [outName]);
  const outputs = Object.entries(spec.outputs).map(([outName, t]) => valueInfo(outName, t));
  const graph: OnnxGraph = {
    name,
    nodes: c.nodes,
    inputs: inputs.map((t) => valueInfo(t.name, t)),
    outputs,
    initializers: c.initializers,
  };
  return { bytes: encodeModel(graph), graph, inputs, outputNames: Object.keys(spec.outputs) };
}
