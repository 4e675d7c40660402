// The feature pipeline: fitted on training rows only, it turns raw columns into id/value fields.
//   categorical → vocabulary (values seen < minCount times go to the out-of-vocabulary id) or hashing;
//   multi-valued → a list of ids (mean-pooled by the models), optionally sharing another field's vocabulary;
//   numeric → log / standardised value fed as weight of one feature id, or quantile buckets (a categorical);
//   vector → `dim` feature ids weighted by the vector's entries (a learned linear projection).
// Local ids: 0 = padding, 1 = out-of-vocabulary / missing, 2.. = known values (hash buckets: 1..buckets).
import { z } from "zod";
import { parseConfig } from "../../util/config-issues.js";
import { SeqrankError } from "../../util/errors.js";
import { upperBound } from "../../util/upper-bound.js";
import {
  type CategoricalColumn,
  type ColumnKey,
  type FieldGroup,
  type MultiColumn,
  type NumericColumn,
  type RawColumn,
  type RawCtrData,
  rowCount,
  TRAIN,
} from "./ctr-data.js";

export const FeatureConfigSchema = z.strictObject({
  /** Vocabulary values seen fewer times than this in training rows share the out-of-vocabulary id. */
  minCount: z.number().int().min(1).default(1),
  /** Buckets of hashed categoricals. */
  hashBuckets: z.number().int().positive().default(10_000),
  /** Quantile buckets of bucketed numerics. */
  numericBuckets: z.number().int().min(2).default(10),
  /** Per-column overrides of the reader's suggestion. */
  encoding: z.record(z.string(), z.enum(["vocab", "hash"])).default({}),
  transform: z
    .record(z.string(), z.enum(["raw", "log", "standardize", "log-standardize", "buckets"]))
    .default({}),
  /** Columns to leave out (ablations: e.g. the history fields). */
  drop: z.array(z.string()).default([]),
});
export type FeatureConfig = z.infer<typeof FeatureConfigSchema>;

/** Per key entity: `slots` ids and weights (row-major), the form every field takes after encoding. */
export interface EncodedField {
  name: string;
  group: FieldGroup;
  key: ColumnKey;
  kind: "categorical" | "multi" | "numeric" | "vector";
  /** Slots per row the field fills: 1, a multi field's maxLen, or a vector's dim. */
  slots: number;
  /** Ids this field owns (padding excluded); 0 when it shares `vocabOf`'s ids. */
  vocab: number;
  vocabOf?: string;
  excludeRowItem: boolean;
  /** Local ids per entity, [entities, slots] (0 = padding). Multi lists keep all ids in `lists` instead. */
  ids?: Int32Array;
  weights?: Float32Array;
  /** Multi fields: CSR of local ids per entity. */
  lists?: { offsets: Int32Array; values: Int32Array };
  /** Fitted state, kept for reports: vocabulary size, bucket edges, mean/std. */
  fitted: Record<string, number | number[]>;
  /** Numeric columns: the fitted encoding, which encodes new values the same way. */
  numeric?: NumericFit;
}

/** The raw rows with their columns encoded into fields. */
export interface CtrTable extends Omit<RawCtrData, "columns"> {
  fields: EncodedField[];
}

/** FNV-1a, 32 bit. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Entity indices referenced by training rows, with multiplicity (what vocabularies are counted over). */
function trainEntities(d: RawCtrData, key: ColumnKey): Int32Array {
  const out: number[] = [];
  for (let r = 0; r < rowCount(d); r++) {
    if (d.split[r] !== TRAIN) continue;
    out.push(key === "row" ? r : key === "user" ? d.user[r] : d.item[r]);
  }
  return Int32Array.from(out);
}

class Vocabulary {
  readonly ids = new Map<string, number>();
  constructor(counts: Map<string, number>, minCount: number) {
    for (const [v, c] of counts) if (c >= minCount && v !== "") this.ids.set(v, this.ids.size + 2);
  }
  get size(): number {
    return this.ids.size + 1; // + the out-of-vocabulary id
  }
  id(v: string): number {
    return this.ids.get(v) ?? 1;
  }
}

function countValues(values: (string | string[])[], entities: Int32Array): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of entities) {
    const v = values[e];
    for (const s of Array.isArray(v) ? v : [v]) counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  return counts;
}

interface Encoder {
  vocab: number;
  id(v: string): number;
  fitted: Record<string, number>;
}

function categoricalEncoder(c: CategoricalColumn | MultiColumn, d: RawCtrData, cfg: FeatureConfig): Encoder {
  const encoding = cfg.encoding[c.name] ?? (c.kind === "categorical" ? c.encoding : undefined) ?? "vocab";
  if (encoding === "hash") {
    const b = cfg.hashBuckets;
    return { vocab: b, id: (v) => (v === "" ? 1 : 1 + (hashString(v) % b)), fitted: { buckets: b } };
  }
  const minCount = Math.max(cfg.minCount, (c.kind === "categorical" ? c.minCount : undefined) ?? 1);
  const vocab = new Vocabulary(countValues(c.values, trainEntities(d, c.key)), minCount);
  return { vocab: vocab.size, id: (v) => vocab.id(v), fitted: { vocabulary: vocab.size, minCount } };
}

/** A numeric column's fitted encoding (on training rows): what turns any raw value into its id and weight. */
export interface NumericFit {
  transform: "raw" | "log" | "standardize" | "log-standardize" | "buckets";
  mean: number;
  std: number;
  /** Bucket edges (transform "buckets"). */
  edges: number[];
}

function fitNumeric(c: NumericColumn, d: RawCtrData, cfg: FeatureConfig): NumericFit {
  const transform = cfg.transform[c.name] ?? c.transform ?? "standardize";
  const fitValues = Array.from(trainEntities(d, c.key), (e) => preTransform(transform, c.values[e])).filter(
    (x) => !Number.isNaN(x),
  );
  const edges: number[] = [];
  let mean = 0;
  let std = 1;
  if (transform === "buckets") {
    const sorted = fitValues.sort((a, b) => a - b);
    for (let q = 1; q < cfg.numericBuckets; q++) {
      const e = sorted[Math.floor((q * sorted.length) / cfg.numericBuckets)];
      if (e !== undefined && e !== edges[edges.length - 1]) edges.push(e);
    }
  } else if (transform === "standardize" || transform === "log-standardize") {
    mean = fitValues.reduce((a, b) => a + b, 0) / Math.max(1, fitValues.length);
    const variance = fitValues.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, fitValues.length);
    // A constant column's variance comes out as rounding noise (1e-16), not 0: dividing by it would turn
    // every later value into ±1e15. Such a column carries nothing: leave it unscaled.
    std = Math.sqrt(variance);
    if (!(std > 1e-9 * (1 + Math.abs(mean)))) std = 1;
  }
  return { transform, mean, std, edges };
}

const preTransform = (transform: NumericFit["transform"], x: number) =>
  transform === "log" || transform === "log-standardize" ? Math.sign(x) * Math.log1p(Math.abs(x)) : x;

/**
 * Raw values → local ids and weights by a fitted encoding: buckets are categorical ids (missing → 1, weight
 * 1); otherwise id 1 weighted by the transformed value (missing → 0, the training mean). Training and
 * serving (src/train/rerank/query-features.ts) both encode through here.
 */
export function encodeNumericValues(
  values: ArrayLike<number>,
  fit: NumericFit,
  out: { ids: Int32Array; weights: Float32Array } = {
    ids: new Int32Array(values.length),
    weights: new Float32Array(values.length),
  },
): { ids: Int32Array; weights: Float32Array } {
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (fit.transform === "buckets") {
      out.ids[i] = Number.isNaN(x) ? 1 : 2 + upperBound(fit.edges, x);
      out.weights[i] = 1;
    } else {
      out.ids[i] = 1;
      out.weights[i] = Number.isNaN(x) ? 0 : (preTransform(fit.transform, x) - fit.mean) / fit.std;
    }
  }
  return out;
}

function encodeNumeric(c: NumericColumn, d: RawCtrData, cfg: FeatureConfig): EncodedField {
  const numeric = fitNumeric(c, d, cfg);
  const { ids, weights } = encodeNumericValues(c.values, numeric);
  const base = {
    name: c.name,
    group: c.group,
    key: c.key,
    slots: 1,
    excludeRowItem: false,
    ids,
    weights,
    numeric,
  };
  if (numeric.transform === "buckets")
    return {
      ...base,
      kind: "categorical",
      vocab: numeric.edges.length + 2,
      fitted: { edges: numeric.edges },
    };
  return { ...base, kind: "numeric", vocab: 1, fitted: { mean: numeric.mean, std: numeric.std } };
}

/** Fits the pipeline on the training rows of `d` and encodes every row. */
export function encodeCtrData(d: RawCtrData, config: Partial<FeatureConfig> = {}): CtrTable {
  const cfg = parseConfig(FeatureConfigSchema, config, "feature config");
  const columns = d.columns.filter((c) => !cfg.drop.includes(c.name));
  const encoders = new Map<string, Encoder>();
  const fields: EncodedField[] = [];
  for (const c of columns) fields.push(encodeColumn(c, d, cfg, encoders));
  return {
    name: d.name,
    user: d.user,
    item: d.item,
    nUsers: d.nUsers,
    nItems: d.nItems,
    labels: d.labels,
    split: d.split,
    fields,
  };
}

function encodeColumn(
  c: RawColumn,
  d: RawCtrData,
  cfg: FeatureConfig,
  encoders: Map<string, Encoder>,
): EncodedField {
  const base = { name: c.name, group: c.group, key: c.key, excludeRowItem: false };
  switch (c.kind) {
    case "numeric":
      return encodeNumeric(c, d, cfg);
    case "vector": {
      const n = c.values.length / c.dim;
      const ids = new Int32Array(n * c.dim);
      for (let i = 0; i < ids.length; i++) ids[i] = 1 + (i % c.dim);
      return {
        ...base,
        kind: "vector",
        slots: c.dim,
        vocab: c.dim,
        ids,
        weights: c.values,
        fitted: { dim: c.dim },
      };
    }
    case "categorical": {
      const enc = categoricalEncoder(c, d, cfg);
      encoders.set(c.name, enc);
      const ids = Int32Array.from(c.values, (v) => enc.id(v));
      const weights = new Float32Array(ids.length).fill(1);
      return { ...base, kind: "categorical", slots: 1, vocab: enc.vocab, ids, weights, fitted: enc.fitted };
    }
    case "multi": {
      let enc: Encoder;
      if (c.vocabOf) {
        const shared = encoders.get(c.vocabOf);
        if (!shared) {
          throw new SeqrankError(
            "SR_ERR_FEATURE",
            `${c.name}: vocabOf ${c.vocabOf} is not an earlier vocabulary column`,
          );
        }
        enc = shared;
      } else {
        enc = categoricalEncoder(c, d, cfg);
        encoders.set(c.name, enc);
      }
      const offsets = new Int32Array(c.values.length + 1);
      for (let i = 0; i < c.values.length; i++) offsets[i + 1] = offsets[i] + c.values[i].length;
      const values = new Int32Array(offsets[c.values.length]);
      c.values.forEach((list, i) => {
        for (let j = 0; j < list.length; j++) values[offsets[i] + j] = enc.id(list[j]);
      });
      return {
        ...base,
        kind: "multi",
        slots: c.maxLen,
        vocab: c.vocabOf ? 0 : enc.vocab,
        vocabOf: c.vocabOf,
        excludeRowItem: c.excludeRowItem ?? false,
        lists: { offsets, values },
        fitted: c.vocabOf ? {} : enc.fitted,
      };
    }
  }
}
