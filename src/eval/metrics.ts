// Ranking metrics, one table keyed by kind (RecBole style): each declares what it needs from the evaluator
// and whether higher is better, and accumulates over batches of users.
import { SeqrankError } from "../util/errors.js";

/** rank: where each target ranks (see RankedBatch). topk: each user's top-k item list. */
export type MetricNeed = "rank" | "topk";

/** One batch of evaluated users, as the evaluator hands it to metrics. */
export interface RankedBatch {
  size: number;
  /** The best 0-based rank of each target: items scoring strictly higher; Infinity when the target was masked. */
  ranks: Float64Array;
  /** Other items scoring exactly the target's score: the target's rank is ranks … ranks + ties. Absent: no ties. */
  ties?: Float64Array;
  /** size × topK item ids, best first, 0 in empty slots. Filled only when some metric needs "topk". */
  topItems: Int32Array;
  topK: number;
}

export interface MetricContext {
  nItems: number;
  /** 1 for head items (the most popular share by training popularity); see headItemMask. */
  isHead: Uint8Array;
}

export interface Metric {
  /** Result key, e.g. "NDCG@10". */
  readonly name: string;
  readonly needs: readonly MetricNeed[];
  readonly higherIsBetter: boolean;
  update(batch: RankedBatch): void;
  result(): number;
}

interface Accumulator {
  update(batch: RankedBatch): void;
  result(): number;
}

interface MetricSpec {
  needs: readonly MetricNeed[];
  higherIsBetter: boolean;
  create(k: number, ctx: MetricContext): Accumulator;
}

/**
 * Mean over users of a gain that depends only on the target's 0-based rank, zero from rank k on (one target
 * per user, so IDCG = 1). A target tied with t other items is equally likely at each rank higher … higher + t,
 * so its gain is the mean over those ranks: the expected value under a random order of the tied items.
 */
function meanRankGain(gain: (rank: number, k: number) => number): MetricSpec {
  return {
    needs: ["rank"],
    higherIsBetter: true,
    create(k) {
      let sum = 0;
      let users = 0;
      return {
        update(batch) {
          for (let i = 0; i < batch.size; i++) {
            const first = batch.ranks[i];
            if (!(first < k)) continue;
            const places = (batch.ties?.[i] ?? 0) + 1;
            const last = Math.min(first + places, k); // ranks from here on gain nothing
            let g = 0;
            for (let rank = first; rank < last; rank++) g += gain(rank, k);
            sum += g / places;
          }
          users += batch.size;
        },
        result: () => (users > 0 ? sum / users : 0),
      };
    },
  };
}

export const METRICS = {
  HR: meanRankGain(() => 1),
  Recall: meanRankGain(() => 1),
  NDCG: meanRankGain((rank) => 1 / Math.log2(rank + 2)),
  MRR: meanRankGain((rank) => 1 / (rank + 1)),
  Precision: meanRankGain((_rank, k) => 1 / k),
  /** Distinct items in anyone's top-k, over all items. */
  Coverage: {
    needs: ["topk"],
    higherIsBetter: true,
    create(k, ctx) {
      const seen = new Uint8Array(ctx.nItems + 1);
      let distinct = 0;
      return {
        update(batch) {
          for (let i = 0; i < batch.size; i++) {
            const row = i * batch.topK;
            for (let j = 0; j < k; j++) {
              const item = batch.topItems[row + j];
              if (item !== 0 && seen[item] === 0) {
                seen[item] = 1;
                distinct++;
              }
            }
          }
        },
        result: () => distinct / ctx.nItems,
      };
    },
  },
  /** Share of filled top-k slots holding long-tail items (outside the head by training popularity). */
  LongTail: {
    needs: ["topk"],
    higherIsBetter: true,
    create(k, ctx) {
      let tail = 0;
      let slots = 0;
      return {
        update(batch) {
          for (let i = 0; i < batch.size; i++) {
            const row = i * batch.topK;
            for (let j = 0; j < k; j++) {
              const item = batch.topItems[row + j];
              if (item === 0) continue;
              slots++;
              if (ctx.isHead[item] === 0) tail++;
            }
          }
        },
        result: () => (slots > 0 ? tail / slots : 0),
      };
    },
  },
} satisfies Record<string, MetricSpec>;

export type MetricKind = keyof typeof METRICS;
export const METRIC_KINDS = Object.keys(METRICS) as [MetricKind, ...MetricKind[]];

export function createMetric(kind: MetricKind, k: number, ctx: MetricContext): Metric {
  const spec: MetricSpec = METRICS[kind];
  if (spec === undefined) throw new SeqrankError("SR_ERR_EVAL_METRIC", `unknown metric "${kind}"`);
  const acc = spec.create(k, ctx);
  return {
    name: `${kind}@${k}`,
    needs: spec.needs,
    higherIsBetter: spec.higherIsBetter,
    update: (batch) => acc.update(batch),
    result: () => acc.result(),
  };
}

/** Parses a result key such as "NDCG@10" back to its kind, for direction-aware comparisons of saved runs. */
export function metricKindOf(name: string): MetricKind | undefined {
  const kind = name.split("@")[0];
  return kind in METRICS ? (kind as MetricKind) : undefined;
}

/** Keys outside the ranking table where smaller is better (the CTR LogLoss and training losses). */
const LOWER_IS_BETTER = new Set(["LogLoss", "loss"]);

export function higherIsBetter(name: string): boolean {
  const kind = metricKindOf(name);
  return kind === undefined ? !LOWER_IS_BETTER.has(name) : METRICS[kind].higherIsBetter;
}
