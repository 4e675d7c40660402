// The one interface the trainer and the evaluator know. A neural model records two graphs into fresh
// Graphs (parameters shared through its ParamStore): the training loss, and full-catalogue scores for
// input histories. Feeds for both are made on the JS side from plain item sequences.
import type { BuildContext } from "../graph/context.js";
import type { Tensor } from "../graph/graph.js";
import type { Rng } from "../graph/init.js";
import type { ParamStore } from "../graph/param-store.js";
import type { Feeds } from "../graph/session.js";
import type { PositionContext } from "./context-features.js";
import type { HistoryFeedSpec } from "./history-feeds.js";

export interface TrainGraph {
  /** Scalar loss to minimise. */
  loss: Tensor;
  /** Extra scalars reported per step. */
  metrics?: Record<string, Tensor>;
}

export interface SequenceRecommender {
  readonly name: string;
  readonly nItems: number;
  readonly store: ParamStore;
  /** Longest input the encoder reads (older items are cut, or pooled by segment models). */
  readonly maxLen: number;
  /** Records the training loss into `ctx` (a training context: dropout on, "seed" input available). */
  buildTrainGraph(ctx: BuildContext): TrainGraph;
  /**
   * Feeds for one training batch. `seqs` are whole training sequences (inputs and targets from one array);
   * `contexts[b]`, when given, the event types and times of seqs[b] position by position (models with
   * context inputs read them; the others ignore them).
   */
  trainFeeds(
    seqs: readonly Int32Array[],
    rng: Rng,
    contexts?: readonly (PositionContext | undefined)[],
  ): Feeds;
  /** Records scores [B, nItems + 1] for a batch of input histories into `ctx` (an evaluation context). */
  buildScoreGraph(ctx: BuildContext): Tensor;
  /** How the score graph's history inputs are filled (history-feeds.ts); recorded in served model.json. */
  readonly feedSpec: HistoryFeedSpec;
  /** Feeds for scoring a batch of input histories (oldest first; contexts as for trainFeeds): historyFeeds of feedSpec. */
  scoreFeeds(histories: readonly Int32Array[], contexts?: readonly (PositionContext | undefined)[]): Feeds;
  /** Models with a text tower over titles: records item vectors from title tokens (feeds: titleFeeds). */
  buildTitleGraph?(ctx: BuildContext): TitleGraph | undefined;
}

/** Item vectors [batch, d] in the item table's space from title token ids, at most `maxTokens` per title. */
export interface TitleGraph {
  vectors: Tensor;
  maxTokens: number;
}

/** Everything a model factory needs to know about the data. */
export interface ModelData {
  nItems: number;
  /** Longest training sequence, for models that size tables by it. */
  maxSeqLen: number;
}

export interface ModelFactory<C> {
  name: string;
  /** zod schema of the model's config with its defaults. */
  configSchema: { parse(input: unknown): C };
  create(config: C, data: ModelData, store: ParamStore): SequenceRecommender;
}
