// Next-item training. It knows only the SequenceRecommender interface: compile the model's train step and
// score graph, then hand the epoch loop (epoch-loop.ts: early stopping, the learning rate, the best epoch's
// weights, a checkpoint every epoch resumable after kill -9) what is next-item's own: epochs of length-bucketed
// batches, validation by full ranking (NDCG@10) and the test at the best epoch.
import { z } from "zod";
import type { EvalData } from "../eval/eval-data.js";
import { evaluateFullRanking, type FullRankingResult } from "../eval/full-ranking.js";
import type { EpochRecord } from "../eval/report/index.js";
import { BuildContext } from "../graph/context.js";
import { Graph } from "../graph/graph.js";
import { Rng } from "../graph/init.js";
import { OptimizerConfigSchema } from "../graph/optim.js";
import { Runner, TrainStep, tensor } from "../graph/session.js";
import * as o from "../graph/tensor-ops.js";
import type { SequenceRecommender } from "../models/model.js";
import { parseConfig } from "../util/config-issues.js";
import { AugmentSchema, augment } from "./augment.js";
import { lengthBucketedBatches } from "./batching.js";
import { type EpochTask, type LoopResume, runEpochs } from "./epoch-loop.js";
import { ScheduleSchema } from "./schedule.js";
import type { TrainData } from "./train-data.js";

export const FitConfigSchema = z.strictObject({
  /** Most epochs to run. */
  epochs: z.number().int().positive().default(200),
  batchSize: z.number().int().positive().default(128),
  lr: z.number().positive().default(1e-3),
  schedule: ScheduleSchema.default({}),
  optimizer: OptimizerConfigSchema.default({}),
  /** Stop after this many validations without a better NDCG@10. */
  patience: z.number().int().positive().default(10),
  /** Validate every this many epochs. */
  evalEvery: z.number().int().positive().default(1),
  /** Pools of this many batches are sorted by length before batching. 1 = random batches (the default: on
   * amazon-beauty length-sorted batches cost valid NDCG@10 0.0686 → 0.0616; models cut padding with streams). */
  bucketPool: z.number().int().positive().default(1),
  seed: z.number().int().default(42),
  /** Use only this many training sequences (quick runs); 0 = all. */
  limitSequences: z.number().int().min(0).default(0),
  /** Stop after this many seconds of training (checked between epochs); 0 = no limit. */
  maxSeconds: z.number().min(0).default(0),
  augment: AugmentSchema.default({}),
  /** "batch": each batch's mean loss counts equally; "token": every target counts equally (see fit). */
  weighting: z.enum(["batch", "token"]).default("batch"),
  threads: z.number().int().positive().optional(),
});
export type FitConfig = z.infer<typeof FitConfigSchema>;

export interface FitProgress {
  epoch: number;
  step: number;
  stepsPerEpoch: number;
  loss: number;
  tokensPerSecond: number;
}

/** The checkpoint a run resumed from (the loop's, shared by every task). */
export type FitResume = LoopResume;

export interface FitHooks {
  onStep?: (p: FitProgress) => void;
  onEpoch?: (r: EpochRecord) => void;
  onResume?: (r: FitResume) => void;
}

export interface FitResult {
  bestEpoch: number | null;
  valid: Record<string, number>;
  test: Record<string, number>;
  testDetail: FullRankingResult;
  history: EpochRecord[];
  epochsRun: number;
  trainSeconds: number;
  /** Seconds of training up to the end of the best epoch. */
  secondsToBest: number;
}

const SELECT = "NDCG@10";

/** Full-ranking evaluation of the model's current weights (fed live from the train step when given). */
export async function evaluateModel(
  model: SequenceRecommender,
  runner: Runner,
  data: EvalData,
  paramFeeds: () => Record<string, unknown>,
) {
  const width = model.nItems + 1;
  return evaluateFullRanking(async (rows, out) => {
    const histories = Array.from(rows, (r) => data.histories[r]);
    const contexts = data.contexts && Array.from(rows, (r) => data.contexts?.[r]);
    const result = await runner.run({
      ...(paramFeeds() as object),
      ...model.scoreFeeds(histories, contexts),
    });
    out.set((result.scores.data as Float32Array).subarray(0, rows.length * width));
  }, data);
}

export async function compileScorer(model: SequenceRecommender, threads?: number): Promise<Runner> {
  const g = new Graph();
  const scores = model.buildScoreGraph(new BuildContext(g, model.store, false));
  return Runner.withParamInputs({ scores }, { threads });
}

/** Trains `model` on `data`; with `outDir`, checkpoints there every epoch and resumes from it. */
export async function fit(
  model: SequenceRecommender,
  data: TrainData,
  config: Partial<FitConfig>,
  outDir?: string,
  hooks: FitHooks = {},
): Promise<FitResult> {
  const cfg = parseConfig(FitConfigSchema, config, "fit config");
  const g = new Graph();
  const ctx = new BuildContext(g, model.store, true);
  const train = model.buildTrainGraph(ctx);
  // Length-bucketed batches hold very different numbers of targets; scaling each batch's mean loss by its share
  // of targets keeps every target's weight what it would be with random batches.
  const tokenWeighted = cfg.weighting === "token";
  const lossScale = g.input("loss_scale", g.floatType, []);
  const loss = tokenWeighted ? o.mul(train.loss, lossScale) : train.loss;
  const seeded = g.inputs().some((t) => t.name === "seed");
  const step = await TrainStep.create({ ...train, loss, optimizer: cfg.optimizer }, model.store, {
    threads: cfg.threads,
  });
  const scorer = await compileScorer(model, cfg.threads);
  const limit = cfg.limitSequences > 0 ? cfg.limitSequences : undefined;
  const sequences = data.sequences.slice(0, limit);
  const sequenceContexts = data.sequenceContexts?.slice(0, limit);
  const stepsPerEpoch = Math.ceil(sequences.length / cfg.batchSize);
  const bestFeeds = () =>
    Object.fromEntries([...model.store.entries].map(([name, e]) => [name, tensor(e.value, e.shape)]));

  const task: EpochTask<number, { valid: Record<string, number>; detail: FullRankingResult }> = {
    step,
    store: model.store,
    seeded,
    async trainEpoch(epoch, run) {
      const rng = new Rng(cfg.seed * 100_003 + epoch); // a pure function of (seed, epoch): resumable
      const { seqs: epochSeqs, contexts: epochContexts } = augment(
        sequences,
        cfg.augment,
        rng,
        sequenceContexts,
      );
      const meanTargets = targetsOf(epochSeqs, model.maxLen) / Math.ceil(epochSeqs.length / cfg.batchSize);
      const batches = lengthBucketedBatches(
        epochSeqs.map((s) => s.length),
        cfg.batchSize,
        rng,
        cfg.bucketPool,
      );
      const t0 = performance.now();
      let tokens = 0;
      for (let b = 0; b < batches.length; b++) {
        const seqs = Array.from(batches[b], (i) => epochSeqs[i]);
        const feeds = model.trainFeeds(
          seqs,
          rng,
          epochContexts && Array.from(batches[b], (i) => epochContexts[i]),
        );
        if (tokenWeighted)
          feeds.loss_scale = tensor(Float32Array.of(targetsOf(seqs, model.maxLen) / meanTargets), []);
        const loss = await run(feeds);
        tokens += targetsOf(seqs, model.maxLen);
        hooks.onStep?.({
          epoch,
          step: b + 1,
          stepsPerEpoch: batches.length,
          loss,
          tokensPerSecond: tokens / ((performance.now() - t0) / 1000),
        });
      }
    },
    async validate() {
      const metrics = (await evaluateModel(model, scorer, data.valid, () => step.paramFeeds())).metrics;
      return { metrics, score: metrics[SELECT] };
    },
    // Test at the best validation epoch.
    async test(p) {
      const valid =
        p.history.find((h) => h.epoch === p.bestEpoch)?.valid ??
        (await evaluateModel(model, scorer, data.valid, bestFeeds)).metrics;
      return { valid, detail: await evaluateModel(model, scorer, data.test, bestFeeds) };
    },
  };
  try {
    const { progress: p, test } = await runEpochs(
      task,
      {
        epochs: cfg.epochs,
        patience: cfg.patience,
        maxSeconds: cfg.maxSeconds,
        evalEvery: cfg.evalEvery,
        lr: cfg.lr,
        schedule: { schedule: cfg.schedule, totalSteps: stepsPerEpoch * cfg.epochs },
        checkpointDir: outDir,
      },
      hooks,
    );
    return {
      bestEpoch: p.bestEpoch,
      valid: test.valid,
      test: test.detail.metrics,
      testDetail: test.detail,
      history: p.history,
      epochsRun: p.epoch,
      trainSeconds: p.trainSeconds,
      secondsToBest: p.secondsToBest,
    };
  } finally {
    await step.release();
    await scorer.release();
  }
}

/** Next-item targets in a batch of training sequences (each position but the first, within maxLen). */
function targetsOf(seqs: readonly Int32Array[], maxLen: number): number {
  let n = 0;
  for (const s of seqs) n += Math.min(s.length - 1, maxLen);
  return n;
}
