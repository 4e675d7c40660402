// The shape of a prepared dataset: what `buildDataset` produces and `loadDataset` returns.
//
// Ids: users 1..nUsers, items 1..nItems, 0 is padding everywhere (also for feature ids).
// Events are stored as one CSR over users, each row in chronological order (ts, then source order):
//   user u owns positions [offsets[u], offsets[u+1]); row 0 is empty, offsets.length = nUsers + 2.
// Splits are two boundaries per user (absolute positions into the event arrays):
//   train = [offsets[u], trainEnd[u]), valid = [trainEnd[u], validEnd[u]), test = [validEnd[u], offsets[u+1]).
// Targets of a part are its events whose type is an evaluation type (`evalType[code] = 1`); the input
// history of a target at position p is the training-type events of the same row before p (see split.ts).
// Leave-one-out: valid/test each hold exactly one target (the user's second-last / last evaluation-type
// event); users with fewer than two evaluation-type events are train-only (trainEnd = validEnd = row end).
// Temporal: train events have ts < validCut ≤ valid events' ts < testCut ≤ test events' ts.

export interface Csr {
  /** Row r is values[offsets[r] .. offsets[r+1]); length = rows + 1. */
  offsets: Int32Array;
  values: Int32Array;
}

export interface ItemFeatures {
  /** Per item id (length nItems + 1): id of the full category path, 0 = none. */
  category: Int32Array;
  /** Per item id: brand id, 0 = none. */
  brand: Int32Array;
  /** Per item id: price quantile bucket 1..B, 0 = no price. */
  priceBucket: Int32Array;
  /** Attribute ids per item (rows 0..nItems). */
  attributes: Csr;
  /** Title token ids per item (rows 0..nItems); English and Chinese tokens share one vocabulary (text.ts). */
  titleTokens: Csr;
}

export type SplitKind = "leave-one-out" | "temporal";

export interface DatasetSplit {
  kind: SplitKind;
  /** Per user (length nUsers + 1): end of the train part. */
  trainEnd: Int32Array;
  /** Per user: end of the validation part (= start of the test part). */
  validEnd: Int32Array;
  /** Temporal split only: the two cut timestamps (unix seconds). */
  validCut?: number;
  testCut?: number;
}

/** One rule's effect: rowsIn = kept + quarantined + filtered. Cleaning rules quarantine (quarantine.jsonl),
 *  the build's filters filter (filtered.jsonl); see docs/prepare.md. */
export interface RuleCount {
  rule: string;
  rowsIn: number;
  kept: number;
  quarantined: number;
  filtered: number;
}

export interface FeatureCardinality {
  /** Embedding-table sizes: highest id + 1 (padding included). */
  category: number;
  brand: number;
  priceBucket: number;
  attribute: number;
  token: number;
}

/** Contents of meta.json. */
export interface DatasetMeta {
  format: "seqrank-dataset";
  version: 1;
  name: string;
  counts: { users: number; items: number; interactions: number; sessions: number };
  vocabSizes: { users: number; items: number } & FeatureCardinality;
  eventTypes: { names: string[]; train: string[]; eval: string[] };
  split: {
    kind: SplitKind;
    validCut?: number;
    testCut?: number;
    validTargets: number;
    testTargets: number;
    validUsers: number;
    testUsers: number;
  };
  features: { fields: string[]; priceEdges: number[] };
  /** Dense ids follow first appearance in chronological order (ts, then source order); see build.ts. */
  idOrder: "first-appearance";
  rules: RuleCount[];
  options: unknown;
}

export interface PreparedDataset {
  meta: DatasetMeta;
  name: string;
  nUsers: number;
  nItems: number;
  nEvents: number;
  /** Event-type code → name. */
  eventTypes: string[];
  /** trainType[code] = 1 if events of that type may be model input / training targets. */
  trainType: Uint8Array;
  /** evalType[code] = 1 if events of that type are valid/test targets. */
  evalType: Uint8Array;
  offsets: Int32Array;
  items: Int32Array;
  events: Uint8Array;
  /** Unix seconds, NaN when the source has no timestamps. */
  ts: Float64Array;
  /** Global session id per event, 0 = unknown (see session.ts). */
  sessions: Int32Array;
  split: DatasetSplit;
  features: ItemFeatures;
}
