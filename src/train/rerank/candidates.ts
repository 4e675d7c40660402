// Candidate generation by a frozen sequence model: for each evaluation row (a user's input history), the
// model's user vector and its top-k items by score with the history masked, as the full-ranking evaluator
// masks it. The model must score by a dot product (user [B, d] · item table [nItems + 1, d]ᵀ), which is what
// lets its user and item vectors be handed to the re-ranker as frozen features.

import type { EvalData } from "../../eval/eval-data.js";
import { TopK } from "../../eval/top-k.js";
import { BuildContext } from "../../graph/context.js";
import { Graph } from "../../graph/graph.js";
import { Runner } from "../../graph/session.js";
import type { SequenceRecommender } from "../../models/model.js";
import { splitScoreGraph } from "../../models/score-graph.js";
import { SeqrankError } from "../../util/errors.js";

export interface CandidateSet {
  /** The evaluation rows the candidates were retrieved for (queries, in row order). */
  data: EvalData;
  /** Candidates per query. */
  k: number;
  /** [queries, k] item ids, best first; 0 fills the slots of a query with fewer than k unseen items. */
  items: Int32Array;
  /** [queries, k] retrieval scores (−∞ in empty slots). */
  scores: Float32Array;
  /** Slot of each query's target among its candidates, −1 when it was not retrieved. */
  targetAt: Int32Array;
  /** [queries, dim] the frozen user vectors. */
  userVectors: Float32Array;
  dim: number;
}

export interface FrozenRetriever {
  /** [nItems + 1, dim] the model's item vectors (row 0 padding). */
  itemVectors: Float32Array;
  dim: number;
  retrieve(data: EvalData, k: number, batchSize?: number): Promise<CandidateSet>;
  release(): Promise<void>;
}

/** Compiles `model`'s score graph (current weights baked in) into a retriever of top-k candidates. */
export async function frozenRetriever(
  model: SequenceRecommender,
  threads?: number,
): Promise<FrozenRetriever> {
  const g = new Graph();
  const scores = model.buildScoreGraph(new BuildContext(g, model.store, false));
  const { user, table } = splitScoreGraph(scores);
  const dim = user.shape[user.rank - 1] as number;
  const tableRunner = await Runner.create({ table }, model.store, { threads });
  const itemVectors = (await tableRunner.run({})).table.data as Float32Array;
  await tableRunner.release();
  const runner = await Runner.create({ user, scores }, model.store, { threads });
  const width = model.nItems + 1;

  async function retrieve(data: EvalData, k: number, batchSize = 256): Promise<CandidateSet> {
    if (data.nItems !== model.nItems) {
      throw new SeqrankError(
        "SR_ERR_RERANK_DATA",
        `the retrieval model knows ${model.nItems} items, the data has ${data.nItems}`,
      );
    }
    const n = data.targets.length;
    const items = new Int32Array(n * k);
    const scoresOut = new Float32Array(n * k).fill(Number.NEGATIVE_INFINITY);
    const targetAt = new Int32Array(n).fill(-1);
    const userVectors = new Float32Array(n * dim);
    const heap = new TopK(k);
    const row = new Float32Array(width);
    for (let first = 0; first < n; first += batchSize) {
      const size = Math.min(batchSize, n - first);
      const histories = data.histories.slice(first, first + size);
      const out = await runner.run(model.scoreFeeds(histories, data.contexts?.slice(first, first + size)));
      userVectors.set((out.user.data as Float32Array).subarray(0, size * dim), first * dim);
      const all = out.scores.data as Float32Array;
      for (let i = 0; i < size; i++) {
        const q = first + i;
        row.set(all.subarray(i * width, (i + 1) * width));
        unseenTopK(row, histories[i], heap, items, scoresOut, q * k);
        for (let j = 0; j < k; j++)
          if (items[q * k + j] === data.targets[q] && items[q * k + j] !== 0) targetAt[q] = j;
      }
    }
    return { data, k, items, scores: scoresOut, targetAt, userVectors, dim };
  }

  return { itemVectors, dim, retrieve, release: () => runner.release() };
}

/**
 * The k best items of a score row (row i = item i, float32 as the score graph makes it) that are not in the
 * history, best first, into items/scores from `at`; slots past the unseen items stay item 0 (score −∞). The
 * offline retriever above and a served ranker's retrieval (query-features.ts) both choose through here.
 * Overwrites the history's entries and row 0 of `row`.
 */
export function unseenTopK(
  row: Float32Array,
  history: Int32Array,
  heap: TopK,
  items: Int32Array,
  scores: Float32Array,
  at: number,
): void {
  row[0] = Number.NEGATIVE_INFINITY;
  for (const seen of history) row[seen] = Number.NEGATIVE_INFINITY;
  heap.reset();
  // The floor is re-read only after an offer: once the heap is full few items enter it.
  let floor = heap.floor;
  for (let item = 1; item < row.length; item++) {
    const s = row[item];
    if (s > floor) {
      heap.offer(item, s);
      floor = heap.floor;
    }
  }
  heap.drainInto(items, at);
  for (let j = 0; j < heap.k; j++)
    scores[at + j] = items[at + j] === 0 ? Number.NEGATIVE_INFINITY : row[items[at + j]];
}
