// A minimal protobuf writer for the part of onnx.proto that seqrank emits: ModelProto, GraphProto, NodeProto,
// AttributeProto, TensorProto and ValueInfoProto. Field numbers follow onnx/onnx.proto (IR version 8, opset 18).

export const ONNX_DTYPE = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float64: 11,
  uint32: 12,
} as const;
export type OnnxDType = keyof typeof ONNX_DTYPE;

export type AttrValue = number | string | readonly number[] | OnnxTensor | { float: number };

export interface OnnxNode {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attrs?: Record<string, AttrValue>;
  domain?: string;
}

export interface OnnxTensor {
  name?: string;
  dtype: OnnxDType;
  dims: readonly number[];
  data: Float32Array | Float64Array | BigInt64Array | Uint8Array | Int8Array | Uint32Array;
}

export interface OnnxValueInfo {
  name: string;
  dtype: OnnxDType;
  dims: readonly (number | string)[];
}

export interface OnnxGraph {
  name: string;
  nodes: readonly OnnxNode[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
  initializers: readonly OnnxTensor[];
}

class Writer {
  private chunks: Uint8Array[] = [];
  private scratch = new Uint8Array(16);
  length = 0;

  private push(b: Uint8Array) {
    this.chunks.push(b);
    this.length += b.length;
  }
  varint(v: number | bigint) {
    let x = BigInt.asUintN(64, BigInt(v));
    let n = 0;
    while (x >= 0x80n) {
      this.scratch[n++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.scratch[n++] = Number(x);
    this.push(this.scratch.slice(0, n));
  }
  tag(field: number, wire: number) {
    this.varint((field << 3) | wire);
  }
  int(field: number, v: number | bigint) {
    this.tag(field, 0);
    this.varint(v);
  }
  float(field: number, v: number) {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.push(b);
  }
  bytes(field: number, b: Uint8Array) {
    this.tag(field, 2);
    this.varint(b.length);
    this.push(b);
  }
  string(field: number, s: string) {
    this.bytes(field, new TextEncoder().encode(s));
  }
  message(field: number, build: (w: Writer) => void) {
    const inner = new Writer();
    build(inner);
    this.bytes(field, inner.finish());
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

function writeTensor(w: Writer, t: OnnxTensor) {
  for (const d of t.dims) w.int(1, d);
  w.int(2, ONNX_DTYPE[t.dtype]);
  if (t.name) w.string(8, t.name);
  // raw_data is little-endian, which is what typed arrays hold on every platform Node supports.
  w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

function writeAttr(w: Writer, name: string, v: AttrValue) {
  w.string(1, name);
  if (typeof v === "string") {
    w.string(4, v);
    w.int(20, 3);
  } else if (typeof v === "number") {
    w.int(3, v);
    w.int(20, 2);
  } else if (Array.isArray(v)) {
    for (const x of v as number[]) w.int(8, x);
    w.int(20, 7);
  } else if ("float" in (v as object)) {
    w.float(2, (v as { float: number }).float);
    w.int(20, 1);
  } else {
    w.message(5, (t) => writeTensor(t, v as OnnxTensor));
    w.int(20, 4);
  }
}

function writeValueInfo(w: Writer, v: OnnxValueInfo) {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tt) => {
      tt.int(1, ONNX_DTYPE[v.dtype]);
      tt.message(2, (shape) => {
        for (const d of v.dims)
          shape.message(1, (dim) => (typeof d === "number" ? dim.int(1, d) : dim.string(2, d)));
      });
    }),
  );
}

export function encodeModel(graph: OnnxGraph, opset = 18): Uint8Array {
  const w = new Writer();
  w.int(1, 8); // ir_version 8 pairs with opset 18
  w.string(2, "seqrank");
  w.message(7, (g) => {
    graph.nodes.forEach((n, i) => {
      g.message(1, (nw) => {
        for (const x of n.inputs) nw.string(1, x);
        for (const x of n.outputs) nw.string(2, x);
        nw.string(3, `${n.op}_${i}`);
        nw.string(4, n.op);
        for (const [k, v] of Object.entries(n.attrs ?? {})) nw.message(5, (aw) => writeAttr(aw, k, v));
        if (n.domain) nw.string(7, n.domain);
      });
    });
    g.string(2, graph.name);
    for (const t of graph.initializers) g.message(5, (tw) => writeTensor(tw, t));
    for (const v of graph.inputs) g.message(11, (vw) => writeValueInfo(vw, v));
    for (const v of graph.outputs) g.message(12, (vw) => writeValueInfo(vw, v));
  });
  w.message(8, (o) => {
    o.string(1, "");
    o.int(2, opset);
  });
  return w.finish();
}
