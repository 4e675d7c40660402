// Standalone artefacts: an inference `.onnx` file with the weights baked in as initializers (loadable by any
// ONNX runtime), optionally with int8 weight matmuls (quantize.ts), and the weights alone as safetensors.
import { writeFileSync } from "node:fs";
import { saveSafetensors } from "./checkpoint.js";
import type { Tensor } from "./graph.js";
import { lowerToOnnx } from "./lower-onnx.js";
import { encodeModel } from "./onnx-proto.js";
import type { ParamStore } from "./param-store.js";
import { type QuantizeMode, quantizeMatMulWeights } from "./quantize.js";

export interface ExportOnnxOptions {
  /** Int8 weight matmuls (see quantize.ts); default float32 throughout. */
  quantize?: QuantizeMode;
}

/** Writes the graph computing `outputs` (inputs stay dynamic-shaped, named as declared) to `path`. */
export function exportOnnx(
  path: string,
  outputs: Record<string, Tensor>,
  store: ParamStore,
  opts: ExportOnnxOptions = {},
): void {
  const graph = Object.values(outputs)[0].graph;
  const paramValues = new Map(graph.params().map((p) => [p, store.get(p.name).value] as const));
  const lowered = lowerToOnnx({ outputs, params: "initializers", paramValues }, "seqrank-inference");
  const bytes = opts.quantize
    ? encodeModel(quantizeMatMulWeights(lowered.graph, opts.quantize).graph)
    : lowered.bytes;
  writeFileSync(path, bytes);
}

export function exportWeights(path: string, store: ParamStore, metadata: Record<string, string> = {}): void {
  saveSafetensors(
    path,
    new Map([...store.entries].map(([name, e]) => [name, { shape: e.shape, data: e.value }])),
    metadata,
  );
}
