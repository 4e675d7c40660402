// Export-time int8 quantisation: a rewrite of a lowered ONNX graph (no new primitives; training never sees
// it). Every MatMul whose right operand is a float32 weight matrix (an initializer) and whose left operand
// depends on the graph inputs gets int8 weights, symmetric per output column (scale = max|w| / 127). Matmuls
// over constants only (e.g. a side-feature item table) stay float32: ONNX Runtime folds them at load time.
//   "int8":         activations are quantised per call (DynamicQuantizeLinear → MatMulInteger → Cast → Mul by
//                   both scales); ONNX Runtime fuses the pattern into its DynamicQuantizeMatMul kernel.
//   "int8-weights": weight-only, DequantizeLinear(int8 weights) → float MatMul, for runtimes without integer
//                   matmuls. ONNX Runtime's CPU provider folds the dequantisation at load (its optimised graph
//                   has the float32 MatMuls back), so it brings no speed (bench/int8.ts measured it slower).
import { SeqrankError } from "../util/errors.js";
import { ONNX_DTYPE, type OnnxGraph, type OnnxNode, type OnnxTensor } from "./onnx-proto.js";

export const QUANTIZE_MODES = ["int8", "int8-weights"] as const;
export type QuantizeMode = (typeof QUANTIZE_MODES)[number];

export interface QuantizedWeights {
  values: Int8Array;
  /** One scale per column. */
  scales: Float32Array;
}

/** Symmetric per-column int8 quantisation of a row-major [rows, cols] matrix. */
export function quantizePerColumn(w: Float32Array, rows: number, cols: number): QuantizedWeights {
  const scales = new Float32Array(cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) scales[c] = Math.max(scales[c], Math.abs(w[r * cols + c]));
  for (let c = 0; c < cols; c++) scales[c] = scales[c] > 0 ? scales[c] / 127 : 1;
  const values = new Int8Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) values[r * cols + c] = Math.round(w[r * cols + c] / scales[c]);
  return { values, scales };
}

/** Names of the values that depend on a graph input (nodes are in topological order). */
function dynamicValues(graph: OnnxGraph): Set<string> {
  const dynamic = new Set(graph.inputs.map((v) => v.name));
  for (const n of graph.nodes)
    if (n.inputs.some((i) => dynamic.has(i))) for (const o of n.outputs) dynamic.add(o);
  return dynamic;
}

export interface QuantizeResult {
  graph: OnnxGraph;
  /** Names of the weight initializers that were quantised. */
  quantized: string[];
}

/** Rewrites `graph`'s weight matmuls to int8 (see the file comment); the input graph is not modified. */
export function quantizeMatMulWeights(graph: OnnxGraph, mode: QuantizeMode): QuantizeResult {
  const init = new Map(graph.initializers.map((t) => [t.name, t]));
  const dynamic = dynamicValues(graph);

  const nodes: OnnxNode[] = [];
  const added: OnnxTensor[] = [];
  const quantized = new Map<string, { q: string; scale: string; zero: string }>();
  for (const n of graph.nodes) {
    const [a, b] = n.inputs;
    const w = init.get(b);
    if (n.op !== "MatMul" || !dynamic.has(a) || !w || w.dtype !== "float32" || w.dims.length !== 2) {
      nodes.push(n);
      continue;
    }
    let names = quantized.get(b);
    if (!names) {
      const [rows, cols] = w.dims;
      const { values, scales } = quantizePerColumn(w.data as Float32Array, rows, cols);
      names = { q: `${b}_int8`, scale: `${b}_scale`, zero: `${b}_zero` };
      added.push(
        { name: names.q, dtype: "int8", dims: [rows, cols], data: values },
        { name: names.scale, dtype: "float32", dims: [cols], data: scales },
        { name: names.zero, dtype: "int8", dims: [cols], data: new Int8Array(cols) },
      );
      quantized.set(b, names);
    }
    const out = n.outputs[0];
    const tmp = (s: string) => `${out}_${s}`;
    if (mode === "int8-weights") {
      nodes.push(
        {
          op: "DequantizeLinear",
          inputs: [names.q, names.scale, names.zero],
          outputs: [tmp("w")],
          attrs: { axis: 1 },
        },
        { op: "MatMul", inputs: [a, tmp("w")], outputs: [out] },
      );
    } else {
      nodes.push(
        { op: "DynamicQuantizeLinear", inputs: [a], outputs: [tmp("aq"), tmp("as"), tmp("azp")] },
        { op: "MatMulInteger", inputs: [tmp("aq"), names.q, tmp("azp"), names.zero], outputs: [tmp("i32")] },
        { op: "Cast", inputs: [tmp("i32")], outputs: [tmp("f")], attrs: { to: ONNX_DTYPE.float32 } },
        { op: "Mul", inputs: [tmp("as"), names.scale], outputs: [tmp("s")] },
        { op: "Mul", inputs: [tmp("f"), tmp("s")], outputs: [out] },
      );
    }
  }
  if (quantized.size === 0)
    throw new SeqrankError("SR_ERR_QUANTIZE", "no MatMul with a float32 weight matrix to quantise");
  // A weight also read by something other than the rewritten matmuls keeps its float32 copy.
  const stillUsed = new Set(nodes.flatMap((n) => n.inputs));
  const initializers = [...graph.initializers.filter((t) => stillUsed.has(t.name ?? "")), ...added];
  return { graph: { ...graph, nodes, initializers }, quantized: [...quantized.keys()] };
}
