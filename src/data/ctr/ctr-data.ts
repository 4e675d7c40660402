// Raw CTR data as the readers produce it, before the feature pipeline encodes it: one row per (user, item)
// impression with 0/1 labels per task, and columns of raw values. A column lives on the row, on the user or on
// the item (`key`), so item-side features of any item can be looked up (negative sampling swaps the item).
import { Rng } from "../../graph/init.js";
import { SeqrankError } from "../../util/errors.js";

export type NumericTransform = "raw" | "log" | "standardize" | "log-standardize" | "buckets";
export type ColumnKey = "row" | "user" | "item";
/** Which part of the composite vector a field feeds (fusion.ts). */
export type FieldGroup = "user" | "item" | "context" | "sequence";

interface ColumnBase {
  name: string;
  key: ColumnKey;
  group: FieldGroup;
}
export interface CategoricalColumn extends ColumnBase {
  kind: "categorical";
  /** The reader's suggestion (the pipeline config can override it): "hash" for huge or open vocabularies. */
  encoding?: "vocab" | "hash";
  /**
   * The reader's floor for the vocabulary's minimum count (the pipeline's minCount can raise it): values
   * seen once in training rows share the out-of-vocabulary id, so that id is trained before it meets the
   * unseen values of valid and test rows.
   */
  minCount?: number;
  /** One value per key entity; "" = missing. */
  values: string[];
}
export interface MultiColumn extends ColumnBase {
  kind: "multi";
  values: string[][];
  /** Longest list fed to the model (longer lists are cut). */
  maxLen: number;
  /** Encode with another column's vocabulary (a history of item ids shares the item_id embeddings). */
  vocabOf?: string;
  /** Drop the row's own item from the list (a user-keyed history must not contain its target). */
  excludeRowItem?: boolean;
}
export interface NumericColumn extends ColumnBase {
  kind: "numeric";
  /** The reader's suggested transform (the pipeline config can override it). */
  transform?: NumericTransform;
  /** NaN = missing. */
  values: Float64Array;
}
export interface VectorColumn extends ColumnBase {
  kind: "vector";
  dim: number;
  /** Row-major [entities, dim]: a text embedding, or a frozen sequence encoder's user vector. */
  values: Float32Array;
}
export type RawColumn = CategoricalColumn | MultiColumn | NumericColumn | VectorColumn;

/** Split part of each row. */
export const TRAIN = 0;
export const VALID = 1;
export const TEST = 2;

export interface RawCtrData {
  name: string;
  /** Dense user index (0-based) per row; also the GAUC group. */
  user: Int32Array;
  /** Dense item index (0-based) per row. */
  item: Int32Array;
  nUsers: number;
  nItems: number;
  /** Task name → 0/1 label per row; the first is the default task of single-task rankers. */
  labels: Record<string, Uint8Array>;
  /** TRAIN, VALID or TEST per row. */
  split: Uint8Array;
  columns: RawColumn[];
}

export function rowCount(d: RawCtrData): number {
  return d.user.length;
}

/** Random train/valid/test assignment in the given proportions, reproducible from the seed. */
export function randomSplit(
  rows: number,
  seed: number,
  ratios: [number, number, number] = [8, 1, 1],
): Uint8Array {
  const rng = new Rng(seed);
  const total = ratios[0] + ratios[1] + ratios[2];
  const order = new Int32Array(rows);
  for (let i = 0; i < rows; i++) order[i] = i;
  for (let i = rows - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const split = new Uint8Array(rows);
  const trainEnd = Math.round((rows * ratios[0]) / total);
  const validEnd = Math.round((rows * (ratios[0] + ratios[1])) / total);
  for (let i = trainEnd; i < rows; i++) split[order[i]] = i < validEnd ? VALID : TEST;
  return split;
}

/** Row indices of one split part. */
export function rowsOf(d: { split: Uint8Array }, part: number): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < d.split.length; i++) if (d.split[i] === part) out.push(i);
  return Int32Array.from(out);
}

/** Log-odds of each task's positive rate over the training rows (0 when a class is missing). */
export function trainPriors(
  d: Pick<RawCtrData, "labels" | "split">,
  tasks: string[],
): Record<string, number> {
  const priors: Record<string, number> = {};
  for (const t of tasks) {
    if (!d.labels[t]) {
      throw new SeqrankError("SR_ERR_CTR_TASKS", `no label column ${t} (have ${Object.keys(d.labels)})`);
    }
    let rows = 0;
    let positives = 0;
    for (let r = 0; r < d.split.length; r++) {
      if (d.split[r] !== TRAIN) continue;
      rows++;
      positives += d.labels[t][r];
    }
    priors[t] = positives > 0 && positives < rows ? Math.log(positives / (rows - positives)) : 0;
  }
  return priors;
}

/** Interns strings to dense 0-based indices in order of first appearance. */
export class Interner {
  readonly ids = new Map<string, number>();
  readonly keys: string[] = [];
  id(key: string): number {
    let i = this.ids.get(key);
    if (i === undefined) {
      i = this.keys.length;
      this.ids.set(key, i);
      this.keys.push(key);
    }
    return i;
  }
  get size(): number {
    return this.keys.length;
  }
}

/** Keeps the rows of users 0..users-1 only (quick runs and tests); users stay densely numbered. */
export function limitUsers(d: RawCtrData, users: number): RawCtrData {
  if (users <= 0 || users >= d.nUsers) return d;
  const keep: number[] = [];
  for (let i = 0; i < d.user.length; i++) if (d.user[i] < users) keep.push(i);
  const pick = <T extends Uint8Array | Int32Array>(a: T) => keep.map((i) => a[i]);
  const cols = d.columns.map((c): RawColumn => {
    if (c.key === "item") return c;
    if (c.key === "user") return sliceEntities(c, users);
    return selectRows(c, keep);
  });
  return {
    ...d,
    user: Int32Array.from(pick(d.user)),
    item: Int32Array.from(pick(d.item)),
    nUsers: users,
    labels: Object.fromEntries(Object.entries(d.labels).map(([t, l]) => [t, Uint8Array.from(pick(l))])),
    split: Uint8Array.from(pick(d.split)),
    columns: cols,
  };
}

function sliceEntities(c: RawColumn, n: number): RawColumn {
  switch (c.kind) {
    case "vector":
      return { ...c, values: c.values.slice(0, n * c.dim) };
    case "numeric":
      return { ...c, values: c.values.slice(0, n) };
    default:
      return { ...c, values: c.values.slice(0, n) } as RawColumn;
  }
}

function selectRows(c: RawColumn, rows: number[]): RawColumn {
  switch (c.kind) {
    case "vector": {
      const v = new Float32Array(rows.length * c.dim);
      rows.forEach((r, i) => {
        v.set(c.values.subarray(r * c.dim, (r + 1) * c.dim), i * c.dim);
      });
      return { ...c, values: v };
    }
    case "numeric":
      return { ...c, values: Float64Array.from(rows, (r) => c.values[r]) };
    case "categorical":
      return { ...c, values: rows.map((r) => c.values[r]) };
    case "multi":
      return { ...c, values: rows.map((r) => c.values[r]) };
  }
}

export function assertRawData(d: RawCtrData): void {
  const n = rowCount(d);
  const sizes: Record<ColumnKey, number> = { row: n, user: d.nUsers, item: d.nItems };
  for (const c of d.columns) {
    const len = c.kind === "vector" ? c.values.length / c.dim : c.values.length;
    if (len !== sizes[c.key]) {
      throw new SeqrankError(
        "SR_ERR_CTR_DATA",
        `${d.name}: column ${c.name} keyed by ${c.key} has ${len} values, expected ${sizes[c.key]}`,
      );
    }
  }
  for (const [task, l] of Object.entries(d.labels)) {
    if (l.length !== n)
      throw new SeqrankError("SR_ERR_CTR_DATA", `${d.name}: labels ${task} length ${l.length} ≠ ${n}`);
  }
}
