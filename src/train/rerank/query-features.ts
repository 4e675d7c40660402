// A trained re-ranker's features for one live query, built by the training code itself. What a served
// ranker ships (one safetensors file, written by runRerank beside its ranker.onnx):
//   metadata  the fields as encoded for training (name, key, kind, slots, vocabulary, numeric fit), the
//             candidate count k, the user-vector width and ItemKNN's config;
//   tensors   the item-keyed fields already encoded per item (`item.<field>.*`), the history signals'
//             tables (`signals.*`: ItemKNN neighbours, last → next transitions, item attributes).
// A query (a history, its user vector, the model's top-k unseen items and their scores) is described by
// describeQuery (rerank-table.ts), its numerics encoded by encodeNumericValues (features.ts) with the
// training fit, and its slots filled by fillSlots (slots.ts): the same three functions that made the
// training table, so the served ranker sees what it was trained and tested on.
import {
  type CtrTable,
  type EncodedField,
  encodeNumericValues,
  type NumericFit,
} from "../../data/ctr/features.js";
import { fillSlots, type SlotBatch, type SlotLayout, slotLayout } from "../../data/ctr/slots.js";
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from "../../graph/checkpoint.js";
import { ItemKnnConfigSchema, itemKnnFromTables } from "../../models/baselines/index.js";
import { SeqrankError } from "../../util/errors.js";
import { HistorySignals } from "./history-signals.js";
import { describeQuery, newRowValues, ROW_COLUMNS, type RowValues } from "./rerank-table.js";

/** A field as the metadata records it: everything of EncodedField but its per-entity arrays. */
type FieldSpec = Pick<
  EncodedField,
  "name" | "group" | "key" | "kind" | "slots" | "vocab" | "vocabOf" | "excludeRowItem" | "fitted" | "numeric"
>;

interface FeatureSpec {
  format: "seqrank-rerank-features";
  /** Candidates per query the ranker was trained on (the model's top k unseen items). */
  candidates: number;
  nItems: number;
  dim: number;
  knn: unknown;
  fields: FieldSpec[];
}

const USER_VECTOR = "user_vector";
const HISTORY_LENGTH = "history_length";

const invalid = (source: string, why: string) =>
  new SeqrankError("SR_ERR_MODEL_INVALID", `${source}: ${why}`);

export class RerankFeatures {
  readonly layout: SlotLayout;
  private readonly rowValues: RowValues;
  /** Rows 0..k−1 of a one-query table. */
  private readonly rows: Int32Array;

  private constructor(
    private readonly spec: FeatureSpec,
    /** Item-keyed fields with their per-item arrays. */
    private readonly itemFields: Map<string, EncodedField>,
    private readonly signals: HistorySignals,
  ) {
    this.rowValues = newRowValues(spec.candidates);
    this.rows = Int32Array.from({ length: spec.candidates }, (_, j) => j);
    this.layout = slotLayout(this.table(new Int32Array(0), new Float32Array(0), new Int32Array(0)));
  }

  get candidates(): number {
    return this.spec.candidates;
  }

  get nItems(): number {
    return this.spec.nItems;
  }

  get dim(): number {
    return this.spec.dim;
  }

  /** From a fitted training table (its layout must be `layout`) and the signals it was described with. */
  static fromTraining(
    table: CtrTable,
    signals: HistorySignals,
    candidates: number,
    dim: number,
  ): RerankFeatures {
    const spec: FeatureSpec = {
      format: "seqrank-rerank-features",
      candidates,
      nItems: signals.nItems,
      dim,
      knn: signals.tables.knn.config,
      fields: table.fields.map(fieldSpec),
    };
    const items = new Map(table.fields.filter((f) => f.key === "item").map((f) => [f.name, f]));
    return new RerankFeatures(checkSpec(spec, "rerank features"), items, signals);
  }

  /** The ranker's feature file: metadata and tensors. */
  encode(): Uint8Array {
    const tensors = new Map<string, NamedTensor>();
    const put = (name: string, data: Int32Array | Float32Array) =>
      tensors.set(name, { shape: [data.length], data });
    for (const f of this.itemFields.values()) {
      if (f.ids) put(`item.${f.name}.ids`, f.ids);
      if (f.weights) put(`item.${f.name}.weights`, f.weights);
      if (f.lists) {
        put(`item.${f.name}.offsets`, f.lists.offsets);
        put(`item.${f.name}.values`, f.lists.values);
      }
    }
    const t = this.signals.tables;
    put("signals.knn.offsets", t.knn.offsets);
    put("signals.knn.items", t.knn.neighbourItems);
    put("signals.knn.similarities", t.knn.similarities);
    put("signals.knn.item_users", t.knn.itemUsers);
    put("signals.next.offsets", t.nextOffsets);
    put("signals.next.followers", t.followers);
    if (t.attributes) {
      put("signals.attributes.offsets", t.attributes.offsets);
      put("signals.attributes.values", t.attributes.values);
    }
    return encodeSafetensors(tensors, { spec: JSON.stringify(this.spec) });
  }

  /** Reads a feature file, checking every array's length and range against the metadata (`source` names it). */
  static decode(bytes: Uint8Array, source: string): RerankFeatures {
    const { tensors, metadata } = decodeSafetensors(bytes, source);
    let raw: unknown;
    try {
      raw = JSON.parse(metadata.spec ?? "");
    } catch {
      throw invalid(source, "has no readable feature metadata (spec)");
    }
    const spec = checkSpec(raw as FeatureSpec, source);
    const n = spec.nItems + 1;
    const int = (name: string, length?: number, below?: number): Int32Array => {
      const t = tensors.get(name)?.data;
      if (!(t instanceof Int32Array)) throw invalid(source, `lacks the int32 tensor ${name}`);
      if (length !== undefined && t.length !== length)
        throw invalid(source, `${name} has ${t.length} values, expected ${length}`);
      for (const x of t)
        if (x < 0 || (below !== undefined && x >= below)) throw invalid(source, `${name} holds ${x}`);
      return t;
    };
    const float = (name: string, length: number): Float32Array => {
      const t = tensors.get(name)?.data;
      if (!(t instanceof Float32Array) || t.length !== length)
        throw invalid(source, `${name} must be float32 with ${length} values`);
      for (const x of t) if (!Number.isFinite(x)) throw invalid(source, `${name} holds ${x}`);
      return t;
    };
    const csr = (prefix: string, rows: number, below?: number) => {
      const offsets = int(`${prefix}.offsets`, rows + 1);
      for (let i = 0; i < rows; i++)
        if (offsets[i + 1] < offsets[i]) throw invalid(source, `${prefix}.offsets decrease at ${i}`);
      return { offsets, values: int(`${prefix}.values`, offsets[rows], below) };
    };
    const items = new Map<string, EncodedField>();
    for (const f of spec.fields.filter((x) => x.key === "item")) {
      const vocab = f.vocabOf ? spec.fields.find((x) => x.name === f.vocabOf)!.vocab : f.vocab;
      const field: EncodedField = { ...f };
      if (f.kind === "multi") field.lists = csr(`item.${f.name}`, n, vocab + 1);
      else {
        field.ids = int(`item.${f.name}.ids`, n * f.slots, vocab + 1);
        field.weights = float(`item.${f.name}.weights`, n * f.slots);
      }
      items.set(f.name, field);
    }
    const knnOffsets = int("signals.knn.offsets", n + 1);
    const edges = knnOffsets[n];
    const knn = itemKnnFromTables(
      ItemKnnConfigSchema.parse(spec.knn),
      spec.nItems,
      knnOffsets,
      int("signals.knn.items", edges, n),
      float("signals.knn.similarities", edges),
      int("signals.knn.item_users", n),
    );
    const next = int("signals.next.offsets", n + 1);
    const followers = int("signals.next.followers", next[n], n);
    const attributes = tensors.has("signals.attributes.offsets") ? csr("signals.attributes", n) : undefined;
    const signals = new HistorySignals(spec.nItems, { knn, nextOffsets: next, followers, attributes });
    return new RerankFeatures(spec, items, signals);
  }

  /**
   * The slots of one query's k rows: `candidates` (the model's top-k unseen items, best first, 0 = empty
   * slot) with their retrieval `scores`, for a history (model item ids, oldest first) and its user vector.
   */
  slots(
    history: Int32Array,
    userVector: Float32Array,
    candidates: Int32Array,
    scores: Float32Array,
  ): SlotBatch {
    const k = this.spec.candidates;
    if (candidates.length !== k || scores.length !== k || userVector.length !== this.spec.dim)
      throw new SeqrankError(
        "SR_ERR_RANKER",
        `a query needs ${k} candidates and a user vector of ${this.spec.dim}`,
      );
    const values = this.rowValues;
    for (const c of ROW_COLUMNS) values[c].fill(0);
    describeQuery(this.signals, history, candidates, scores, values, 0);
    return fillSlots(this.table(candidates, userVector, history), this.layout, this.rows);
  }

  /** A one-query table: user 0, rows 0..k−1 with `candidates` as their items. */
  private table(candidates: Int32Array, userVector: Float32Array, history: Int32Array): CtrTable {
    const fields = this.spec.fields.map((f): EncodedField => {
      if (f.key === "item") return this.itemFields.get(f.name)!;
      if (f.name === USER_VECTOR) {
        const ids = Int32Array.from({ length: f.slots }, (_, i) => i + 1);
        return { ...f, ids, weights: userVector.length === f.slots ? userVector : new Float32Array(f.slots) };
      }
      const raw = f.name === HISTORY_LENGTH ? [history.length] : this.rowValues[f.name as keyof RowValues];
      return { ...f, ...encodeNumericValues(raw ?? [], f.numeric!) };
    });
    return {
      name: "query",
      user: new Int32Array(candidates.length),
      item: candidates,
      nUsers: 1,
      nItems: this.spec.nItems + 1,
      labels: {},
      split: new Uint8Array(candidates.length),
      fields,
    };
  }
}

function fieldSpec(f: EncodedField): FieldSpec {
  const { name, group, key, kind, slots, vocab, vocabOf, excludeRowItem, fitted, numeric } = f;
  return { name, group, key, kind, slots, vocab, vocabOf, excludeRowItem, fitted, numeric };
}

/**
 * Only what a live query can fill: item-keyed fields (shipped per item), the user vector, the history length
 * and the per-candidate numerics describeQuery makes, each numeric with its fit.
 */
function checkSpec(spec: FeatureSpec, source: string): FeatureSpec {
  if (spec?.format !== "seqrank-rerank-features" || !Array.isArray(spec.fields))
    throw invalid(source, "is not a seqrank re-ranker feature file");
  if (!Number.isInteger(spec.candidates) || spec.candidates < 1 || !Number.isInteger(spec.nItems))
    throw invalid(source, "has no candidate count or item count");
  for (const f of spec.fields) {
    if (f.key === "item") continue;
    if (f.name === USER_VECTOR && f.kind === "vector" && f.slots === spec.dim) continue;
    const rowField = f.key === "row" && (ROW_COLUMNS as readonly string[]).includes(f.name);
    const userField = f.key === "user" && f.name === HISTORY_LENGTH;
    if ((rowField || userField) && isFit(f.numeric)) continue;
    throw invalid(source, `field ${f.name} (${f.key}, ${f.kind}) cannot be filled from a live query`);
  }
  return spec;
}

const isFit = (n: NumericFit | undefined): n is NumericFit =>
  !!n && Number.isFinite(n.mean) && Number.isFinite(n.std) && n.std !== 0 && Array.isArray(n.edges);
