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
import { assertRawData, type RawColumn, type RawCtrData } from "../../data/ctr/ctr-data.js";
import type { FeatureCardinality, ItemFeatures } from "../../data/prepared.js";
import { SeqrankError } from "../../util/errors.js";
import type { CandidateSet } from "./candidates.js";
import { type HistorySignals, SIGNALS } from "./history-signals.js";

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
  const rowValues = newRowValues(rows);
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
      for (let j = 0; j < k; j++) {
        user[at + j] = q;
        item[at + j] = candidates[j];
        split[at + j] = b.part;
        label[at + j] = j === targetSlot[q] ? 1 : 0;
      }
      describeQuery(
        items.signals,
        history,
        candidates,
        b.set.scores.subarray(src * k, (src + 1) * k),
        rowValues,
        at,
      );
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
      ...rowColumns(rowValues),
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

/** The row-keyed (per candidate) columns: retrieval context, then the history signals. */
export const ROW_COLUMNS = ["retrieval_score", "retrieval_rank", "score_gap", ...SIGNALS] as const;
export type RowValues = Record<(typeof ROW_COLUMNS)[number], Float64Array>;

const ROW_TRANSFORMS: Record<keyof RowValues, "standardize" | "log-standardize"> = {
  retrieval_score: "standardize",
  retrieval_rank: "log-standardize",
  score_gap: "log-standardize",
  knn: "standardize",
  knnLast: "standardize",
  transitions: "standardize",
  attributeOverlap: "standardize",
};

export function newRowValues(rows: number): RowValues {
  return Object.fromEntries(ROW_COLUMNS.map((c) => [c, new Float64Array(rows)])) as RowValues;
}

/**
 * The raw per-candidate values of one query (its k candidates in retrieval order with their scores) into
 * `out` from row `at`: the training table and a served query (query-features.ts) are described by this one
 * function. Empty slots (item 0) have a −∞ score: they stay missing (NaN) and are never ranked anyway.
 */
export function describeQuery(
  signals: HistorySignals,
  history: Int32Array,
  candidates: Int32Array,
  scores: ArrayLike<number>,
  out: RowValues,
  at: number,
): void {
  const best = scores[0];
  for (let j = 0; j < candidates.length; j++) {
    const s = scores[j];
    out.retrieval_score[at + j] = Number.isFinite(s) ? s : Number.NaN;
    out.score_gap[at + j] = Number.isFinite(s) ? best - s : Number.NaN;
    out.retrieval_rank[at + j] = j;
  }
  signals.describe(history, candidates, out, at);
}

function rowColumns(values: RowValues): RawColumn[] {
  return ROW_COLUMNS.map((name) => ({
    name,
    kind: "numeric",
    key: "row",
    group: "context",
    transform: ROW_TRANSFORMS[name],
    values: values[name],
  }));
}
