import assert from "node:assert/strict";
import { test } from "node:test";
import { Graph } from "../../../src/graph/graph.js";
import { Rng } from "../../../src/graph/init.js";
import { Runner, tensor } from "../../../src/graph/session.js";
import { fmPairwise, fmPairwiseNaive } from "../../../src/models/ctr/index.js";

test("FM's O(nk) pairwise term equals the naive O(n²k) sum of field dot products", async () => {
  const [b, f, k] = [5, 7, 4];
  const g = new Graph();
  const v = g.input("v", "float32", ["batch", f, k]);
  const runner = await Runner.create({ fast: fmPairwise(v), naive: fmPairwiseNaive(v) }, undefined, {
    threads: 1,
  });
  const rng = new Rng(7);
  const data = Float32Array.from({ length: b * f * k }, () => rng.normal());
  const out = await runner.run({ v: tensor(data, [b, f, k]) });
  const fast = out.fast.data as Float32Array;
  const naive = out.naive.data as Float32Array;
  for (let r = 0; r < b; r++) {
    let reference = 0; // plain JS: Σ_{i<j} ⟨v_i, v_j⟩
    for (let i = 0; i < f; i++)
      for (let j = i + 1; j < f; j++)
        for (let d = 0; d < k; d++) reference += data[(r * f + i) * k + d] * data[(r * f + j) * k + d];
    assert.ok(Math.abs(fast[r] - naive[r]) < 1e-4, `row ${r}: ${fast[r]} vs ${naive[r]}`);
    assert.ok(Math.abs(fast[r] - reference) < 1e-4, `row ${r}: ${fast[r]} vs JS ${reference}`);
  }
  await runner.release();
});
