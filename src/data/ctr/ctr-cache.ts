// A prepared CTR table on disk: ctr.json (counts, labels, split, every column's settings, the rule counts and
// the config) and ctr.bin (the arrays, in the layout of dataset.bin: bin-arrays.ts). Strings are stored once
// per column in a dictionary (UTF-8 bytes + offsets) and referenced by code, so loading is one read plus a
// decode of the distinct values.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SeqrankError } from "../../util/errors.js";
import { readArrays, type Typed, writeArrays } from "../bin-arrays.js";
import type { RuleCount } from "../prepared.js";
import {
  assertRawData,
  type ColumnKey,
  type FieldGroup,
  type NumericTransform,
  type RawColumn,
  type RawCtrData,
} from "./ctr-data.js";

export const CTR_JSON = "ctr.json";
export const CTR_BIN = "ctr.bin";
const MAGIC = "SRCTRBN1";

/** A column's settings as ctr.json records them (its values live in ctr.bin). */
export interface CtrColumnMeta {
  name: string;
  kind: RawColumn["kind"];
  key: ColumnKey;
  group: FieldGroup;
  encoding?: "vocab" | "hash";
  minCount?: number;
  maxLen?: number;
  vocabOf?: string;
  excludeRowItem?: boolean;
  transform?: NumericTransform;
  dim?: number;
  /** Key entities (rows, users or items) without a value: "", NaN or an empty list. */
  missing: number;
}

export interface CtrTableMeta {
  format: "seqrank-ctr";
  version: 1;
  name: string;
  counts: { rows: number; users: number; items: number };
  /** Per task: the rule and its positive rows. */
  labels: Record<string, { positives: number; rule: unknown }>;
  split: { kind: string; train: number; valid: number; test: number } & Record<string, unknown>;
  columns: CtrColumnMeta[];
  rules: RuleCount[];
  /** The `ctr` section of the config, defaults filled in. */
  options: unknown;
}

/** String dictionary: every distinct value once. */
class Dictionary {
  private readonly ids = new Map<string, number>();
  readonly values: string[] = [];
  code(s: string): number {
    let c = this.ids.get(s);
    if (c === undefined) {
      c = this.values.length;
      this.ids.set(s, c);
      this.values.push(s);
    }
    return c;
  }
  arrays(prefix: string): Record<string, Typed> {
    const encoded = this.values.map((v) => Buffer.from(v, "utf8"));
    const offsets = new Int32Array(encoded.length + 1);
    encoded.forEach((b, i) => {
      offsets[i + 1] = offsets[i] + b.length;
    });
    return {
      [`${prefix}.dict.bytes`]: new Uint8Array(Buffer.concat(encoded)),
      [`${prefix}.dict.offsets`]: offsets,
    };
  }
}

function readDictionary(need: (name: string) => Typed, prefix: string): string[] {
  const bytes = need(`${prefix}.dict.bytes`) as Uint8Array;
  const offsets = need(`${prefix}.dict.offsets`) as Int32Array;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: offsets.length - 1 }, (_, i) =>
    buf.toString("utf8", offsets[i], offsets[i + 1]),
  );
}

/** Settings of a column, without its values (undefined ones left out). */
export function columnSettings(c: RawColumn): Omit<CtrColumnMeta, "missing"> {
  const { values: _values, ...settings } = c;
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) as Omit<
    CtrColumnMeta,
    "missing"
  >;
}

/** Key entities of a column without a value. */
export function missingValues(c: RawColumn): number {
  let n = 0;
  if (c.kind === "numeric") for (const v of c.values) n += Number.isNaN(v) ? 1 : 0;
  else if (c.kind === "categorical") for (const v of c.values) n += v === "" ? 1 : 0;
  else if (c.kind === "multi") for (const v of c.values) n += v.length === 0 ? 1 : 0;
  return n;
}

/** Writes ctr.json and ctr.bin into `dir`, and removes a sequence dataset an earlier run left there. */
export function writeCtrTable(
  dir: string,
  data: RawCtrData,
  meta: Omit<CtrTableMeta, "columns">,
  raw: { userIds: string[]; itemIds: string[] },
): CtrTableMeta {
  assertRawData(data);
  const arrays: Record<string, Typed> = { user: data.user, item: data.item, split: data.split };
  for (const [task, l] of Object.entries(data.labels)) arrays[`label.${task}`] = l;
  const ids = (prefix: string, values: string[]) => {
    const dict = new Dictionary();
    for (const v of values) dict.code(v);
    Object.assign(arrays, dict.arrays(prefix));
  };
  ids("users", raw.userIds);
  ids("items", raw.itemIds);
  data.columns.forEach((c, k) => {
    const p = `c${k}`;
    if (c.kind === "numeric" || c.kind === "vector") {
      arrays[`${p}.values`] = c.values;
      return;
    }
    const dict = new Dictionary();
    if (c.kind === "categorical") {
      arrays[`${p}.codes`] = Int32Array.from(c.values, (v) => dict.code(v));
    } else {
      const offsets = new Int32Array(c.values.length + 1);
      c.values.forEach((list, i) => {
        offsets[i + 1] = offsets[i] + list.length;
      });
      const codes = new Int32Array(offsets[c.values.length]);
      c.values.forEach((list, i) => {
        for (let j = 0; j < list.length; j++) codes[offsets[i] + j] = dict.code(list[j]);
      });
      arrays[`${p}.offsets`] = offsets;
      arrays[`${p}.codes`] = codes;
    }
    Object.assign(arrays, dict.arrays(p));
  });
  const full: CtrTableMeta = {
    ...meta,
    columns: data.columns.map((c) => ({ ...columnSettings(c), missing: missingValues(c) })),
  };
  for (const stale of ["meta.json", "dataset.bin"]) rmSync(join(dir, stale), { force: true });
  writeArrays(join(dir, CTR_BIN), MAGIC, arrays);
  writeFileSync(join(dir, CTR_JSON), `${JSON.stringify(full, null, 2)}\n`);
  return full;
}

export interface LoadedCtrTable {
  meta: CtrTableMeta;
  data: RawCtrData;
  /** Raw ids by dense index. */
  userIds: string[];
  itemIds: string[];
}

/** Loads a table written by writeCtrTable. */
export function readCtrTable(dir: string): LoadedCtrTable {
  let meta: CtrTableMeta;
  try {
    meta = JSON.parse(readFileSync(join(dir, CTR_JSON), "utf8")) as CtrTableMeta;
  } catch (err) {
    throw new SeqrankError(
      "SR_ERR_DATASET_FORMAT",
      `${dir}: cannot read ${CTR_JSON}: ${(err as Error).message}`,
    );
  }
  if (meta.format !== "seqrank-ctr" || meta.version !== 1) {
    throw new SeqrankError("SR_ERR_DATASET_FORMAT", `${dir}: not a seqrank CTR table (version 1)`);
  }
  const { need } = readArrays(join(dir, CTR_BIN), MAGIC);
  const columns = meta.columns.map((m, k): RawColumn => {
    const { missing: _missing, ...settings } = m;
    const p = `c${k}`;
    if (m.kind === "numeric")
      return { ...settings, kind: "numeric", values: need(`${p}.values`) as Float64Array };
    if (m.kind === "vector") {
      return { ...settings, kind: "vector", dim: m.dim ?? 1, values: need(`${p}.values`) as Float32Array };
    }
    const dict = readDictionary(need, p);
    const codes = need(`${p}.codes`) as Int32Array;
    if (m.kind === "categorical")
      return { ...settings, kind: "categorical", values: Array.from(codes, (c) => dict[c]) };
    const offsets = need(`${p}.offsets`) as Int32Array;
    const values = Array.from({ length: offsets.length - 1 }, (_, i) => {
      const list = new Array<string>(offsets[i + 1] - offsets[i]);
      for (let j = 0; j < list.length; j++) list[j] = dict[codes[offsets[i] + j]];
      return list;
    });
    return { ...settings, kind: "multi", maxLen: m.maxLen ?? 1, values };
  });
  const data: RawCtrData = {
    name: meta.name,
    user: need("user") as Int32Array,
    item: need("item") as Int32Array,
    nUsers: meta.counts.users,
    nItems: meta.counts.items,
    labels: Object.fromEntries(Object.keys(meta.labels).map((t) => [t, need(`label.${t}`) as Uint8Array])),
    split: need("split") as Uint8Array,
    columns,
  };
  assertRawData(data);
  return { meta, data, userIds: readDictionary(need, "users"), itemIds: readDictionary(need, "items") };
}
