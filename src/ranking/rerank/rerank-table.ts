// Re-ranking examples as CTR data: one row per (query, candidate), the k candidates of a query in
// consecutive rows in retrieval order, label `target` = 1 on the query's held-out item. A "user" of the table
// is a query (one user's history at one point of the split), so the user-keyed fields describe that moment.
// The parts of the composite vector (fusion.ts):
//   sequence: the frozen sequence model's user vector;
//   user:     profile (history length);
//   item:     the frozen item vector, attributes, category / brand / price bucket (those the dataset has),
//             training popularity;
//   context:  retrieval score, rank and gap to the query's best score, and the history signals
//             (ItemKNN to the history and to the last item, last → candidate transitions, attribute overlap).
import type { FeatureCardinality, ItemFeatures } from "../../data/prepared.js";
import { SeqrankError } from "../../util/errors.js";
import { assertRawData, type RawColumn, type RawCtrData } from "../ctr-data.js";
import type { CandidateSet } from "./candidates.js";
import { type HistorySignals, SIGNALS, type SignalName } from "./history-signals.js";

export const TARGET = "target";

/** Queries of one candidate set that go into the table, and the split part they belong to. */
export interface QueryBlock {
  set: CandidateSet;
  /** Query indices into `set`. */
  queries: Int32Array;
  /** TRAIN, VALID or TEST (ctr-data.ts). */
  part: number;
}

export interface ItemContext {
  nItems: number;
  /** [nItems + 1, dim] frozen item vectors. */
  itemVectors: Float32Array;
  dim: number;
  trainPopularity: ArrayLike<number>;
  features?: ItemFeatures;
  cardinality?: FeatureCardinality;
  signals: HistorySignals;
}

export interface RerankTable {
  raw: RawCtrData;
  k: number;
  /** Per table query: its split part and its target's slot among the candidates (−1: not retrieved). */
  part: Uint8Array;
  targetSlot: Int32Array;
}

export function rerankTable(blocks: QueryBlock[], items: ItemContext): RerankTable {
  const k = blocks[0]?.set.k ?? 0;
  if (blocks.some((b) => b.set.k !== k || b.set.dim !== items.dim)) {
    throw new SeqrankError("SR_ERR_RERANK_DATA", "every candidate set needs the same k and vector width");
  }
  const nQueries = blocks.reduce((n, b) => n + b.queries.length, 0);
  const rows = nQueries * k;
  const user = new Int32Array(rows);
  const item = new Int32Array(rows);
  const label = new Uint8Array(rows);
  const split = new Uint8Array(rows);
  const part = new Uint8Array(nQueries);
  const targetSlot = new Int32Array(nQueries);
  const userVectors = new Float32Array(nQueries * items.dim);
  const historyLength = new Float64Array(nQueries);
  const context = {
    score: new Float64Array(rows),
    rank: new Float64Array(rows),
    gap: new Float64Array(rows),
  };
  const signals = Object.fromEntries(SIGNALS.map((s) => [s, new Float64Array(rows)])) as Record<
    SignalName,
    Float64Array
  >;
  let q = 0;
  for (const b of blocks) {
    for (const src of b.queries) {
      const at = q * k;
      const candidates = b.set.items.subarray(src * k, (src + 1) * k);
      const history = b.set.data.histories[src];
      part[q] = b.part;
      targetSlot[q] = b.set.targetAt[src];
      userVectors.set(b.set.userVectors.subarray(src * items.dim, (src + 1) * items.dim), q * items.dim);
      historyLength[q] = history.length;
      const best = b.set.scores[src * k];
      for (let j = 0; j < k; j++) {
        const s = b.set.scores[src * k + j];
        user[at + j] = q;
        item[at + j] = candidates[j];
        split[at + j] = b.part;
        label[at + j] = j === targetSlot[q] ? 1 : 0;
        // Empty slots (item 0) have a −∞ score: they stay missing (NaN) and are never ranked anyway.
        context.score[at + j] = Number.isFinite(s) ? s : Number.NaN;
        context.gap[at + j] = Number.isFinite(s) ? best - s : Number.NaN;
        context.rank[at + j] = j;
      }
      items.signals.describe(history, candidates, signals, at);
      q++;
    }
  }
  const raw: RawCtrData = {
    name: "rerank",
    user,
    item,
    nUsers: nQueries,
    nItems: items.nItems + 1,
    labels: { [TARGET]: label },
    split,
    columns: [
      {
        name: "user_vector",
        kind: "vector",
        key: "user",
        group: "sequence",
        dim: items.dim,
        values: userVectors,
      },
      ...profileColumns(historyLength),
      ...itemColumns(items),
      ...contextColumns(context, signals),
    ],
  };
  assertRawData(raw);
  return { raw, k, part, targetSlot };
}

function profileColumns(historyLength: Float64Array): RawColumn[] {
  return [
    {
      name: "history_length",
      kind: "numeric",
      key: "user",
      group: "user",
      transform: "log-standardize",
      values: historyLength,
    },
  ];
}

function itemColumns(items: ItemContext): RawColumn[] {
  const n = items.nItems + 1;
  const columns: RawColumn[] = [
    {
      name: "item_vector",
      kind: "vector",
      key: "item",
      group: "item",
      dim: items.dim,
      values: items.itemVectors,
    },
    {
      name: "popularity",
      kind: "numeric",
      key: "item",
      group: "item",
      transform: "log-standardize",
      values: Float64Array.from({ length: n }, (_, i) => items.trainPopularity[i] ?? 0),
    },
  ];
  const f = items.features;
  const card = items.cardinality;
  if (!f || !card) return columns;
  if (card.attribute > 1) {
    const { offsets, values } = f.attributes;
    const lists = Array.from({ length: n }, (_, i) =>
      Array.from(values.subarray(offsets[i], offsets[i + 1] ?? offsets[i]), String),
    );
    const maxLen = Math.max(1, ...lists.map((l) => l.length));
    columns.push({ name: "attributes", kind: "multi", key: "item", group: "item", maxLen, values: lists });
  }
  for (const name of ["category", "brand", "priceBucket"] as const) {
    if (card[name] <= 1) continue;
    const ids = f[name];
    columns.push({
      name,
      kind: "categorical",
      key: "item",
      group: "item",
      values: Array.from({ length: n }, (_, i) => (ids[i] ? String(ids[i]) : "")),
    });
  }
  return columns;
}

function contextColumns(
  context: { score: Float64Array; rank: Float64Array; gap: Float64Array },
  signals: Record<SignalName, Float64Array>,
): RawColumn[] {
  const numeric = (name: string, values: Float64Array, transform: "standardize" | "log-standardize") =>
    ({ name, kind: "numeric", key: "row", group: "context", transform, values }) as const;
  return [
    numeric("retrieval_score", context.score, "standardize"),
    numeric("retrieval_rank", context.rank, "log-standardize"),
    numeric("score_gap", context.gap, "log-standardize"),
    ...SIGNALS.map((s) => numeric(s, signals[s], "standardize")),
  ];
}
