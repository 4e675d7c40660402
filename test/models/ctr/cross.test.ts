import assert from "node:assert/strict";
import { test } from "node:test";
import { BuildContext } from "../../../src/graph/context.js";
import { Graph } from "../../../src/graph/graph.js";
import { Rng } from "../../../src/graph/init.js";
import { ParamStore } from "../../../src/graph/param-store.js";
import { Runner, tensor } from "../../../src/graph/session.js";
import { crossNetwork } from "../../../src/models/ctr/index.js";
import { checkGrad } from "../../graph/check-grad.js";

test("cross network equals x_{l+1} = x0 ⊙ (x_l·W_l + b_l) + x_l computed in plain JS", async () => {
  const [b, d, layers] = [3, 5, 2];
  const g = new Graph();
  const x0 = g.input("x0", "float32", ["batch", d]);
  const store = new ParamStore(11);
  const out = crossNetwork(new BuildContext(g, store, false), "cross", x0, layers);
  const rng = new Rng(5);
  // Biases start at zero: give them values so the test also covers b_l.
  for (let l = 0; l < layers; l++) {
    const bias = store.get(`cross.${l}.bias`).value;
    for (let i = 0; i < d; i++) bias[i] = rng.normal();
  }
  const runner = await Runner.create({ out }, store, { threads: 1 });
  const input = Float32Array.from({ length: b * d }, () => rng.normal());
  const got = (await runner.run({ x0: tensor(input, [b, d]) })).out.data as Float32Array;
  for (let r = 0; r < b; r++) {
    const first = Array.from(input.subarray(r * d, (r + 1) * d));
    let x = first;
    for (let l = 0; l < layers; l++) {
      const w = store.get(`cross.${l}.weight`).value; // [d, d], x·W
      const bias = store.get(`cross.${l}.bias`).value;
      x = x.map((xj, j) => {
        let proj = bias[j];
        for (let i = 0; i < d; i++) proj += x[i] * w[i * d + j];
        return first[j] * proj + xj;
      });
    }
    for (let j = 0; j < d; j++) {
      assert.ok(Math.abs(got[r * d + j] - x[j]) < 1e-5, `row ${r}, ${j}: ${got[r * d + j]} vs ${x[j]}`);
    }
  }
  await runner.release();
});

test("cross network gradient matches finite differences (w.r.t. its input)", async () => {
  const r = await checkGrad({
    params: [[4, 6]],
    build: (g, [x]) => crossNetwork(new BuildContext(g, new ParamStore(3), false), "cross", x, 2),
  });
  assert.ok(r.maxRelError < r.tol, `max relative error ${r.maxRelError}`);
});
