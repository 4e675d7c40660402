// Every encoded field becomes a run of slots in one [B, S] pair of inputs: global feature ids (rows of one
// shared embedding table, 0 = padding) and weights (1 for a categorical, 1/n for each of a multi field's n
// ids so the field mean-pools, the value for a numeric, the entries of a vector). One layout serves every
// model: field f's embedding is the weighted sum of its slots' rows.
import { type Feeds, tensor } from "../../graph/session.js";
import { SeqrankError } from "../../util/errors.js";
import type { FieldGroup } from "./ctr-data.js";
import type { CtrTable, EncodedField } from "./features.js";

export interface FieldSlots {
  name: string;
  group: FieldGroup;
  kind: EncodedField["kind"];
  /** First slot and slot count. */
  start: number;
  count: number;
  /** Global id of the field's local id 0 (local id l ≥ 1 ↦ offset + l). */
  offset: number;
  /** The field whose ids this one shares (a history of item ids: the item field). */
  vocabOf?: string;
}

export interface SlotLayout {
  fields: FieldSlots[];
  slots: number;
  /** Rows of the shared embedding table (padding row 0 included). */
  tableRows: number;
}

export function slotLayout(table: CtrTable): SlotLayout {
  const offsets = new Map<string, number>();
  let next = 0;
  let start = 0;
  const fields = table.fields.map((f): FieldSlots => {
    let offset: number;
    if (f.vocabOf) {
      const shared = offsets.get(f.vocabOf);
      if (shared === undefined)
        throw new SeqrankError("SR_ERR_FEATURE", `${f.name}: unknown vocabOf ${f.vocabOf}`);
      offset = shared;
    } else {
      offset = next;
      next += f.vocab;
    }
    offsets.set(f.name, offset);
    const fs = {
      name: f.name,
      group: f.group,
      kind: f.kind,
      start,
      count: f.slots,
      offset,
      vocabOf: f.vocabOf,
    };
    start += f.slots;
    return fs;
  });
  if (next + 1 > 2 ** 31 - 1)
    throw new SeqrankError("SR_ERR_FEATURE", `the fields need ${next + 1} embedding rows (at most 2³¹ − 1)`);
  return { fields, slots: start, tableRows: next + 1 };
}

export function findField(layout: SlotLayout, name: string): FieldSlots {
  const f = layout.fields.find((x) => x.name === name);
  if (!f) throw new SeqrankError("SR_ERR_FEATURE", `no field named ${name}`);
  return f;
}

export interface SlotBatch {
  ids: BigInt64Array;
  weights: Float32Array;
}

/**
 * Slots of `rows` (row indices into the table). `items`, when given, replaces each row's item (negative
 * sampling): item-keyed fields then describe that item instead.
 */
export function fillSlots(
  table: CtrTable,
  layout: SlotLayout,
  rows: ArrayLike<number>,
  items?: ArrayLike<number>,
): SlotBatch {
  const s = layout.slots;
  const ids = new BigInt64Array(rows.length * s);
  // Ids are written as the low half of each little-endian int64 (the high half stays 0: slotLayout keeps
  // ids < 2³¹; Node runs little-endian on every platform ONNX Runtime ships for): a BigInt per slot was most
  // of the cost of filling a batch.
  const low = new Int32Array(ids.buffer);
  const weights = new Float32Array(rows.length * s);
  const byName = new Map(table.fields.map((f) => [f.name, f]));
  // Each field's arrays are read into locals once: fields are objects of several shapes, and reading their
  // properties inside the row loops (megamorphic) cost more than the copying itself.
  table.fields.forEach((f, fi) => {
    const { start, offset } = layout.fields[fi];
    const { key, slots, lists } = f;
    const owner = f.vocabOf ? byName.get(f.vocabOf) : undefined;
    const ownerIds = f.excludeRowItem && owner?.key === "item" ? owner.ids : undefined;
    const entities = key === "row" ? undefined : key === "user" ? table.user : table.item;
    // A vector's ids are the same for every entity (offset + 1 … offset + n): written from one template, and
    // its entries copied as a block (two copies instead of a loop over n slots per row).
    const vectorIds = f.kind === "vector" ? vectorIdTemplate(offset, slots) : undefined;
    for (let b = 0; b < rows.length; b++) {
      const r = rows[b];
      const item = items ? items[b] : table.item[r];
      const e = key === "row" ? r : key === "item" ? item : entities![r];
      const at = b * s + start;
      if (lists) {
        // The row's own item, as a local id of the shared vocabulary, is left out of its history.
        const skip = ownerIds ? ownerIds[item] : -1;
        const to = lists.offsets[e + 1];
        let n = 0;
        for (let j = lists.offsets[e]; j < to && n < slots; j++) {
          const id = lists.values[j];
          if (id === skip && id >= 2) continue;
          low[2 * (at + n++)] = offset + id;
        }
        for (let j = 0; j < n; j++) weights[at + j] = 1 / n;
      } else if (vectorIds) {
        low.set(vectorIds, 2 * at);
        weights.set(f.weights!.subarray(e * slots, (e + 1) * slots), at);
      } else {
        const fieldIds = f.ids!;
        const fieldWeights = f.weights!;
        const from = e * slots;
        for (let j = 0; j < slots; j++) {
          low[2 * (at + j)] = offset + fieldIds[from + j];
          weights[at + j] = fieldWeights[from + j];
        }
      }
    }
  });
  return { ids, weights };
}

/** The low halves (int64 as int32 pairs) of a vector field's ids offset + 1 … offset + n. */
function vectorIdTemplate(offset: number, n: number): Int32Array {
  const t = new Int32Array(2 * n);
  for (let j = 0; j < n; j++) t[2 * j] = offset + 1 + j;
  return t;
}

export function slotFeeds(batch: SlotBatch, rows: number, slots: number, prefix = ""): Feeds {
  return {
    [`${prefix}ids`]: tensor(batch.ids, [rows, slots]),
    [`${prefix}weights`]: tensor(batch.weights, [rows, slots]),
  };
}
