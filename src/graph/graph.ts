// The graph: nodes recorded by op functions, tensors as (node, output index) handles with dtype and shape.
// Nothing runs here; graphs are lowered to ONNX (lower-onnx.ts) and executed by ONNX Runtime.
import { SeqrankError } from "../util/errors.js";
import type { Attrs, PrimOp } from "./ops.js";
import { inferShape } from "./shape.js";

export type DType = "float32" | "float64" | "int64" | "bool";
/** A dimension: a known size, or a named symbol such as "batch" (products like "batch*seq" are symbols too). */
export type Dim = number | string;
export type Shape = readonly Dim[];

export interface TensorMeta {
  dtype: DType;
  shape: Shape;
}

export class Tensor implements TensorMeta {
  constructor(
    readonly node: Node,
    readonly index: number,
    readonly dtype: DType,
    readonly shape: Shape,
  ) {}
  get graph(): Graph {
    return this.node.graph;
  }
  get rank(): number {
    return this.shape.length;
  }
  /** Stable name of this value in the lowered ONNX graph. */
  get name(): string {
    return this.node.outputNames[this.index];
  }
  toString(): string {
    return `${this.name}[${this.shape.join(",")}]:${this.dtype}`;
  }
}

export type Leaf =
  | { kind: "input" }
  | { kind: "param"; init: Float32Array | Float64Array }
  | { kind: "const"; value: Float32Array | Float64Array | BigInt64Array | Uint8Array };

export class Node {
  readonly outputs: Tensor[];
  readonly outputNames: string[];
  constructor(
    readonly graph: Graph,
    readonly id: number,
    readonly op: PrimOp | "Leaf",
    readonly inputs: readonly Tensor[],
    readonly attrs: Attrs,
    metas: readonly TensorMeta[],
    readonly leaf?: Leaf,
    name?: string,
  ) {
    this.outputNames = metas.map((_, i) => (name ?? `t${id}`) + (i === 0 ? "" : `_${i}`));
    this.outputs = metas.map((m, i) => new Tensor(this, i, m.dtype, m.shape));
  }
}

export class Graph {
  readonly nodes: Node[] = [];
  private readonly names = new Set<string>();
  /** The float type of parameters and activations: float32 to train, float64 for gradient checks. */
  constructor(readonly floatType: "float32" | "float64" = "float32") {}

  private add(
    op: PrimOp | "Leaf",
    inputs: readonly Tensor[],
    attrs: Attrs,
    metas: TensorMeta[],
    leaf?: Leaf,
    name?: string,
  ) {
    for (const t of inputs) {
      if (t.graph !== this)
        throw new SeqrankError("SR_ERR_GRAPH", `${op}: input ${t} belongs to another graph`);
    }
    if (name !== undefined) {
      if (this.names.has(name)) throw new SeqrankError("SR_ERR_GRAPH", `duplicate tensor name "${name}"`);
      this.names.add(name);
    }
    const node = new Node(this, this.nodes.length, op, inputs, attrs, metas, leaf, name);
    this.nodes.push(node);
    return node;
  }

  /** A value fed at run time (batch data, learning rate, step, seed). */
  input(name: string, dtype: DType, shape: Shape): Tensor {
    return this.add("Leaf", [], {}, [{ dtype, shape }], { kind: "input" }, name).outputs[0];
  }

  /** A trainable parameter with its initial value (shape must be fully known). */
  param(name: string, shape: readonly number[], init: Float32Array | Float64Array): Tensor {
    const size = shape.reduce((a, b) => a * b, 1);
    if (init.length !== size) {
      throw new SeqrankError(
        "SR_ERR_GRAPH",
        `param ${name}: init has ${init.length} values, shape [${shape}] needs ${size}`,
      );
    }
    const value = this.floatType === "float64" ? Float64Array.from(init) : Float32Array.from(init);
    return this.add("Leaf", [], {}, [{ dtype: this.floatType, shape }], { kind: "param", init: value }, name)
      .outputs[0];
  }

  /** A constant baked into the graph. */
  constant(
    value: Float32Array | Float64Array | BigInt64Array | Uint8Array,
    shape: readonly number[],
    dtype?: DType,
  ): Tensor {
    const dt: DType =
      dtype ??
      (value instanceof BigInt64Array ? "int64" : value instanceof Uint8Array ? "bool" : this.floatType);
    const v =
      dt === "float64" && !(value instanceof Float64Array) ? Float64Array.from(value as Float32Array) : value;
    return this.add("Leaf", [], {}, [{ dtype: dt, shape }], { kind: "const", value: v }).outputs[0];
  }

  scalar(value: number, dtype: DType = this.floatType): Tensor {
    if (dtype === "int64") return this.constant(BigInt64Array.of(BigInt(value)), [], "int64");
    const arr = dtype === "float64" ? Float64Array.of(value) : Float32Array.of(value);
    return this.constant(arr, [], dtype);
  }

  /** Record a primitive op: the shape rule checks the inputs and gives the outputs' dtype and shape. */
  apply(op: PrimOp, inputs: readonly Tensor[], attrs: Attrs = {}): Tensor[] {
    return this.add(op, inputs, attrs, inferShape(op, inputs, attrs)).outputs;
  }

  params(): Tensor[] {
    return this.nodes.filter((n) => n.leaf?.kind === "param").map((n) => n.outputs[0]);
  }

  inputs(): Tensor[] {
    return this.nodes.filter((n) => n.leaf?.kind === "input").map((n) => n.outputs[0]);
  }
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Nodes needed to compute `targets`, in topological order (node ids are already topological). */
export function ancestors(targets: readonly Tensor[]): Node[] {
  const seen = new Set<Node>();
  const stack = targets.map((t) => t.node);
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    for (const i of n.inputs) stack.push(i.node);
  }
  return [...seen].sort((a, b) => a.id - b.id);
}
