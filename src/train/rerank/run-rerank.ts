// Re-ranking end to end, leak-free: a frozen sequence model retrieves the top-k unseen items for every user
// twice, from the training part (target: the validation item) and from training + validation (target: the
// test item). The ranker learns from the validation-target queries whose target was retrieved (a share of
// them held out for early stopping) and is scored on every test query; the test target is never seen in
// training. Reported on test over all users, retrieval order vs re-ranked (an unretrieved target is a miss
// for both). With a run directory, the ranker's training checkpoints there every epoch and a killed run resumes.
import { realpathSync } from "node:fs";
import { join, resolve } from "node:path";
import { TEST, TRAIN, VALID } from "../../data/ctr/ctr-data.js";
import { encodeCtrData, type FeatureConfig } from "../../data/ctr/features.js";
import { slotLayout } from "../../data/ctr/slots.js";
import type { EvalData } from "../../eval/eval-data.js";
import { listMetrics, pairedNdcgGain } from "../../eval/list-metrics.js";
import { Rng } from "../../graph/init.js";
import { ParamStore } from "../../graph/param-store.js";
import { tensor } from "../../graph/session.js";
import type { ItemKnnConfig } from "../../models/baselines/index.js";
import type { SequenceRecommender } from "../../models/model.js";
import { createRanker } from "../../models/registry.js";
import { SeqrankError } from "../../util/errors.js";
import { shuffleInPlace } from "../batching.js";
import { writeRankerRun } from "../ctr/fit-ctr.js";
import { loadRun } from "../run-dir.js";
import type { TrainData } from "../train-data.js";
import { type CandidateSet, frozenRetriever } from "./candidates.js";
import {
  compileRerankScorer,
  type FitRerankConfig,
  type FitRerankHooks,
  type FitRerankResult,
  fitRerank,
  queriesOf,
  rerankQueries,
} from "./fit-rerank.js";
import { HistorySignals } from "./history-signals.js";
import { RerankFeatures } from "./query-features.js";
import { type QueryBlock, rerankTable, TARGET } from "./rerank-table.js";
import { writeServedRanker } from "./served-ranker.js";

export interface RerankRetrieval {
  /** The frozen sequence model (current weights in its store). */
  model: SequenceRecommender;
  /** The data it was trained on: training sequences, valid and test rows, popularity, item features. */
  data: TrainData;
  /** Its run directory, recorded so that `seqrank export` can serve the ranker with this model. */
  runDir?: string;
}

export interface RunRerankOptions {
  /** Candidates per query (default 100). */
  candidates?: number;
  /** CTR ranker (default deepfm) and its config (e.g. {fusion: {kind: "gated"}}). */
  model?: string;
  modelConfig?: Record<string, unknown>;
  /** Share of the validation-target queries held out for early stopping (default 0.1). */
  holdout?: number;
  features?: Partial<FeatureConfig>;
  /** ItemKNN behind the history signals (default: recency decay 0.8). */
  knn?: Partial<ItemKnnConfig>;
  fit?: Partial<FitRerankConfig>;
  /** Only the first N users' queries (quick runs); 0 = all. */
  limitUsers?: number;
  seed?: number;
  threads?: number;
}

export interface RerankSummary {
  model: string;
  candidates: number;
  queries: { train: number; heldOut: number; test: number };
  /** Share of queries whose target is among the candidates (the ceiling of any re-ranking). */
  recall: { valid: number; test: number };
  /** Test metrics over all test users: retrieval order vs re-ranked, and the NDCG@10 gain ± its paired
   * standard error over users. */
  test: {
    retrieval: Record<string, number>;
    reranked: Record<string, number>;
    ndcg10Gain: { mean: number; se: number };
  };
  /** The same on the held-out validation queries (all retrieved), at the best epoch. */
  heldOut: { retrieval: Record<string, number>; reranked: Record<string, number> };
  bestEpoch: number;
  trainSeconds: number;
  slots: number;
}

/** The test queries as scored offline: their candidates (retrieval order) and the ranker's logits. */
export interface RerankTestQueries {
  set: CandidateSet;
  /** [test queries, k] logits, candidate by candidate. */
  logits: Float32Array;
}

const firstRows = (e: EvalData, n: number): EvalData =>
  n > 0 && n < e.targets.length
    ? { ...e, users: e.users.slice(0, n), histories: e.histories.slice(0, n), targets: e.targets.slice(0, n) }
    : e;

/** Retrieval-order ranks of some queries of a set: the target's slot, ∞ when not retrieved. */
function retrievalRanks(set: CandidateSet, queries: ArrayLike<number>): Float64Array {
  return Float64Array.from(queries, (q) =>
    set.targetAt[q] < 0 ? Number.POSITIVE_INFINITY : set.targetAt[q],
  );
}

function queriesWhere(set: CandidateSet, keep: (targetAt: number) => boolean): number[] {
  const out: number[] = [];
  set.targetAt.forEach((t, q) => {
    if (keep(t)) out.push(q);
  });
  return out;
}

const recallOf = (set: CandidateSet) => queriesWhere(set, (t) => t >= 0).length / set.targetAt.length;

/** Splits the validation queries whose target was retrieved into training and held-out queries. */
function validBlocks(set: CandidateSet, holdout: number, seed: number): QueryBlock[] {
  const hits = Int32Array.from(queriesWhere(set, (t) => t >= 0));
  shuffleInPlace(hits, new Rng(seed));
  const nHeld = Math.max(1, Math.round(hits.length * holdout));
  const held = hits.slice(0, nHeld).sort();
  const train = hits.slice(nHeld).sort();
  return [
    { set, queries: train, part: TRAIN },
    { set, queries: held, part: VALID },
  ];
}

/** A re-rank run as a library verb's config: the retriever, the options, and where the run is written. */
export interface RerankRunConfig extends RunRerankOptions {
  /** The frozen sequence model: its run directory (`seqrank train --task next-item`), or one already loaded. */
  retriever: string | RerankRetrieval;
  /** The prepared dataset directory the retriever must have been trained on (checked when given). */
  dataset?: string;
  /**
   * The run directory: results.json, model.onnx, the served ranker's files and checkpoints/ (an existing one
   * resumes). None: nothing is written and nothing resumes.
   */
  out?: string;
}

export interface RerankRun {
  summary: RerankSummary;
  fit: FitRerankResult;
  test: RerankTestQueries;
}

/** Re-ranks the retriever's candidates: trains the ranker, scores every test query, writes the run. */
export async function runRerank(config: RerankRunConfig, hooks?: FitRerankHooks): Promise<RerankRun> {
  const { retriever, dataset, out, ...opts } = config;
  return rerankRun(retrievalOf(retriever, dataset), opts, out && resolve(out), hooks);
}

/** A retriever given by its run directory is loaded, and checked against the dataset when one is named. */
function retrievalOf(retriever: string | RerankRetrieval, dataset: string | undefined): RerankRetrieval {
  if (typeof retriever !== "string") return retriever;
  const runDir = resolve(retriever);
  const { model, data, datasetDir } = loadRun(runDir);
  if (dataset !== undefined && realpathSync(datasetDir) !== realpathSync(dataset)) {
    throw new SeqrankError(
      "SR_ERR_CLI_ARG",
      `the retriever ${retriever} was trained on ${datasetDir}, not on ${dataset}`,
    );
  }
  return { model, data, runDir };
}

async function rerankRun(
  retrieval: RerankRetrieval,
  opts: RunRerankOptions,
  outDir: string | undefined,
  hooks: FitRerankHooks = {},
): Promise<RerankRun> {
  const { model, data } = retrieval;
  const k = opts.candidates ?? 100;
  const seed = opts.seed ?? 42;
  const retriever = await frozenRetriever(model, opts.threads);
  const validSet = await retriever.retrieve(firstRows(data.valid, opts.limitUsers ?? 0), k);
  const testSet = await retriever.retrieve(firstRows(data.test, opts.limitUsers ?? 0), k);
  await retriever.release();

  const side = data.itemSide;
  const signals = HistorySignals.fit(
    data.sequences,
    data.nItems,
    side && side.cardinality.attribute > 1 ? side.features.attributes : undefined,
    { recencyDecay: 0.8, ...opts.knn },
  );
  const allTest = Int32Array.from({ length: testSet.targetAt.length }, (_, q) => q);
  const blocks = [
    ...validBlocks(validSet, opts.holdout ?? 0.1, seed),
    { set: testSet, queries: allTest, part: TEST },
  ];
  const rerank = rerankTable(blocks, {
    nItems: data.nItems,
    itemVectors: retriever.itemVectors,
    dim: retriever.dim,
    trainPopularity: data.trainPopularity,
    features: side?.features,
    cardinality: side?.cardinality,
    signals,
  });
  const table = encodeCtrData(rerank.raw, opts.features);
  const layout = slotLayout(table);
  const rankerName = opts.model ?? "deepfm";
  const ranker = createRanker(
    rankerName,
    opts.modelConfig ?? {},
    { layout, tasks: [TARGET], nItems: table.nItems },
    new ParamStore(seed),
  );
  const fit = await fitRerank(
    ranker,
    table,
    layout,
    rerank,
    { seed, threads: opts.threads, ...opts.fit },
    outDir ? join(outDir, "checkpoints") : undefined,
    hooks,
  );

  const scorer = await compileRerankScorer(ranker, layout, opts.threads);
  const params = Object.fromEntries([...ranker.store.entries].map(([n, e]) => [n, tensor(e.value, e.shape)]));
  const testQueries = queriesOf(rerank, TEST);
  const testLogits = new Float32Array(testQueries.length * k);
  const reranked = await rerankQueries(scorer, params, table, layout, rerank, testQueries, 64, testLogits);
  await scorer.release();
  const retrievalOrder = retrievalRanks(testSet, allTest);
  const heldOutSrc = blocks[1].queries;
  const summary: RerankSummary = {
    model: ranker.name,
    candidates: k,
    queries: { train: blocks[0].queries.length, heldOut: heldOutSrc.length, test: testQueries.length },
    recall: { valid: recallOf(validSet), test: recallOf(testSet) },
    test: {
      retrieval: listMetrics(retrievalOrder),
      reranked: listMetrics(reranked),
      ndcg10Gain: pairedNdcgGain(retrievalOrder, reranked),
    },
    heldOut: { retrieval: listMetrics(retrievalRanks(validSet, heldOutSrc)), reranked: fit.valid },
    bestEpoch: fit.bestEpoch,
    trainSeconds: fit.trainSeconds,
    slots: layout.slots,
  };
  if (outDir) {
    const record = {
      task: "rerank",
      retriever: retrieval.runDir,
      ...summary,
      options: opts,
      history: fit.history,
    };
    writeRankerRun(outDir, ranker, layout, table, record);
    writeServedRanker(outDir, ranker, layout, RerankFeatures.fromTraining(table, signals, k, retriever.dim));
  }
  return { summary, fit, test: { set: testSet, logits: testLogits } };
}
