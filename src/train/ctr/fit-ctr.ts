// CTR training: what is CTR's own, handed to the epoch loop (../epoch-loop.ts: early stopping with patience,
// reduce-on-plateau, the time budget, the best epoch's weights, a checkpoint every epoch resumable after
// kill -9): shuffled mini-batches of training rows through one compiled train step (BCE per task, or the
// ranker's pairwise loss against sampled items), validation AUC after every epoch (averaged over the tasks
// of a multi-task ranker, so no task is judged at another task's best epoch), and AUC / GAUC / LogLoss per
// task on the test rows at the best epoch.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { rowsOf, TEST, TRAIN, VALID } from "../../data/ctr/ctr-data.js";
import type { CtrTable } from "../../data/ctr/features.js";
import { fillSlots, type SlotLayout, slotFeeds } from "../../data/ctr/slots.js";
import { auc, gauc, logLoss } from "../../eval/ctr.js";
import { BuildContext } from "../../graph/context.js";
import { exportOnnx } from "../../graph/export.js";
import { Graph, type Tensor } from "../../graph/graph.js";
import { Rng } from "../../graph/init.js";
import { OptimizerConfigSchema } from "../../graph/optim.js";
import { type Feeds, Runner, TrainStep, tensor } from "../../graph/session.js";
import { dimProduct } from "../../graph/shape.js";
import * as o from "../../graph/tensor-ops.js";
import { bceWithLogits, ctrInputs } from "../../models/ctr/layers.js";
import type { CtrRanker } from "../../models/ctr/ranker.js";
import { parseConfig } from "../../util/config-issues.js";
import { SeqrankError } from "../../util/errors.js";
import { shuffledBatches } from "../batching.js";
import { type EpochTask, type LoopResume, runEpochs } from "../epoch-loop.js";

export const FitCtrConfigSchema = z.strictObject({
  epochs: z.number().int().positive().default(10),
  batchSize: z.number().int().positive().default(1024),
  lr: z.number().positive().default(1e-3),
  optimizer: OptimizerConfigSchema.default({}),
  /** Stop after this many epochs without a better validation AUC. */
  patience: z.number().int().positive().default(2),
  /**
   * Multiply the learning rate by this after every epoch without a better validation AUC (reduce on plateau,
   * as FuxiCTR trains its CTR benchmarks with 0.1); 1 keeps it constant.
   */
  plateauDecay: z.number().gt(0).max(1).default(1),
  seed: z.number().int().default(42),
  evalBatchSize: z.number().int().positive().default(4096),
  /** Stop after this many seconds of training (checked between epochs); 0 = no limit. */
  maxSeconds: z.number().min(0).default(0),
  threads: z.number().int().positive().optional(),
  /** Multi-task: weight of each task's loss in the sum (tasks not named weigh 1). */
  taskWeights: z.record(z.string(), z.number().min(0)).default({}),
});
export type FitCtrConfig = z.infer<typeof FitCtrConfigSchema>;

export interface TaskMetrics {
  AUC: number;
  GAUC: number;
  LogLoss: number;
}

export interface CtrEpoch {
  epoch: number;
  loss: number;
  seconds: number;
  /** The learning rate this epoch trained with. */
  lr: number;
  valid: Record<string, TaskMetrics>;
}

export interface CtrFitResult {
  model: string;
  tasks: string[];
  bestEpoch: number;
  valid: Record<string, TaskMetrics>;
  test: Record<string, TaskMetrics>;
  history: CtrEpoch[];
  trainSeconds: number;
}

export interface FitCtrHooks {
  onStep?: (p: { epoch: number; step: number; steps: number; loss: number }) => void;
  onEpoch?: (e: CtrEpoch) => void;
  onResume?: (r: LoopResume) => void;
}

/** The inference graph: one probability [B] per task, named `prob_<task>`. Inputs: ids, weights [B, S]. */
export function scoreOutputs(ranker: CtrRanker, layout: SlotLayout): Record<string, Tensor> {
  const g = new Graph();
  const ctx = new BuildContext(g, ranker.store, false);
  const logits = ranker.logits(ctx, ctrInputs(g, layout));
  return Object.fromEntries(ranker.tasks.map((t) => [`prob_${t}`, o.sigmoid(logits[t])]));
}

/** Writes the inference graph with the store's weights baked in (inputs ids/weights, outputs prob_<task>). */
export function exportRankerOnnx(path: string, ranker: CtrRanker, layout: SlotLayout): void {
  exportOnnx(path, scoreOutputs(ranker, layout), ranker.store);
}

/** A ranker run directory: `model.onnx` and `results.json` (the run's record plus the table's fitted fields). */
export function writeRankerRun(
  outDir: string,
  ranker: CtrRanker,
  layout: SlotLayout,
  table: CtrTable,
  record: Record<string, unknown>,
): void {
  mkdirSync(outDir, { recursive: true });
  exportRankerOnnx(join(outDir, "model.onnx"), ranker, layout);
  const fields = table.fields.map((f) => ({ name: f.name, group: f.group, kind: f.kind, fitted: f.fitted }));
  writeFileSync(join(outDir, "results.json"), `${JSON.stringify({ ...record, fields }, null, 2)}\n`);
}

function buildTrainLoss(
  ranker: CtrRanker,
  layout: SlotLayout,
  g: Graph,
  taskWeights: Record<string, number>,
): Tensor {
  const ctx = new BuildContext(g, ranker.store, true);
  const logits = ranker.logits(ctx, ctrInputs(g, layout));
  const labels = ranker.tasks.map((t) => g.input(`label_${t}`, g.floatType, ["batch"]));
  if (ranker.pairwise) {
    const k = ranker.pairwise.negatives;
    const negInp = {
      ids: g.input("neg_ids", "int64", [dimProduct(["batch", k]), layout.slots]),
      weights: g.input("neg_weights", g.floatType, [dimProduct(["batch", k]), layout.slots]),
    };
    const neg = o.reshape(ranker.logits(ctx, negInp)[ranker.tasks[0]], [-1, k]);
    return ranker.pairwise.loss(logits[ranker.tasks[0]], neg, labels[0]);
  }
  return ranker.tasks
    .map((t, i) => o.mul(bceWithLogits(logits[t], labels[i]), taskWeights[t] ?? 1))
    .reduce((a, b) => o.add(a, b));
}

function labelFeeds(table: CtrTable, tasks: string[], rows: ArrayLike<number>): Feeds {
  const feeds: Feeds = {};
  for (const t of tasks) {
    const l = table.labels[t];
    if (!l)
      throw new SeqrankError("SR_ERR_CTR_TASKS", `no label column ${t} (have ${Object.keys(table.labels)})`);
    feeds[`label_${t}`] = tensor(
      Float32Array.from(rows, (r) => l[r]),
      [rows.length],
    );
  }
  return feeds;
}

/** Items seen in training rows: where negatives are drawn from. */
function trainItems(table: CtrTable): Int32Array {
  const seen = new Uint8Array(table.nItems);
  for (let r = 0; r < table.split.length; r++) if (table.split[r] === TRAIN) seen[table.item[r]] = 1;
  const out: number[] = [];
  for (let i = 0; i < seen.length; i++) if (seen[i]) out.push(i);
  return Int32Array.from(out);
}

/** Probabilities per task for `rows`, in row order. */
export async function predict(
  ranker: CtrRanker,
  table: CtrTable,
  layout: SlotLayout,
  runner: Runner,
  rows: Int32Array,
  params: Feeds,
  batchSize = 4096,
): Promise<Record<string, Float32Array>> {
  const out = Object.fromEntries(ranker.tasks.map((t) => [t, new Float32Array(rows.length)]));
  for (let from = 0; from < rows.length; from += batchSize) {
    const batch = rows.subarray(from, Math.min(rows.length, from + batchSize));
    const feeds = slotFeeds(fillSlots(table, layout, batch), batch.length, layout.slots);
    const res = await runner.run({ ...params, ...feeds });
    for (const t of ranker.tasks) out[t].set(res[`prob_${t}`].data as Float32Array, from);
  }
  return out;
}

/** A metric that is undefined on these rows (one class only, or no user with both) is NaN. */
function orNaN(metric: () => number): number {
  try {
    return metric();
  } catch (e) {
    if ((e as SeqrankError).code === "SR_ERR_EVAL_ONE_CLASS") return Number.NaN;
    throw e;
  }
}

/** AUC, GAUC (per user) and LogLoss of each task on `rows`. */
export function ctrMetrics(
  table: CtrTable,
  rows: Int32Array,
  probs: Record<string, Float32Array>,
): Record<string, TaskMetrics> {
  const users = Int32Array.from(rows, (r) => table.user[r]);
  const result: Record<string, TaskMetrics> = {};
  for (const [t, p] of Object.entries(probs)) {
    const labels = Uint8Array.from(rows, (r) => table.labels[t][r]);
    result[t] = {
      AUC: orNaN(() => auc(labels, p)),
      GAUC: orNaN(() => gauc(users, labels, p)),
      LogLoss: logLoss(labels, p),
    };
  }
  return result;
}

/** Mean AUC over the tasks (the early-stopping criterion); tasks whose AUC is undefined are left out. */
function meanAuc(metrics: Record<string, TaskMetrics>): number {
  const aucs = Object.values(metrics)
    .map((m) => m.AUC)
    .filter(Number.isFinite);
  return aucs.length ? aucs.reduce((a, b) => a + b, 0) / aucs.length : Number.NaN;
}

function storeFeeds(ranker: CtrRanker): Feeds {
  return Object.fromEntries([...ranker.store.entries].map(([n, e]) => [n, tensor(e.value, e.shape)]));
}

/**
 * Trains `ranker` on the table's training rows; with `checkpointDir`, checkpoints there every epoch and resumes
 * from it. The ranker's store ends with the best epoch's weights.
 */
export async function fitCtr(
  ranker: CtrRanker,
  table: CtrTable,
  layout: SlotLayout,
  config: Partial<FitCtrConfig> = {},
  checkpointDir?: string,
  hooks: FitCtrHooks = {},
): Promise<CtrFitResult> {
  const cfg = parseConfig(FitCtrConfigSchema, config, "CTR fit config");
  const g = new Graph();
  const loss = buildTrainLoss(ranker, layout, g, cfg.taskWeights);
  const seeded = g.inputs().some((t) => t.name === "seed");
  const step = await TrainStep.create({ loss, optimizer: cfg.optimizer }, ranker.store, {
    threads: cfg.threads,
  });
  const scorer = await Runner.withParamInputs(scoreOutputs(ranker, layout), { threads: cfg.threads });
  const train = rowsOf(table, TRAIN);
  const valid = rowsOf(table, VALID);
  const test = rowsOf(table, TEST);
  const negPool = ranker.pairwise ? trainItems(table) : undefined;
  const task: EpochTask<TaskMetrics, Record<string, TaskMetrics>> = {
    step,
    store: ranker.store,
    seeded,
    async trainEpoch(epoch, run) {
      const rng = new Rng(cfg.seed * 7919 + epoch); // the order, then the negatives
      const batches = shuffledBatches(train, cfg.batchSize, rng);
      const steps = batches.length;
      for (let s = 0; s < steps; s++) {
        const rows = batches[s];
        const feeds: Feeds = {
          ...slotFeeds(fillSlots(table, layout, rows), rows.length, layout.slots),
          ...labelFeeds(table, ranker.tasks, rows),
        };
        if (ranker.pairwise && negPool) {
          const k = ranker.pairwise.negatives;
          const negRows = new Int32Array(rows.length * k);
          const negItems = new Int32Array(rows.length * k);
          for (let i = 0; i < negRows.length; i++) {
            negRows[i] = rows[Math.floor(i / k)];
            negItems[i] = negPool[rng.int(negPool.length)];
          }
          Object.assign(
            feeds,
            slotFeeds(fillSlots(table, layout, negRows, negItems), negRows.length, layout.slots, "neg_"),
          );
        }
        const loss = await run(feeds);
        hooks.onStep?.({ epoch, step: s + 1, steps, loss });
      }
    },
    async validate() {
      const probs = await predict(ranker, table, layout, scorer, valid, step.paramFeeds(), cfg.evalBatchSize);
      const metrics = ctrMetrics(table, valid, probs);
      // An undefined mean AUC (no task with both classes among the validation rows) ranks below every AUC.
      const auc = meanAuc(metrics);
      return { metrics, score: Number.isNaN(auc) ? -1 : auc };
    },
    async test() {
      const probs = await predict(ranker, table, layout, scorer, test, storeFeeds(ranker), cfg.evalBatchSize);
      return ctrMetrics(table, test, probs);
    },
  };
  try {
    const { progress: p, test: testMetrics } = await runEpochs(
      task,
      {
        epochs: cfg.epochs,
        patience: cfg.patience,
        maxSeconds: cfg.maxSeconds,
        lr: cfg.lr,
        plateauDecay: cfg.plateauDecay,
        checkpointDir,
      },
      hooks,
    );
    const best = p.history.find((h) => h.epoch === p.bestEpoch);
    return {
      model: ranker.name,
      tasks: ranker.tasks,
      bestEpoch: p.bestEpoch ?? 0,
      valid: best?.valid ?? {},
      test: testMetrics,
      history: p.history,
      trainSeconds: p.trainSeconds,
    };
  } finally {
    await step.release();
    await scorer.release();
  }
}
