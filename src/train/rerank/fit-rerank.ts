// Listwise training of a CTR ranker on re-ranking examples: a batch is a set of queries with all k
// candidates each, the loss the softmax cross-entropy of the target within its query's candidates (what
// NDCG rewards: the target above the other candidates of the same list, not a calibrated probability).
// After each epoch the held-out queries are re-ranked; the epoch loop (../epoch-loop.ts) keeps the epoch with
// the best held-out NDCG@10, stops early, and checkpoints every epoch (resumable after kill -9).
import { z } from "zod";
import { TRAIN, VALID } from "../../data/ctr/ctr-data.js";
import type { CtrTable } from "../../data/ctr/features.js";
import { fillSlots, type SlotLayout, slotFeeds } from "../../data/ctr/slots.js";
import { listMetrics, rankAfterRerank } from "../../eval/list-metrics.js";
import { BuildContext } from "../../graph/context.js";
import { Graph, type Tensor } from "../../graph/graph.js";
import { Rng } from "../../graph/init.js";
import { OptimizerConfigSchema } from "../../graph/optim.js";
import { type Feeds, Runner, TrainStep, tensor } from "../../graph/session.js";
import { dimProduct } from "../../graph/shape.js";
import * as o from "../../graph/tensor-ops.js";
import type { CtrRanker } from "../../models/ctr/ranker.js";
import { parseConfig } from "../../util/config-issues.js";
import { SeqrankError } from "../../util/errors.js";
import { shuffledBatches } from "../batching.js";
import { type EpochTask, type LoopEpoch, type LoopResume, runEpochs } from "../epoch-loop.js";
import { type RerankTable, TARGET } from "./rerank-table.js";
import { rankerLogit } from "./served-ranker.js";

export const FitRerankConfigSchema = z.strictObject({
  epochs: z.number().int().positive().default(30),
  /** Queries per batch (each brings its k candidate rows). */
  batchQueries: z.number().int().positive().default(32),
  lr: z.number().positive().default(1e-3),
  optimizer: OptimizerConfigSchema.default({}),
  /** Stop after this many epochs without a better held-out NDCG@10. */
  patience: z.number().int().positive().default(3),
  seed: z.number().int().default(42),
  /** Stop after this many seconds of training (checked between epochs); 0 = no limit. */
  maxSeconds: z.number().min(0).default(0),
  threads: z.number().int().positive().optional(),
});
export type FitRerankConfig = z.infer<typeof FitRerankConfigSchema>;

export interface RerankEpoch {
  epoch: number;
  loss: number;
  seconds: number;
  /** Re-ranked metrics on the held-out queries. */
  valid: Record<string, number>;
}

export interface FitRerankResult {
  bestEpoch: number;
  valid: Record<string, number>;
  history: RerankEpoch[];
  trainSeconds: number;
}

export interface FitRerankHooks {
  onEpoch?: (e: RerankEpoch) => void;
  onResume?: (r: LoopResume) => void;
}

function listwiseLoss(ranker: CtrRanker, layout: SlotLayout, k: number): Tensor {
  const g = new Graph();
  const ctx = new BuildContext(g, ranker.store, true);
  // Rows are queries × k candidates; the symbolic row count keeps the reshape to [queries, k] checkable.
  const rows = dimProduct(["queries", k]);
  const inp = {
    ids: g.input("ids", "int64", [rows, layout.slots]),
    weights: g.input("weights", g.floatType, [rows, layout.slots]),
  };
  const logits = o.reshape(ranker.logits(ctx, inp)[ranker.tasks[0]], [-1, k]);
  const label = g.input("label", g.floatType, ["queries", k]);
  // Empty candidate slots (a history that left fewer than k unseen items) take no part in the softmax.
  const empty = g.input("empty", g.floatType, ["queries", k]);
  const logp = o.logSoftmax(o.sub(logits, o.mul(empty, 1e9)));
  return o.neg(o.mean(o.sum(o.mul(logp, label), { axes: [1] })));
}

/** The logit graph (no sigmoid: saturated probabilities would tie), parameters fed at run time. */
export async function compileRerankScorer(
  ranker: CtrRanker,
  layout: SlotLayout,
  threads?: number,
): Promise<Runner> {
  return Runner.withParamInputs({ logit: rankerLogit(ranker, layout) }, { threads });
}

export function queryRows(queries: ArrayLike<number>, k: number): Int32Array {
  const rows = new Int32Array(queries.length * k);
  for (let i = 0; i < queries.length; i++) for (let j = 0; j < k; j++) rows[i * k + j] = queries[i] * k + j;
  return rows;
}

/** Ranker logits of the queries' candidates, then each target's rank in its re-ranked list. */
export async function rerankQueries(
  runner: Runner,
  params: Feeds,
  table: CtrTable,
  layout: SlotLayout,
  rerank: RerankTable,
  queries: Int32Array,
  batchQueries = 64,
  /** When given, receives each query's k logits ([queries, k], in candidate order). */
  logitsOut?: Float32Array,
): Promise<Float64Array> {
  const { k } = rerank;
  const ranks = new Float64Array(queries.length);
  for (let from = 0; from < queries.length; from += batchQueries) {
    const batch = queries.subarray(from, Math.min(queries.length, from + batchQueries));
    const rows = queryRows(batch, k);
    const out = await runner.run({
      ...params,
      ...slotFeeds(fillSlots(table, layout, rows), rows.length, layout.slots),
    });
    const logits = out.logit.data as Float32Array;
    logitsOut?.set(logits.subarray(0, batch.length * k), from * k);
    batch.forEach((q, i) => {
      ranks[from + i] = rankAfterRerank(logits, i * k, k, rerank.targetSlot[q]);
    });
  }
  return ranks;
}

export function queriesOf(rerank: RerankTable, part: number): Int32Array {
  const out: number[] = [];
  rerank.part.forEach((p, q) => {
    if (p === part) out.push(q);
  });
  return Int32Array.from(out);
}

/**
 * Trains `ranker` listwise on the training queries; with `checkpointDir`, checkpoints there every epoch and
 * resumes from it. The ranker's store ends with the best epoch's weights.
 */
export async function fitRerank(
  ranker: CtrRanker,
  table: CtrTable,
  layout: SlotLayout,
  rerank: RerankTable,
  config: Partial<FitRerankConfig> = {},
  checkpointDir?: string,
  hooks: FitRerankHooks = {},
): Promise<FitRerankResult> {
  const cfg = parseConfig(FitRerankConfigSchema, config, "re-rank fit config");
  if (ranker.pairwise || ranker.tasks.length !== 1) {
    throw new SeqrankError(
      "SR_ERR_RERANK_MODEL",
      `${ranker.name}: re-ranking trains one listwise score per candidate (no pairwise loss, one task)`,
    );
  }
  const { k } = rerank;
  const loss = listwiseLoss(ranker, layout, k);
  const seeded = loss.graph.inputs().some((t) => t.name === "seed");
  const step = await TrainStep.create({ loss, optimizer: cfg.optimizer }, ranker.store, {
    threads: cfg.threads,
  });
  const scorer = await compileRerankScorer(ranker, layout, cfg.threads);
  const train = queriesOf(rerank, TRAIN);
  const heldOut = queriesOf(rerank, VALID);
  if (train.length === 0 || heldOut.length === 0) {
    await step.release();
    await scorer.release();
    throw new SeqrankError(
      "SR_ERR_RERANK_DATA",
      `no queries to learn from (${train.length} training, ${heldOut.length} held out): the retrieval found no validation target`,
    );
  }
  const task: EpochTask<number, void> = {
    step,
    store: ranker.store,
    seeded,
    async trainEpoch(epoch, run) {
      for (const queries of shuffledBatches(train, cfg.batchQueries, new Rng(cfg.seed * 7919 + epoch))) {
        const rows = queryRows(queries, k);
        const lists = [rows.length / k, k];
        await run({
          ...slotFeeds(fillSlots(table, layout, rows), rows.length, layout.slots),
          label: tensor(
            Float32Array.from(rows, (r) => table.labels[TARGET][r]),
            lists,
          ),
          empty: tensor(
            Float32Array.from(rows, (r) => (table.item[r] === 0 ? 1 : 0)),
            lists,
          ),
        });
      }
    },
    async validate() {
      const ranks = await rerankQueries(scorer, step.paramFeeds(), table, layout, rerank, heldOut);
      const metrics = listMetrics(ranks);
      return { metrics, score: metrics["NDCG@10"] };
    },
    // The test queries are scored by the caller (runRerank), with the best epoch's weights in the store.
    async test() {},
  };
  try {
    const { progress: p } = await runEpochs(
      task,
      { epochs: cfg.epochs, patience: cfg.patience, maxSeconds: cfg.maxSeconds, lr: cfg.lr, checkpointDir },
      { onResume: hooks.onResume, onEpoch: hooks.onEpoch && ((r) => hooks.onEpoch?.(withoutLr(r))) },
    );
    const history = p.history.map(withoutLr);
    return {
      bestEpoch: p.bestEpoch ?? 0,
      valid: history.find((h) => h.epoch === p.bestEpoch)?.valid ?? {},
      history,
      trainSeconds: p.trainSeconds,
    };
  } finally {
    await step.release();
    await scorer.release();
  }
}

/** A re-rank epoch's record: the rate is the configured constant one, not recorded. */
function withoutLr({ epoch, loss, seconds, valid }: LoopEpoch<number>): RerankEpoch {
  return { epoch, loss, seconds, valid };
}
