// Every encoded field becomes a run of slots in one [B, S] pair of inputs: global feature ids (rows of one
// shared embedding table, 0 = padding) and weights (1 for a categorical, 1/n for each of a multi field's n
// ids so the field mean-pools, the value for a numeric, the entries of a vector). One layout serves every
// model: field f's embedding is the weighted sum of its slots' rows.
import { type Feeds, tensor } from "../graph/session.js";
import { SeqrankError } from "../util/errors.js";
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
  return { fields, slots: start, tableRows: next + 1 };
}

export function findField(layout: SlotLayout, name: string): FieldSlots {
  const f = layout.fields.find((x) => x.name === name);
  if (!f) throw new SeqrankError("SR_ERR_FEATURE", `no field named ${name}`);
  return f;
}

/** [F, S] matrix summing each field's slots (the constant that pools slots into fields). */
export function fieldPooling(layout: SlotLayout, fields: FieldSlots[] = layout.fields): Float32Array {
  const m = new Float32Array(fields.length * layout.slots);
  fields.forEach((f, i) => {
    m.fill(1, i * layout.slots + f.start, i * layout.slots + f.start + f.count);
  });
  return m;
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
  const weights = new Float32Array(rows.length * s);
  const byName = new Map(table.fields.map((f) => [f.name, f]));
  table.fields.forEach((f, fi) => {
    const fs = layout.fields[fi];
    const owner = f.vocabOf ? byName.get(f.vocabOf) : undefined;
    for (let b = 0; b < rows.length; b++) {
      const r = rows[b];
      const item = items ? items[b] : table.item[r];
      const e = f.key === "row" ? r : f.key === "user" ? table.user[r] : item;
      const at = b * s + fs.start;
      if (f.lists) {
        // The row's own item, as a local id of the shared vocabulary, is left out of its history.
        const skip = f.excludeRowItem && owner?.ids && owner.key === "item" ? owner.ids[item] : -1;
        const from = f.lists.offsets[e];
        const to = f.lists.offsets[e + 1];
        let n = 0;
        for (let j = from; j < to && n < f.slots; j++) {
          const id = f.lists.values[j];
          if (id === skip && id >= 2) continue;
          ids[at + n++] = BigInt(fs.offset + id);
        }
        for (let j = 0; j < n; j++) weights[at + j] = 1 / n;
      } else {
        for (let j = 0; j < f.slots; j++) {
          ids[at + j] = BigInt(fs.offset + f.ids![e * f.slots + j]);
          weights[at + j] = f.weights![e * f.slots + j];
        }
      }
    }
  });
  return { ids, weights };
}

export function slotFeeds(batch: SlotBatch, rows: number, slots: number, prefix = ""): Feeds {
  return {
    [`${prefix}ids`]: tensor(batch.ids, [rows, slots]),
    [`${prefix}weights`]: tensor(batch.weights, [rows, slots]),
  };
}
