import assert from "node:assert/strict";
import { test } from "node:test";
import { Graph } from "../../src/graph/graph.js";
import * as o from "../../src/graph/tensor-ops.js";

const g = new Graph();
const x = g.input("x", "float32", ["batch", "seq", 64]);
const w = g.param("w", [32, 16], new Float32Array(32 * 16));
const ids = g.input("ids", "float32", ["batch"]);

test("shape errors name the op, the inputs' shapes and what was expected", () => {
  assert.throws(() => o.matmul(x, w), {
    code: "SR_ERR_SHAPE",
    message:
      "MatMul: inputs [batch, seq, 64]:float32, [32, 16]:float32 — expected a.shape[-1] (64) == b.shape[-2] (32)",
  });
  assert.throws(
    () => o.add(x, w),
    /Add: inputs \[batch, seq, 64\]:float32, \[32, 16\]:float32 — expected shapes that broadcast/,
  );
  assert.throws(() => o.gather(w, ids), /Gather: .* — expected int64 indices/);
  const fixed = g.param("w3", [4, 6], new Float32Array(24));
  assert.throws(
    () => o.reshape(fixed, [-1, 5]),
    /Reshape: .* — expected a reshape to \[-1,5\] that divides 24/,
  );
  assert.throws(() => o.transpose(x, [0, 0, 1]), /expected a permutation of 3 axes/);
  assert.throws(() => o.sum(x, { axes: [3] }), /ReduceSum: .* — expected axis 3 within rank 3/);
});

test("symbolic dims propagate through reshape and matmul", () => {
  const flat = o.reshape(x, [-1, 64]);
  assert.deepEqual(flat.shape, ["batch*seq", 64]);
  const y = o.matmul(x, g.param("w2", [64, 8], new Float32Array(64 * 8)));
  assert.deepEqual(y.shape, ["batch", "seq", 8]);
});
