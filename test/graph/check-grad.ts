// Finite-difference gradient checks on float64 graphs run by ONNX Runtime.
import type ort from "onnxruntime-node";
import { grad } from "../../src/graph/grad.js";
import { Graph, sizeOf, type Tensor } from "../../src/graph/graph.js";
import { Rng } from "../../src/graph/init.js";
import { lowerToOnnx } from "../../src/graph/lower-onnx.js";
import { createSession, type Feeds, tensor } from "../../src/graph/session.js";
import * as o from "../../src/graph/tensor-ops.js";

export interface GradCase {
  /** Shapes of the parameters to differentiate. */
  params: number[][];
  build: (g: Graph, params: Tensor[]) => Tensor;
  /** Draw parameter values in (0.5, 1.5) instead of N(0, 1) (for log, sqrt, pow). */
  positive?: boolean;
  /** Fixed run-time inputs (indices, masks). */
  feeds?: (g: Graph) => { tensors: Tensor[]; values: Feeds };
  /** At most this many coordinates per parameter are perturbed. */
  maxCoords?: number;
  /** Finite-difference step (default 1e-6) and tolerated relative error (default 1e-6). */
  h?: number;
  tol?: number;
}

export interface GradReport {
  maxRelError: number;
  tol: number;
  ops: Set<string>;
}

/** Compares autodiff gradients of sum(op(params) * W) (W random) with central differences. */
export async function checkGrad(c: GradCase, seed = 7): Promise<GradReport> {
  const rng = new Rng(seed);
  const g = new Graph("float64");
  const params: Tensor[] = c.params.map((shape, i) => {
    const init = new Float64Array(sizeOf(shape)).map(() => (c.positive ? 0.5 + rng.next() : rng.normal()));
    return g.param(`p${i}`, shape, init);
  });
  const fed = c.feeds?.(g);
  const y = c.build(g, params);
  params.push(...g.params().filter((p) => !params.includes(p))); // parameters created by layers
  const ops = new Set(g.nodes.map((n) => n.op));
  const wValues = new Float64Array(sizeOf(y.shape as number[])).map(() => rng.normal());
  const loss = o.sum(o.mul(y, g.constant(wValues, y.shape as number[], "float64")));
  const grads = grad(loss, params);
  const outputs: Record<string, Tensor> = { loss };
  grads.forEach((t, i) => {
    outputs[`g${i}`] = t;
  });
  const model = lowerToOnnx({ outputs, params: "inputs" });
  const session = await createSession(model, { threads: 1 });
  const values = params.map((p) => Float64Array.from((p.node.leaf as { init: Float64Array }).init));
  const feeds = (): Feeds => {
    const f: Feeds = { ...(fed?.values ?? {}) };
    params.forEach((p, i) => {
      f[p.name] = tensor(values[i], p.shape as number[]);
    });
    return f;
  };
  const run = async () => (await session.run(feeds())) as Record<string, ort.Tensor>;
  const base = await run();
  let maxRelError = 0;
  const h = c.h ?? 1e-6;
  for (let i = 0; i < params.length; i++) {
    const analytic = base[`g${i}`].data as Float64Array;
    const n = values[i].length;
    const coords =
      n <= (c.maxCoords ?? 64) ? [...Array(n).keys()] : [...Array(c.maxCoords ?? 64)].map(() => rng.int(n));
    for (const k of coords) {
      const v = values[i][k];
      values[i][k] = v + h;
      const up = Number((await run()).loss.data[0]);
      values[i][k] = v - h;
      const down = Number((await run()).loss.data[0]);
      values[i][k] = v;
      const numeric = (up - down) / (2 * h);
      const err = Math.abs(numeric - analytic[k]) / Math.max(1, Math.abs(numeric), Math.abs(analytic[k]));
      maxRelError = Math.max(maxRelError, err);
    }
  }
  await session.release();
  return { maxRelError, ops, tol: c.tol ?? 1e-6 };
}
