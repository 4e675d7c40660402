// Forward values of the float32 lowerings (fused ORT kernels) against plain-JS references.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Graph } from "../../src/graph/graph.js";
import { Rng } from "../../src/graph/init.js";
import * as nn from "../../src/graph/nn.js";
import { Runner, tensor } from "../../src/graph/session.js";
import * as o from "../../src/graph/tensor-ops.js";

const rng = new Rng(11);
const randn = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `[${i}] ${a[i]} vs ${b[i]}`);
};

test("topk returns the k largest values and their indices, in order", async () => {
  const g = new Graph();
  const x = g.input("x", "float32", ["b", 6]);
  const { values, indices } = o.topk(x, 3);
  const r = await (await Runner.create({ values, indices }, undefined, { threads: 1 })).run({
    x: tensor(Float32Array.of(0.1, 5, -2, 3, 4, 0, 9, 8, 7, 1, 2, 3), [2, 6]),
  });
  assert.deepEqual([...(r.values.data as Float32Array)], [5, 4, 3, 9, 8, 7]);
  assert.deepEqual([...(r.indices.data as BigInt64Array)].map(Number), [1, 4, 3, 0, 1, 2]);
});

test("fused LayerNorm, GELU and softmax cross-entropy match JS references", async () => {
  const g = new Graph();
  const x = g.input("x", "float32", [4, 8]);
  const table = g.input("table", "float32", [5, 8]);
  const t = g.input("t", "int64", [4]);
  const gamma = g.constant(
    Float32Array.from({ length: 8 }, (_, i) => 1 + i / 10),
    [8],
  );
  const beta = g.constant(
    Float32Array.from({ length: 8 }, (_, i) => i / 20),
    [8],
  );
  const outputs = {
    ln: o.layerNorm(x, gamma, beta, 1e-5),
    gelu: nn.gelu(x),
    ce: o.softmaxCrossEntropy(x, table, t),
  };
  const xs = randn(32);
  const ts = randn(40);
  const targets = [0, 4, 2, -100];
  const r = await (await Runner.create(outputs, undefined, { threads: 1 })).run({
    x: tensor(xs, [4, 8]),
    table: tensor(ts, [5, 8]),
    t: tensor(BigInt64Array.from(targets.map(BigInt)), [4]),
  });
  const ln: number[] = [];
  const ce: number[] = [];
  for (let row = 0; row < 4; row++) {
    const v = [...xs.subarray(row * 8, row * 8 + 8)];
    const mu = v.reduce((a, b) => a + b) / 8;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mu) ** 2, 0) / 8 + 1e-5);
    for (const [i, y] of v.entries()) ln.push(((y - mu) / sd) * (1 + i / 10) + i / 20);
    const logits = [0, 1, 2, 3, 4].map((c) => v.reduce((a, y, i) => a + y * ts[c * 8 + i], 0));
    const m = Math.max(...logits);
    const lse = m + Math.log(logits.reduce((a, l) => a + Math.exp(l - m), 0));
    ce.push(targets[row] < 0 ? 0 : lse - logits[targets[row]]);
  }
  close(r.ln.data as Float32Array, ln, 1e-5);
  close(r.ce.data as Float32Array, ce, 1e-5);
  const erf = (z: number) => {
    // Abramowitz–Stegun 7.1.26 is too coarse for 1e-6; integrate exp(−s²) with Simpson's rule instead.
    const n = 2000;
    let acc = 0;
    for (let i = 0; i <= n; i++)
      acc += (i === 0 || i === n ? 1 : i % 2 ? 4 : 2) * Math.exp(-(((z * i) / n) ** 2));
    return ((2 / Math.sqrt(Math.PI)) * acc * z) / (3 * n);
  };
  close(
    r.gelu.data as Float32Array,
    [...xs].map((y) => 0.5 * y * (1 + erf(y / Math.SQRT2))),
    1e-5,
  );
});
