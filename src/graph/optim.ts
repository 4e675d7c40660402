// Optimizers as graph nodes: the update of every parameter and its state is part of the compiled train step.
// The learning rate and step count are run-time inputs, so schedules never force a rebuild.
import { z } from "zod";
import type { Graph, Tensor } from "./graph.js";
import * as o from "./tensor-ops.js";

export const OptimizerConfigSchema = z.strictObject({
  kind: z.enum(["sgd", "adam", "adamw"]).default("adam"),
  beta1: z.number().min(0).max(1).default(0.9),
  beta2: z.number().min(0).max(1).default(0.999),
  eps: z.number().positive().default(1e-8),
  /** L2 penalty for adam/sgd (added to the gradient); decoupled decay for adamw. */
  weightDecay: z.number().min(0).default(0),
  /** SGD momentum (0 = plain SGD). */
  momentum: z.number().min(0).max(1).default(0),
  /** Clip gradients by their global L2 norm (0 = off). */
  clipNorm: z.number().min(0).default(0),
});
export type OptimizerConfig = z.infer<typeof OptimizerConfigSchema>;

/** Optimizer state carried from step to step: an input tensor and the value it takes after the step. */
export interface Slot {
  name: string;
  param: Tensor;
  input: Tensor;
  next: Tensor;
}

export interface OptimizerGraph {
  lr: Tensor;
  step: Tensor;
  newParams: Tensor[];
  slots: Slot[];
  gradNorm?: Tensor;
}

/** Scales all gradients so their global L2 norm is at most `maxNorm`. */
export function clipGlobalNorm(grads: Tensor[], maxNorm: number): { grads: Tensor[]; norm: Tensor } {
  const squares = grads.map((g) => o.sum(o.mul(g, g)));
  const norm = o.sqrt(squares.reduce((a, b) => o.add(a, b)));
  const scale = o.where(o.greater(norm, maxNorm), o.div(maxNorm, o.add(norm, 1e-6)), 1);
  return { grads: grads.map((g) => o.mul(g, scale)), norm };
}

/** Decay applies to matrices only (not biases, LayerNorm gains), as is usual for transformers. */
const decays = (p: Tensor) => p.rank >= 2;

export function buildOptimizer(
  g: Graph,
  params: Tensor[],
  grads: Tensor[],
  cfg: OptimizerConfig,
): OptimizerGraph {
  const lr = g.input("lr", g.floatType, []);
  const step = g.input("step", g.floatType, []);
  let gradNorm: Tensor | undefined;
  if (cfg.clipNorm > 0) ({ grads, norm: gradNorm } = clipGlobalNorm(grads, cfg.clipNorm));
  const slots: Slot[] = [];
  const slot = (p: Tensor, kind: string, next: (input: Tensor) => Tensor) => {
    const input = g.input(`${p.name}.${kind}`, p.dtype, p.shape);
    const s = { name: input.name, param: p, input, next: next(input) };
    slots.push(s);
    return s.next;
  };
  const newParams = params.map((p, i) => {
    let grad = grads[i];
    if (cfg.weightDecay > 0 && cfg.kind !== "adamw" && decays(p))
      grad = o.add(grad, o.mul(p, cfg.weightDecay));
    if (cfg.kind === "sgd") {
      const dir =
        cfg.momentum > 0 ? slot(p, "momentum", (buf) => o.add(o.mul(buf, cfg.momentum), grad)) : grad;
      return o.sub(p, o.mul(dir, lr));
    }
    // Adam as in PyTorch: bias-corrected moments, eps added to the corrected root.
    const m = slot(p, "m", (prev) => o.add(o.mul(prev, cfg.beta1), o.mul(grad, 1 - cfg.beta1)));
    const v = slot(p, "v", (prev) => o.add(o.mul(prev, cfg.beta2), o.mul(o.mul(grad, grad), 1 - cfg.beta2)));
    const bc1 = o.sub(1, o.pow(g.scalar(cfg.beta1), step));
    const bc2 = o.sub(1, o.pow(g.scalar(cfg.beta2), step));
    const denom = o.add(o.div(o.sqrt(v), o.sqrt(bc2)), cfg.eps);
    const base =
      cfg.kind === "adamw" && cfg.weightDecay > 0 && decays(p)
        ? o.mul(p, o.sub(1, o.mul(lr, cfg.weightDecay)))
        : p;
    return o.sub(base, o.mul(o.div(lr, bc1), o.div(m, denom)));
  });
  return { lr, step, newParams, slots, gradNorm };
}
