// Full-ranking evaluation: every user's target is ranked against all items 1..nItems, batch by batch,
// with a bounded top-k per row (no users × items matrix, no full sort). Ties are counted at their expected
// rank: a target tied with t other items takes each of the places higher … higher + t with equal chance, and
// every rank metric reports its expected value over those places (docs/evaluation.md).
import { z } from "zod";
import { SeqrankError } from "../util/errors.js";
import { assertValidEvalData, type EvalData } from "./eval-data.js";
import { createMetric, METRIC_KINDS, METRICS, type Metric, type RankedBatch } from "./metrics.js";
import { headItemMask } from "./popularity.js";
import { TopK } from "./top-k.js";

/**
 * Fills `out` (rows.length × (nItems + 1), row-major, zero-filled on entry) with scores for the given
 * rows of the EvalData (row indices, not user ids; EvalData.users maps them back). Column 0 is padding.
 */
export type Scorer = (rows: Int32Array, out: Float32Array) => void | Promise<void>;

export const FullRankingOptionsSchema = z.strictObject({
  /** Cutoffs for the accuracy metrics (HR, Recall, NDCG, MRR, Precision). */
  ks: z.array(z.number().int().positive()).nonempty().default([5, 10, 20]),
  metrics: z
    .array(z.enum(METRIC_KINDS))
    .nonempty()
    .default([...METRIC_KINDS]),
  /** Cutoff for the metrics that need top-k lists (Coverage, LongTail) and for recommendedCounts. */
  coverageK: z.number().int().positive().default(10),
  /** Share of items, by training popularity, that counts as head for LongTail. */
  headShare: z.number().gt(0).lt(1).default(0.2),
  /** Mask every item of the input history (the whole history) to −∞ before ranking. */
  maskSeen: z.boolean().default(true),
  /** Users scored per scorer call; the score buffer is batchSize × (nItems + 1) floats. */
  batchSize: z.number().int().positive().default(256),
});
export type FullRankingOptions = z.input<typeof FullRankingOptionsSchema>;

export interface FullRankingResult {
  /** Keyed like "NDCG@10", "HR@10", "Coverage@10". */
  metrics: Record<string, number>;
  users: number;
  maskSeen: boolean;
  seconds: number;
  /**
   * 0-based expected rank of each row's target: items scoring strictly higher + half the other items scoring
   * exactly the same. Infinity when the target was in the masked history.
   */
  ranks: Float64Array;
  /** How often each item id appears in a top-coverageK list (only when a metric needs "topk"). */
  recommendedCounts?: Int32Array;
}

export async function evaluateFullRanking(
  scorer: Scorer,
  data: EvalData,
  options: FullRankingOptions = {},
  onProgress?: (doneUsers: number, totalUsers: number) => void,
): Promise<FullRankingResult> {
  const opts = FullRankingOptionsSchema.parse(options);
  assertValidEvalData(data);
  const started = performance.now();
  const { nItems, histories, targets } = data;
  const nUsers = targets.length;
  const width = nItems + 1;

  const ctx = { nItems, isHead: headItemMask(data.trainPopularity, opts.headShare) };
  const metrics: Metric[] = [];
  for (const kind of new Set(opts.metrics)) {
    const cutoffs = METRICS[kind].needs.includes("topk") ? [opts.coverageK] : new Set(opts.ks);
    for (const k of cutoffs) metrics.push(createMetric(kind, k, ctx));
  }
  const topK = metrics.some((m) => m.needs.includes("topk")) ? opts.coverageK : 0;
  const heap = topK > 0 ? new TopK(topK) : undefined;
  const recommendedCounts = topK > 0 ? new Int32Array(width) : undefined;

  const batchCap = Math.min(opts.batchSize, Math.max(nUsers, 1));
  const scoreBuffer = new Float32Array(batchCap * width);
  const rowBuffer = new Int32Array(batchCap);
  const higher = new Float64Array(nUsers);
  const ties = new Float64Array(nUsers);
  const topItems = new Int32Array(batchCap * topK);

  for (let first = 0; first < nUsers; first += batchCap) {
    const size = Math.min(batchCap, nUsers - first);
    const rows = rowBuffer.subarray(0, size);
    for (let i = 0; i < size; i++) rows[i] = first + i;
    const out = scoreBuffer.subarray(0, size * width);
    out.fill(0);
    await scorer(rows, out);

    for (let i = 0; i < size; i++) {
      const r = first + i;
      const base = i * width;
      const target = targets[r];
      out[base] = Number.NEGATIVE_INFINITY;
      let targetSeen = false;
      let masked = 0; // items set to −∞ here (not by the scorer): no competitors for a target scored −∞
      if (opts.maskSeen) {
        for (const item of histories[r]) {
          if (out[base + item] !== Number.NEGATIVE_INFINITY) masked++;
          out[base + item] = Number.NEGATIVE_INFINITY;
          if (item === target) targetSeen = true;
        }
      }
      const targetScore = out[base + target];
      if (Number.isNaN(targetScore)) {
        throw new SeqrankError(
          "SR_ERR_EVAL_NAN_SCORE",
          `scorer returned NaN for row ${r}, target item ${target}`,
        );
      }
      if (targetSeen) {
        higher[r] = Number.POSITIVE_INFINITY;
        ties[r] = 0;
      } else {
        const { above, equal } = countAboveAndEqual(out, base + 1, base + width, targetScore);
        higher[r] = above;
        ties[r] = equal - 1 - (targetScore === Number.NEGATIVE_INFINITY ? masked : 0);
      }
      if (heap) {
        selectTop(out, base, width, heap);
        heap.drainInto(topItems, i * topK);
      }
    }

    const batch: RankedBatch = {
      size,
      ranks: higher.subarray(first, first + size),
      ties: ties.subarray(first, first + size),
      topItems,
      topK,
    };
    for (const m of metrics) m.update(batch);
    if (recommendedCounts) for (let j = 0; j < size * topK; j++) recommendedCounts[topItems[j]]++;
    onProgress?.(first + size, nUsers);
  }
  if (recommendedCounts) recommendedCounts[0] = 0; // empty slots

  const result: Record<string, number> = {};
  for (const m of metrics) result[m.name] = m.result();
  return {
    metrics: result,
    users: nUsers,
    maskSeen: opts.maskSeen,
    seconds: (performance.now() - started) / 1000,
    ranks: higher.map((h, r) => h + ties[r] / 2),
    recommendedCounts,
  };
}

/** Items scoring strictly above the target's score, and items scoring exactly it (the target included). */
function countAboveAndEqual(
  scores: Float32Array,
  from: number,
  to: number,
  targetScore: number,
): { above: number; equal: number } {
  let above = 0;
  let equal = 0;
  // Branch-free: with near-random scores a data-dependent branch mispredicts often and costs 3× more.
  for (let j = from; j < to; j++) {
    const s = scores[j];
    above += (s > targetScore) as unknown as number;
    equal += (s === targetScore) as unknown as number;
  }
  return { above, equal };
}

/**
 * Offers items 1..nItems of one row to the heap; masked (−∞) and NaN scores never enter a top-k list.
 * Items arrive in ascending id order, so an item tying the heap's floor would lose the tie-break to every
 * kept item: a strict `>` against the floor is exact, and all-equal rows cost no heap work.
 */
function selectTop(scores: Float32Array, base: number, width: number, heap: TopK): void {
  heap.reset();
  let floor = heap.floor;
  for (let item = 1; item < width; item++) {
    const s = scores[base + item];
    if (s > floor) {
      heap.offer(item, s);
      floor = heap.floor;
    }
  }
}
