import assert from "node:assert/strict";
import { test } from "node:test";
import { Graph } from "../../src/graph/graph.js";
import type { OptimizerConfig } from "../../src/graph/optim.js";
import { ParamStore } from "../../src/graph/param-store.js";
import { TrainStep } from "../../src/graph/session.js";
import * as o from "../../src/graph/tensor-ops.js";

// loss = Σ c·p + ½ Σ p², so grad = c + p: a known gradient to compare updates with PyTorch's formulas.
const C = [0.5, -2, 3, 0.1, -0.7, 1.5];
const P0 = [0.1, 0.2, -0.3, 0.4, -0.5, 0.6];

async function run(cfg: Partial<OptimizerConfig>, steps: number, lr: number): Promise<Float32Array> {
  const g = new Graph();
  const store = new ParamStore();
  const p = store.param(g, "w", [2, 3], () => Float32Array.from(P0));
  const loss = o.add(
    o.sum(o.mul(p, g.constant(Float32Array.from(C), [2, 3]))),
    o.mul(o.sum(o.mul(p, p)), 0.5),
  );
  const step = await TrainStep.create({ loss, optimizer: cfg }, store, { threads: 1 });
  for (let i = 0; i < steps; i++) await step.run({}, lr);
  return step.state().get("w")!.data as Float32Array;
}

function reference(cfg: Partial<OptimizerConfig>, steps: number, lr: number): number[] {
  const {
    kind = "adam",
    beta1 = 0.9,
    beta2 = 0.999,
    eps = 1e-8,
    weightDecay = 0,
    momentum = 0,
    clipNorm = 0,
  } = cfg;
  const p = [...P0];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  for (let t = 1; t <= steps; t++) {
    let grad = p.map((x, i) => C[i] + x);
    if (clipNorm > 0) {
      const norm = Math.sqrt(grad.reduce((a, x) => a + x * x, 0));
      if (norm > clipNorm) grad = grad.map((x) => (x * clipNorm) / (norm + 1e-6));
    }
    if (kind !== "adamw" && weightDecay > 0) grad = grad.map((x, i) => x + weightDecay * p[i]);
    for (let i = 0; i < p.length; i++) {
      if (kind === "sgd") {
        m[i] = momentum > 0 ? m[i] * momentum + grad[i] : grad[i];
        p[i] -= lr * m[i];
        continue;
      }
      if (kind === "adamw") p[i] *= 1 - lr * weightDecay;
      m[i] = beta1 * m[i] + (1 - beta1) * grad[i];
      v[i] = beta2 * v[i] + (1 - beta2) * grad[i] ** 2;
      const denom = Math.sqrt(v[i]) / Math.sqrt(1 - beta2 ** t) + eps;
      p[i] -= (lr / (1 - beta1 ** t)) * (m[i] / denom);
    }
  }
  return p;
}

const CONFIGS: Record<string, Partial<OptimizerConfig>> = {
  sgd: { kind: "sgd" },
  "sgd + momentum + L2": { kind: "sgd", momentum: 0.9, weightDecay: 0.1 },
  adam: { kind: "adam" },
  "adam + L2": { kind: "adam", weightDecay: 0.05 },
  "adamw (decoupled decay)": { kind: "adamw", weightDecay: 0.1 },
  "adam + global-norm clipping": { kind: "adam", clipNorm: 1 },
};

for (const [name, cfg] of Object.entries(CONFIGS)) {
  test(`${name}: 5 in-graph steps match the PyTorch update rule`, async () => {
    const got = await run(cfg, 5, 0.01);
    const want = reference(cfg, 5, 0.01);
    got.forEach((x, i) => {
      assert.ok(Math.abs(x - want[i]) < 1e-5, `w[${i}] = ${x}, expected ${want[i]}`);
    });
  });
}
