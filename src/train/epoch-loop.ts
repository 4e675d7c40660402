// The one epoch driver of every training task (next-item, CTR, re-rank). It runs epochs of a task's batches
// through the task's train step at the loop's learning rate (a per-step schedule, reduced on plateau), validates
// after an epoch, keeps the best epoch's weights, stops early after `patience` validations without a better
// score or once the time budget is spent (checked between epochs), and, with a checkpoint folder, saves the
// train state after every epoch (resume.ts: weights, optimizer state and this loop's progress in one file) and
// resumes a killed run from the newest usable checkpoint. A task supplies only what differs: one epoch's
// batches, its validation and its test at the best epoch.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { loadParamsInto, saveSafetensors } from "../graph/checkpoint.js";
import type { ParamStore } from "../graph/param-store.js";
import { type Feeds, type TrainStep, tensor } from "../graph/session.js";
import { SeqrankError } from "../util/errors.js";
import { type RejectedCheckpoint, resumeTrainState, saveResumable } from "./resume.js";
import { learningRate, type Schedule } from "./schedule.js";

export const BEST_WEIGHTS = "best.safetensors";

export interface EpochLoopConfig {
  /** Most epochs to run. */
  epochs: number;
  /** Stop after this many validations without a better score. */
  patience: number;
  /** Stop once training has taken this many seconds (checked between epochs); 0 = no limit. */
  maxSeconds: number;
  /** Validate every this many epochs, and after the last one (default 1). */
  evalEvery?: number;
  /** The (peak) learning rate. */
  lr: number;
  /** The rate step by step over `totalSteps` steps (warm-up, linear or cosine decay); none: constant. */
  schedule?: { schedule: Schedule; totalSteps: number };
  /** Reduce on plateau: after each validation without a better score the rate is multiplied by this (default 1). */
  plateauDecay?: number;
  /**
   * A folder for the train state after every epoch (last.safetensors, previous.safetensors) and the best
   * epoch's weights (best.safetensors); a run started on a folder that holds them resumes. None: neither.
   */
  checkpointDir?: string;
}

/** One epoch as recorded in the history. */
export interface LoopEpoch<M> {
  epoch: number;
  /** Mean loss over the epoch's steps. */
  loss: number;
  seconds: number;
  /** Learning rate of the epoch's last step. */
  lr: number;
  /** Validation metrics after this epoch ({} when it was not validated). */
  valid: Record<string, M>;
}

export interface LoopResume {
  /** The checkpoint training resumed from, and the epochs it had completed. */
  path: string;
  epoch: number;
  /** Newer checkpoints that were damaged, skipped and moved aside. */
  rejected: RejectedCheckpoint[];
}

/** What the loop knows of a run so far: the progress a checkpoint carries. */
export interface LoopProgress<M> {
  /** Epochs completed. */
  epoch: number;
  bestEpoch: number | null;
  bestScore: number | null;
  /** Validations since the best one. */
  sinceBest: number;
  history: LoopEpoch<M>[];
  trainSeconds: number;
  /** Seconds of training up to the end of the best epoch. */
  secondsToBest: number;
  /** The rate the next epoch starts from (the configured one, times the plateau decays so far). */
  lr: number;
}

export interface EpochTask<M, T> {
  /** The compiled train step: its weights and optimizer state are what a checkpoint holds. */
  step: TrainStep;
  /** The parameters it trains: they hold the best epoch's weights when the test runs. */
  store: ParamStore;
  /** Whether the train graph reads a `seed` input (each step is fed its own number, so a resumed run draws alike). */
  seeded: boolean;
  /**
   * Trains epoch `epoch` (from 1): hands each batch to `run`, which steps at the loop's learning rate and
   * resolves with the step's loss. Anything random must be a pure function of (seed, epoch), so that a resumed
   * epoch draws what an uninterrupted one would.
   */
  trainEpoch(epoch: number, run: (feeds: Feeds) => Promise<number>): Promise<void>;
  /** Validates the weights being trained: the metrics recorded and the score selected on (higher is better). */
  validate(epoch: number): Promise<{ metrics: Record<string, M>; score: number }>;
  /** The test at the best epoch: the store holds its weights (the last epoch's when none was validated). */
  test(progress: LoopProgress<M>): Promise<T>;
}

export interface EpochLoopHooks<M> {
  onEpoch?: (record: LoopEpoch<M>) => void;
  onResume?: (resume: LoopResume) => void;
}

export interface EpochLoopResult<M, T> {
  progress: LoopProgress<M>;
  /** Set when the run resumed from a checkpoint. */
  resumed?: LoopResume;
  test: T;
}

/**
 * Trains `task` epoch by epoch (resuming from `config.checkpointDir` when it holds a checkpoint) and tests it
 * at the best epoch. An epoch is the best so far when its score is higher than every earlier one's (the first
 * validated epoch counts as higher); a NaN score never is.
 */
export async function runEpochs<M, T>(
  task: EpochTask<M, T>,
  config: EpochLoopConfig,
  hooks: EpochLoopHooks<M> = {},
): Promise<EpochLoopResult<M, T>> {
  const { step, store } = task;
  const dir = config.checkpointDir;
  const best = dir ? join(dir, BEST_WEIGHTS) : undefined;
  if (dir) mkdirSync(dir, { recursive: true });
  let p: LoopProgress<M> = {
    epoch: 0,
    bestEpoch: null,
    bestScore: null,
    sinceBest: 0,
    history: [],
    trainSeconds: 0,
    secondsToBest: 0,
    lr: config.lr,
  };
  let resumed: LoopResume | undefined;
  const fromCheckpoint = dir ? resumeTrainState(dir, step, progressOf(config.lr)) : undefined;
  if (fromCheckpoint) {
    p = fromCheckpoint.progress as LoopProgress<M>;
    resumed = { path: fromCheckpoint.path, epoch: p.epoch, rejected: fromCheckpoint.rejected };
    hooks.onResume?.(resumed);
  }
  const evalEvery = config.evalEvery ?? 1;

  while (
    p.epoch < config.epochs &&
    p.sinceBest < config.patience &&
    !(config.maxSeconds > 0 && p.trainSeconds >= config.maxSeconds)
  ) {
    const epoch = p.epoch + 1;
    let lr = p.lr;
    let steps = 0;
    let lossSum = 0;
    const run = async (feeds: Feeds): Promise<number> => {
      lr = config.schedule
        ? learningRate(config.schedule.schedule, p.lr, step.stepCount, config.schedule.totalSteps)
        : p.lr;
      if (task.seeded) feeds.seed = tensor(BigInt64Array.of(BigInt(step.stepCount + 1)), []);
      const r = await step.run(feeds, lr);
      if (!Number.isFinite(r.loss))
        throw new SeqrankError(
          "SR_ERR_TRAIN_DIVERGED",
          `loss became ${r.loss} at epoch ${epoch}, step ${steps}`,
        );
      steps++;
      lossSum += r.loss;
      return r.loss;
    };
    const t0 = performance.now();
    await task.trainEpoch(epoch, run);
    const seconds = (performance.now() - t0) / 1000;
    p.trainSeconds += seconds;
    const record: LoopEpoch<M> = { epoch, loss: lossSum / steps, seconds, lr, valid: {} };
    if (epoch % evalEvery === 0 || epoch === config.epochs) {
      const { metrics, score } = await task.validate(epoch);
      record.valid = metrics;
      if (!Number.isNaN(score) && (p.bestEpoch === null || p.bestScore === null || score > p.bestScore)) {
        p.bestScore = score;
        p.bestEpoch = epoch;
        p.sinceBest = 0;
        p.secondsToBest = p.trainSeconds;
        step.syncToStore(); // the store holds the best epoch's weights
        if (best) saveParams(best, store);
      } else {
        p.sinceBest++;
        p.lr *= config.plateauDecay ?? 1;
      }
    }
    p.history.push(record);
    p.epoch = epoch;
    hooks.onEpoch?.(record);
    // Weights, optimizer state and progress in one atomically replaced file: a kill at any point resumes exactly.
    if (dir) saveResumable(dir, step, { epoch: String(epoch), progress: JSON.stringify(p) });
  }

  if (best && existsSync(best)) loadParamsInto(best, store);
  else if (p.bestEpoch === null) step.syncToStore();
  return { progress: p, resumed, test: await task.test(p) };
}

function saveParams(path: string, store: ParamStore): void {
  saveSafetensors(
    path,
    new Map([...store.entries].map(([name, e]) => [name, { shape: e.shape, data: e.value }])),
  );
}

/**
 * Reads the progress a checkpoint's metadata carries; unreadable progress makes the checkpoint unusable.
 * Progress written before the loop recorded its rate resumes at the configured one.
 */
function progressOf(lr: number) {
  return (metadata: Record<string, string>, path: string): LoopProgress<unknown> => {
    const unreadable = () =>
      new SeqrankError("SR_ERR_CHECKPOINT", `${path}: its metadata holds no readable training progress`);
    let p: Partial<LoopProgress<unknown>> | null;
    try {
      p = JSON.parse(metadata.progress ?? "");
    } catch {
      throw unreadable();
    }
    if (typeof p !== "object" || p === null || !Number.isSafeInteger(p.epoch) || !Array.isArray(p.history))
      throw unreadable();
    return { ...p, lr: typeof p.lr === "number" ? p.lr : lr } as LoopProgress<unknown>;
  };
}
