import assert from "node:assert/strict";
import { test } from "node:test";
import ort from "onnxruntime-node";
import { BuildContext } from "../../src/graph/context.js";
import { Graph } from "../../src/graph/graph.js";
import { normal, Rng } from "../../src/graph/init.js";
import { lowerToOnnx } from "../../src/graph/lower-onnx.js";
import * as nn from "../../src/graph/nn.js";
import { encodeModel, type OnnxGraph } from "../../src/graph/onnx-proto.js";
import { ParamStore } from "../../src/graph/param-store.js";
import { quantizeMatMulWeights, quantizePerColumn } from "../../src/graph/quantize.js";
import { tensor } from "../../src/graph/session.js";
import * as o from "../../src/graph/tensor-ops.js";

test("per-column int8: every weight within half a step of its column's scale, the column maximum at ±127", () => {
  const rng = new Rng(1);
  const [rows, cols] = [40, 6];
  const w = normal(rows * cols, 0.3, rng);
  for (let r = 0; r < rows; r++) w[r * cols + 5] *= 50; // one much larger column
  const { values, scales } = quantizePerColumn(w, rows, cols);
  assert.ok(scales[5] > 20 * scales[0], "a large column gets its own scale");
  for (let c = 0; c < cols; c++) {
    let top = 0;
    for (let r = 0; r < rows; r++) {
      const i = r * cols + c;
      assert.ok(Math.abs(values[i] * scales[c] - w[i]) <= scales[c] / 2 + 1e-7);
      top = Math.max(top, Math.abs(values[i]));
    }
    assert.equal(top, 127);
  }
});

/** x [batch, 16] → linear 32 → relu → linear 8, plus a matmul of two parameters (constants only). */
function mlp(): { graph: OnnxGraph } {
  const g = new Graph();
  const store = new ParamStore(5);
  const ctx = new BuildContext(g, store, false);
  const init = (n: number, rng: Rng) => normal(n, 0.3, rng);
  const x = g.input("x", "float32", ["batch", 16]);
  const h = o.relu(nn.linear(ctx, "fc1", x, 32));
  const constant = o.matmul(ctx.param("a", [1, 4], init), ctx.param("b", [4, 8], init));
  const y = o.add(nn.linear(ctx, "fc2", h, 8), constant);
  const paramValues = new Map(g.params().map((p) => [p, store.get(p.name).value] as const));
  return lowerToOnnx({ outputs: { y }, params: "initializers", paramValues });
}

async function run(graph: OnnxGraph, x: Float32Array, batch: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(encodeModel(graph), { graphOptimizationLevel: "all" });
  const out = (await session.run({ x: tensor(x, [batch, 16]) })).y.data as Float32Array;
  await session.release();
  return out;
}

test("int8 and int8-weights rewrite exactly the weight matmuls that read inputs, and stay close to float32", async () => {
  const { graph } = mlp();
  const batch = 64;
  const x = normal(batch * 16, 1, new Rng(9));
  const ref = await run(graph, x, batch);
  let scale = 0;
  for (const v of ref) scale = Math.max(scale, Math.abs(v));
  for (const mode of ["int8", "int8-weights"] as const) {
    const q = quantizeMatMulWeights(graph, mode);
    assert.deepEqual(q.quantized.sort(), ["fc1.weight", "fc2.weight"], mode);
    const names = new Set(q.graph.initializers.map((t) => t.name));
    assert.ok(!names.has("fc1.weight") && names.has("fc1.weight_int8"), "the float32 weight is gone");
    assert.ok(names.has("b"), "the constant-only matmul keeps its float32 operand");
    const got = await run(q.graph, x, batch);
    let maxErr = 0;
    for (let i = 0; i < ref.length; i++) maxErr = Math.max(maxErr, Math.abs(got[i] - ref[i]));
    // Int8 steps of the weights (and, for "int8", of the activations): measured 0.05–0.06% of the output scale.
    assert.ok(maxErr < 0.005 * scale, `${mode}: max error ${maxErr} vs output scale ${scale}`);
    assert.ok(maxErr > 0, `${mode}: outputs differ from float32, so the int8 path ran`);
  }
  assert.equal(graph.nodes.filter((n) => n.op === "MatMul").length, 3, "the input graph is not modified");
});

test("a graph without a weight matmul is refused with a coded error", () => {
  const g = new Graph();
  const x = g.input("x", "float32", ["batch", 4]);
  const { graph } = lowerToOnnx({ outputs: { y: o.matmul(x, x, { transB: true }) }, params: "initializers" });
  assert.throws(() => quantizeMatMulWeights(graph, "int8"), { code: "SR_ERR_QUANTIZE" });
});
