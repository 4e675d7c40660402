// Running compiled graphs on ONNX Runtime. A TrainStep owns parameters and optimizer state as JS typed arrays,
// feeds them in and receives the updated values in preallocated output buffers (two per tensor, swapped after
// every step), so a step allocates nothing for its state.
import { cpus } from "node:os";
import ort from "onnxruntime-node";
import { parseConfig } from "../util/config-issues.js";
import { SeqrankError } from "../util/errors.js";
import { grad } from "./grad.js";
import { type Graph, sizeOf, type Tensor } from "./graph.js";
import { type LoweredModel, lowerToOnnx } from "./lower-onnx.js";
import { buildOptimizer, type OptimizerConfig, OptimizerConfigSchema } from "./optim.js";
import type { ParamStore } from "./param-store.js";

export interface SessionOptions {
  /** Intra-op threads; defaults to the number of cores. */
  threads?: number;
  /** "cpu" (default) or "webgpu": the same graphs run on a GPU through ORT's WebGPU provider. */
  device?: "cpu" | "webgpu";
  /** Write an ORT profile (JSON trace) with this file prefix. */
  profilePrefix?: string;
}

export type FeedData = Float32Array | Float64Array | BigInt64Array | Uint8Array;
export type Feeds = Record<string, ort.Tensor>;

export function tensor(data: FeedData, dims: readonly number[]): ort.Tensor {
  if (data instanceof Float32Array) return new ort.Tensor("float32", data, dims);
  if (data instanceof Float64Array) return new ort.Tensor("float64", data, dims);
  if (data instanceof BigInt64Array) return new ort.Tensor("int64", data, dims);
  return new ort.Tensor("bool", data, dims);
}

export async function createSession(
  model: LoweredModel,
  opts: SessionOptions = {},
): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(model.bytes, {
      executionProviders: [opts.device ?? "cpu"],
      graphOptimizationLevel: "all",
      intraOpNumThreads: opts.threads ?? cpus().length,
      interOpNumThreads: 1,
      enableMemPattern: true,
      enableCpuMemArena: true,
      enableProfiling: opts.profilePrefix !== undefined,
      profileFilePrefix: opts.profilePrefix,
    });
  } catch (e) {
    throw new SeqrankError("SR_ERR_ORT", `ONNX Runtime rejected the compiled graph: ${(e as Error).message}`);
  }
}

/** Runs a forward-only graph: feeds in, named outputs out. */
export class Runner {
  private constructor(
    readonly session: ort.InferenceSession,
    readonly model: LoweredModel,
  ) {}
  static async create(
    outputs: Record<string, Tensor>,
    store: ParamStore | undefined,
    opts: SessionOptions = {},
  ) {
    const paramValues = new Map<Tensor, Float32Array>();
    const first = Object.values(outputs)[0];
    if (store) for (const p of first.graph.params()) paramValues.set(p, store.get(p.name).value);
    const model = lowerToOnnx({ outputs, params: "initializers", paramValues });
    return new Runner(await createSession(model, opts), model);
  }
  /** A runner whose parameters are fed at run time (e.g. a train step's live values: see TrainStep.paramFeeds). */
  static async withParamInputs(outputs: Record<string, Tensor>, opts: SessionOptions = {}) {
    const model = lowerToOnnx({ outputs, params: "inputs" });
    return new Runner(await createSession(model, opts), model);
  }
  /** Runs on the feeds the graph takes (extra feeds, such as unused parameters, are ignored). */
  async run(feeds: Feeds): Promise<Record<string, ort.Tensor>> {
    const used: Feeds = {};
    for (const name of this.session.inputNames) used[name] = feeds[name];
    return (await this.session.run(used)) as Record<string, ort.Tensor>;
  }
  async release(): Promise<void> {
    await this.session.release();
  }
}

interface Buffered {
  name: string;
  outName: string;
  shape: number[];
  cur: ort.Tensor;
  next: ort.Tensor;
}

export interface TrainStepSpec {
  loss: Tensor;
  /** Extra scalar outputs to report per step (accuracy, auxiliary losses). */
  metrics?: Record<string, Tensor>;
  optimizer?: Partial<OptimizerConfig>;
}

export interface StepResult {
  loss: number;
  gradNorm?: number;
  metrics: Record<string, number>;
}

/** One compiled training step: forward, backward and optimizer update in a single ORT run. */
export class TrainStep {
  stepCount = 0;
  private constructor(
    readonly session: ort.InferenceSession,
    readonly model: LoweredModel,
    private readonly params: Buffered[],
    private readonly slots: Buffered[],
    private readonly store: ParamStore,
    private readonly metricNames: string[],
    private readonly hasGradNorm: boolean,
    private readonly floatType: "float32" | "float64",
  ) {}

  static async create(spec: TrainStepSpec, store: ParamStore, opts: SessionOptions = {}): Promise<TrainStep> {
    const g: Graph = spec.loss.graph;
    const params = g.params();
    const cfg = parseConfig(OptimizerConfigSchema, spec.optimizer ?? {}, "optimizer config");
    const grads = grad(spec.loss, params);
    const opt = buildOptimizer(g, params, grads, cfg);
    const outputs: Record<string, Tensor> = { loss: spec.loss, ...(spec.metrics ?? {}) };
    if (opt.gradNorm) outputs.grad_norm = opt.gradNorm;
    params.forEach((p, i) => {
      outputs[`${p.name}__next`] = opt.newParams[i];
    });
    for (const s of opt.slots) outputs[`${s.name}__next`] = s.next;
    const model = lowerToOnnx({ outputs, params: "inputs" });
    const session = await createSession(model, opts);
    const buffered = (name: string, shape: number[], init: Float32Array | Float64Array): Buffered => {
      const make = () => {
        const data = g.floatType === "float64" ? Float64Array.from(init) : Float32Array.from(init);
        return tensor(data, shape);
      };
      return { name, outName: `${name}__next`, shape, cur: make(), next: make() };
    };
    const pb = params.map((p) => buffered(p.name, p.shape as number[], store.get(p.name).value));
    const sb = opt.slots.map((s) =>
      buffered(s.name, s.param.shape as number[], new Float32Array(sizeOf(s.param.shape as number[]))),
    );
    return new TrainStep(
      session,
      model,
      pb,
      sb,
      store,
      Object.keys(spec.metrics ?? {}),
      !!opt.gradNorm,
      g.floatType,
    );
  }

  /** Runs one step on a batch; `lr` may change every step. */
  async run(batch: Feeds, lr: number): Promise<StepResult> {
    this.stepCount++;
    const scalar = (v: number) =>
      this.floatType === "float64" ? tensor(Float64Array.of(v), []) : tensor(Float32Array.of(v), []);
    const feeds: Feeds = { ...batch, lr: scalar(lr), step: scalar(this.stepCount) };
    const fetches: Record<string, ort.Tensor | null> = { loss: null };
    for (const m of this.metricNames) fetches[m] = null;
    if (this.hasGradNorm) fetches.grad_norm = null;
    for (const b of [...this.params, ...this.slots]) {
      feeds[b.name] = b.cur;
      fetches[b.outName] = b.next;
    }
    const out = (await this.session.run(feeds, fetches as ort.InferenceSession.FetchesType)) as Record<
      string,
      ort.Tensor
    >;
    for (const b of [...this.params, ...this.slots]) [b.cur, b.next] = [b.next, b.cur];
    const num = (name: string) => Number((out[name].data as Float32Array)[0]);
    const metrics: Record<string, number> = {};
    for (const m of this.metricNames) metrics[m] = num(m);
    return { loss: num("loss"), gradNorm: this.hasGradNorm ? num("grad_norm") : undefined, metrics };
  }

  /** The current parameter tensors by name, to feed an evaluation graph without copying. */
  paramFeeds(): Feeds {
    return Object.fromEntries(this.params.map((b) => [b.name, b.cur]));
  }

  /** Current parameters and optimizer state by name (views, not copies). */
  state(): Map<string, { shape: number[]; data: Float32Array | Float64Array }> {
    const m = new Map<string, { shape: number[]; data: Float32Array | Float64Array }>();
    for (const b of [...this.params, ...this.slots])
      m.set(b.name, { shape: b.shape, data: b.cur.data as Float32Array });
    return m;
  }

  /** Restores parameters and optimizer state (a checkpoint); names and shapes must match. */
  loadState(values: Map<string, { shape: number[]; data: ArrayLike<number> }>, stepCount: number): void {
    for (const b of [...this.params, ...this.slots]) {
      const v = values.get(b.name);
      if (!v || v.shape.join() !== b.shape.join()) {
        throw new SeqrankError(
          "SR_ERR_CHECKPOINT",
          `checkpoint lacks ${b.name} [${b.shape}] or has another shape`,
        );
      }
      (b.cur.data as Float32Array).set(v.data);
    }
    this.stepCount = stepCount;
  }

  /** Copies the trained parameters back into the ParamStore (for evaluation and export graphs). */
  syncToStore(): void {
    for (const b of this.params) this.store.get(b.name).value.set(b.cur.data as Float32Array);
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
