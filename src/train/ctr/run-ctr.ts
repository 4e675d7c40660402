// Training one CTR ranker as a library verb: read the dataset, fit the feature pipeline on its training rows,
// build the ranker, train it, and (with `out`) write the run directory: results.json, the ranker as model.onnx,
// and checkpoints/ (a run killed after epoch N resumes at epoch N + 1). `seqrank train --task ctr` only turns
// its flags into this config; benchmarks and tests call it directly.
import { join, resolve } from "node:path";
import { limitUsers, trainPriors } from "../../data/ctr/ctr-data.js";
import { encodeCtrData, type FeatureConfig } from "../../data/ctr/features.js";
import { type LoadCtrOptions, loadCtrDataset } from "../../data/ctr/load.js";
import { slotLayout } from "../../data/ctr/slots.js";
import { ParamStore } from "../../graph/param-store.js";
import { CTR_MODELS, createRanker } from "../../models/registry.js";
import {
  type CtrFitResult,
  type FitCtrConfig,
  type FitCtrHooks,
  fitCtr,
  type TaskMetrics,
  writeRankerRun,
} from "./fit-ctr.js";

export interface RunCtrOptions extends LoadCtrOptions {
  dataset: string;
  model: string;
  modelConfig?: Record<string, unknown>;
  /** Labels to predict; default: the dataset's first label (all labels for multi-task models). */
  tasks?: string[];
  features?: Partial<FeatureConfig>;
  fit?: Partial<FitCtrConfig>;
  /** Keep only the first N users (quick runs); 0 = all. */
  limitUsers?: number;
  /** Seed of the parameter initialisation. */
  initSeed?: number;
  /**
   * The run directory: results.json, model.onnx and checkpoints/ (an existing one resumes). None: nothing is
   * written and nothing resumes.
   */
  out?: string;
}

export interface CtrRunSummary {
  dataset: string;
  model: string;
  tasks: string[];
  rows: number;
  slots: number;
  features: number;
  bestEpoch: number;
  trainSeconds: number;
  /** The first task's AUC / GAUC / LogLoss, plus `<task>.<metric>` for every task when there are several. */
  valid: Record<string, number>;
  test: Record<string, number>;
}

export function flatMetrics(m: Record<string, TaskMetrics>): Record<string, number> {
  const tasks = Object.keys(m);
  const out: Record<string, number> = { ...m[tasks[0]] };
  if (tasks.length > 1) {
    for (const t of tasks) for (const [k, v] of Object.entries(m[t])) out[`${t}.${k}`] = v;
  }
  return out;
}

/** Trains, evaluates and (with `opts.out`) writes the run; resolves with the fit and its summary. */
export async function runCtr(
  opts: RunCtrOptions,
  hooks: FitCtrHooks = {},
): Promise<{ result: CtrFitResult; summary: CtrRunSummary }> {
  const outDir = opts.out === undefined ? undefined : resolve(opts.out);
  const raw = limitUsers(await loadCtrDataset(opts.dataset, opts), opts.limitUsers ?? 0);
  const table = encodeCtrData(raw, opts.features);
  const layout = slotLayout(table);
  const labels = Object.keys(table.labels);
  const tasks = opts.tasks ?? (CTR_MODELS[opts.model]?.multiTask ? labels : labels.slice(0, 1));
  const store = new ParamStore(opts.initSeed ?? 42);
  const ranker = createRanker(
    opts.model,
    opts.modelConfig ?? {},
    { layout, tasks, nItems: table.nItems, priors: trainPriors(table, tasks) },
    store,
  );
  const checkpoints = outDir && join(outDir, "checkpoints");
  const result = await fitCtr(ranker, table, layout, opts.fit, checkpoints, hooks);
  const summary: CtrRunSummary = {
    dataset: raw.name,
    model: ranker.name,
    tasks,
    rows: raw.user.length,
    slots: layout.slots,
    features: layout.tableRows,
    bestEpoch: result.bestEpoch,
    trainSeconds: result.trainSeconds,
    valid: flatMetrics(result.valid),
    test: flatMetrics(result.test),
  };
  if (outDir) writeRankerRun(outDir, ranker, layout, table, { ...summary, history: result.history });
  return { result, summary };
}
