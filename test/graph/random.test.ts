import assert from "node:assert/strict";
import { test } from "node:test";
import { Graph } from "../../src/graph/graph.js";
import { Runner, tensor } from "../../src/graph/session.js";
import * as o from "../../src/graph/tensor-ops.js";

async function draw(seed: number, salt: number, n = 100_000): Promise<Float32Array> {
  const g = new Graph();
  const like = g.input("like", "float32", ["n"]);
  const s = g.input("seed", "int64", []);
  const runner = await Runner.create({ u: o.randomUniform(like, s, salt) }, undefined, { threads: 1 });
  const out = await runner.run({
    like: tensor(new Float32Array(n), [n]),
    seed: tensor(BigInt64Array.of(BigInt(seed)), []),
  });
  return out.u.data as Float32Array;
}

test("randomUniform is uniform on [0, 1): mean, variance and a chi-square test over 20 buckets", async () => {
  const u = await draw(1, 1);
  let sum = 0;
  let sq = 0;
  const buckets = new Array(20).fill(0);
  for (const x of u) {
    assert.ok(x >= 0 && x < 1);
    sum += x;
    sq += x * x;
    buckets[Math.floor(x * 20)]++;
  }
  const mean = sum / u.length;
  assert.ok(Math.abs(mean - 0.5) < 0.005, `mean ${mean}`);
  assert.ok(Math.abs(sq / u.length - mean * mean - 1 / 12) < 0.002);
  const expected = u.length / 20;
  const chi2 = buckets.reduce((a, c) => a + (c - expected) ** 2 / expected, 0);
  assert.ok(chi2 < 43.8, `chi-square ${chi2} (19 dof, p = 0.001 critical value 43.8)`);
});

test("randomUniform is a pure function of seed and salt", async () => {
  const a = await draw(5, 1, 1000);
  assert.deepEqual(await draw(5, 1, 1000), a);
  const otherSeed = await draw(6, 1, 1000);
  const otherSalt = await draw(5, 2, 1000);
  const same = (x: Float32Array, y: Float32Array) => x.filter((v, i) => v === y[i]).length;
  assert.ok(same(a, otherSeed) < 5 && same(a, otherSalt) < 5);
});
