// The columns of a CTR table, made from the spec's `features` and `history` (ctr-spec.ts): user fields from the
// users table (the id or a profile column), item fields from the items table (the id, the catalogue fields or
// a profile column; value extraction in SQL), row fields from the row's event (hour, weekday, earlier events)
// and sequence fields from the user's other events. Columns come in the spec's order, histories last.
import type { DuckDBConnection } from "@duckdb/node-api";
import { Rng } from "../../graph/init.js";
import { SeqrankError } from "../../util/errors.js";
import { lit, queryRows } from "../db.js";
import { type RawColumn, TRAIN } from "./ctr-data.js";
import type { CtrEvents } from "./ctr-events.js";
import type { CtrFeature, CtrHistory, CtrSpec } from "./ctr-spec.js";

/** The rows being built: each row's event (a pair's first event) and dense user / item indices. */
export interface CtrRows {
  rowEvent: Int32Array;
  user: Int32Array;
  item: Int32Array;
  /** Temporary code (CtrEvents) of each dense user / item. */
  userCode: Int32Array;
  itemCode: Int32Array;
  split: Uint8Array;
  labels: Record<string, Uint8Array>;
}

const ITEM_FIELDS = ["title", "category", "brand", "price", "attributes"];
const ROW_FIELDS = ["hour", "weekday", "events_before"];

const configError = (where: string, message: string) =>
  new SeqrankError("SR_ERR_CONFIG", `invalid CTR config: ctr.${where}: ${message}`);

const sourceOf = (f: CtrFeature) => f.from ?? f.name;

function kindOf(f: CtrFeature): "categorical" | "multi" | "numeric" {
  const from = sourceOf(f);
  if (f.kind) return f.kind;
  if (f.of === "item" && from === "attributes") return "multi";
  if ((f.of === "item" && from === "price") || (f.of === "row" && from === "events_before")) return "numeric";
  return "categorical";
}

/** SQL for an entity feature's value over `c` (the sr_ctr_* code table) joined with users `u` / items `it`. */
function entitySql(f: CtrFeature, where: string): string {
  const from = sourceOf(f);
  const kind = kindOf(f);
  const json = (table: string) =>
    `nullif(trim(json_extract_string(${table}.profile, ${lit(`$.${JSON.stringify(from)}`)})), '')`;
  let x: string;
  let list = false;
  if (from === "id") x = "c.v";
  else if (f.of === "user") x = json("u");
  else if (from === "attributes") [x, list] = ["it.attributes", true];
  else if (ITEM_FIELDS.includes(from)) x = `CAST(it.${from} AS VARCHAR)`;
  else x = json("it");
  if (list) {
    if (kind !== "multi") throw configError(where, `${from} is a list: use kind "multi"`);
    if (f.pattern || f.prefix)
      throw configError(where, "pattern and prefix apply to a text value, not a list");
    return `coalesce(${x}, [])`;
  }
  if (f.pattern) x = `nullif(regexp_extract(${x}, ${lit(f.pattern)}, 1), '')`;
  if (f.prefix) x = `left(${x}, ${f.prefix})`;
  if (kind === "numeric")
    return `CASE WHEN isfinite(TRY_CAST(${x} AS DOUBLE)) THEN TRY_CAST(${x} AS DOUBLE) END`;
  if (kind === "multi") {
    const split = `string_split(${x}, ${lit(f.separator ?? "|")})`;
    return `coalesce(list_filter(list_transform(${split}, y -> trim(y)), y -> y <> ''), [])`;
  }
  return x;
}

/** Values of the entity features of one side, by dense index. */
async function entityValues(
  conn: DuckDBConnection,
  side: "user" | "item",
  features: { f: CtrFeature; where: string }[],
  codes: Int32Array,
): Promise<unknown[][]> {
  if (features.length === 0) return [];
  await checkProfileColumns(conn, side, features);
  const join =
    side === "user" ? "LEFT JOIN users u ON u.user_id = c.v" : "LEFT JOIN items it ON it.item_id = c.v";
  const table = side === "user" ? "sr_ctr_users" : "sr_ctr_items";
  const cols = features.map(({ f, where }, k) => `${entitySql(f, where)} AS f${k}`).join(", ");
  let rows: Record<string, unknown>[];
  try {
    rows = await queryRows(conn, `SELECT c.code, ${cols} FROM ${table} c ${join}`);
  } catch (err) {
    throw configError(
      features[0].where,
      `cannot read the ${side} fields: ${(err as Error).message.split("\n")[0]}`,
    );
  }
  const byCode = new Map(rows.map((r) => [Number(r.code), r]));
  return features.map((_, k) => Array.from(codes, (code) => byCode.get(code)?.[`f${k}`] ?? null));
}

/** A feature read from a profile column the files do not have is a config error, not a silently empty field. */
async function checkProfileColumns(
  conn: DuckDBConnection,
  side: "user" | "item",
  features: { f: CtrFeature; where: string }[],
): Promise<void> {
  const fromProfile = features.filter(({ f }) => {
    const from = sourceOf(f);
    return from !== "id" && (side === "user" || !ITEM_FIELDS.includes(from));
  });
  if (fromProfile.length === 0) return;
  const table = side === "user" ? "users" : "items";
  const rows = await queryRows(
    conn,
    `SELECT DISTINCT unnest(json_keys(profile)) AS k FROM ${table} WHERE profile IS NOT NULL ORDER BY 1`,
  );
  const have = rows.map((r) => String(r.k));
  for (const { f, where } of fromProfile) {
    if (have.includes(sourceOf(f))) continue;
    const fields = side === "item" ? [...ITEM_FIELDS, ...have] : have;
    throw configError(
      `${where}.from`,
      `the ${table} have no field "${sourceOf(f)}" (have: id, ${fields.join(", ") || "no profile columns"})`,
    );
  }
}

function column(f: CtrFeature, values: unknown[], n: number): RawColumn {
  const kind = kindOf(f);
  const group = f.group ?? (f.of === "row" ? "context" : f.of);
  const base = { name: f.name, key: f.of, group };
  if (kind === "numeric") {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = typeof values[i] === "number" ? (values[i] as number) : Number.NaN;
    return { ...base, kind, values: out, ...(f.transform ? { transform: f.transform } : {}) };
  }
  if (kind === "multi") {
    return {
      ...base,
      kind,
      maxLen: f.maxLen,
      values: values.map((v) => (Array.isArray(v) ? v.map(String) : [])),
    };
  }
  return {
    ...base,
    kind,
    values: values.map((v) => (v === null || v === undefined ? "" : String(v))),
    ...(f.encoding ? { encoding: f.encoding } : {}),
    ...(f.minCount ? { minCount: f.minCount } : {}),
  };
}

/** Row fields: hour / weekday of the row's time (shifted by utcOffsetHours), earlier events of the user. */
function rowValues(f: CtrFeature, where: string, spec: CtrSpec, ev: CtrEvents, rows: CtrRows): unknown[] {
  const from = sourceOf(f);
  const n = rows.rowEvent.length;
  const offset = spec.utcOffsetHours * 3600;
  if (from === "hour" || from === "weekday") {
    return Array.from(rows.rowEvent, (e) => {
      const t = ev.ts[e];
      if (Number.isNaN(t)) return null;
      const local = t + offset;
      // 1970-01-01 was a Thursday (weekday 4, Sunday = 0).
      return from === "hour" ? Math.floor(local / 3600) % 24 : (Math.floor(local / 86400) + 4) % 7;
    });
  }
  if (from === "events_before") {
    const counted = typeMask(ev, f.events, `${where}.events`);
    const before = countBefore(ev, counted);
    return Array.from({ length: n }, (_, r) => before[rows.rowEvent[r]]);
  }
  throw configError(`${where}.from`, `"${from}" is not a row field (${ROW_FIELDS.join(", ")})`);
}

function typeMask(ev: CtrEvents, types: string[] | undefined, where: string): Uint8Array {
  for (const t of types ?? []) {
    if (!ev.types.includes(t))
      throw configError(where, `event type "${t}" does not occur (have: ${ev.types.join(", ")})`);
  }
  return Uint8Array.from(ev.types, (t) => (!types || types.includes(t) ? 1 : 0));
}

/** Per event: how many of its user's chronologically earlier events have a counted type. */
function countBefore(ev: CtrEvents, counted: Uint8Array): Int32Array {
  const out = new Int32Array(ev.n);
  for (let u = 0; u + 1 < ev.userStart.length; u++) {
    let c = 0;
    for (let p = ev.userStart[u]; p < ev.userStart[u + 1]; p++) {
      out[ev.chron[p]] = c;
      c += counted[ev.type[ev.chron[p]]];
    }
  }
  return out;
}

/** The feature a history shares its vocabulary with. */
function vocabFeature(spec: CtrSpec, field: "item" | "category", where: string, named?: string): string {
  const source = field === "item" ? "id" : "category";
  const f = named
    ? spec.features.find((x) => x.name === named)
    : spec.features.find((x) => x.of === "item" && sourceOf(x) === source);
  if (!f) {
    throw configError(
      where,
      named
        ? `vocabOf "${named}" is not a feature`
        : `needs an item feature from "${source}" to share its vocabulary`,
    );
  }
  return f.name;
}

function historyColumns(
  h: CtrHistory,
  where: string,
  spec: CtrSpec,
  ev: CtrEvents,
  rows: CtrRows,
): RawColumn[] {
  if (h.kind === "before") {
    const vocabOf = vocabFeature(spec, h.field, `${where}.vocabOf`, h.vocabOf);
    const kept = typeMask(ev, h.events, `${where}.events`);
    const value = (e: number) =>
      h.field === "item" ? ev.itemIds[ev.item[e]] : ev.category[e] < 0 ? "" : ev.categories[ev.category[e]];
    const values = Array.from(rows.rowEvent, (e) => {
      const start = ev.userStart[ev.user[e]];
      const list: string[] = [];
      for (let p = start + ev.posInUser[e] - 1; p >= start && list.length < h.length; p--) {
        const earlier = ev.chron[p];
        if (kept[ev.type[earlier]]) list.push(value(earlier)); // newest first: the cut keeps the latest
      }
      return list;
    });
    return [
      { name: h.name, kind: "multi", key: "row", group: "sequence", maxLen: h.length, vocabOf, values },
    ];
  }
  const vocabOf = vocabFeature(spec, "item", `${where}.label`);
  const task = h.label ?? Object.keys(spec.labels)[0];
  const label = rows.labels[task];
  if (!label)
    throw configError(`${where}.label`, `"${task}" is not a label (${Object.keys(spec.labels).join(", ")})`);
  const seed = h.seed ?? (spec.split.kind === "random" ? spec.split.seed : 2024) + 1;
  const nUsers = rows.userCode.length;
  const positive: string[][] = Array.from({ length: nUsers }, () => []);
  const negative: string[][] = Array.from({ length: nUsers }, () => []);
  for (let r = 0; r < rows.user.length; r++) {
    if (rows.split[r] !== TRAIN) continue;
    (label[r] ? positive : negative)[rows.user[r]].push(ev.itemIds[rows.itemCode[rows.item[r]]]);
  }
  // One generator over every positive list, then every negative one (time order is not used).
  const rng = new Rng(seed);
  for (const list of [...positive, ...negative]) {
    for (let i = list.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [list[i], list[j]] = [list[j], list[i]];
    }
  }
  return [positive, negative].map((values, k) => ({
    name: h.names[k],
    kind: "multi",
    key: "user",
    group: "sequence",
    maxLen: h.length,
    vocabOf,
    excludeRowItem: true,
    values,
  }));
}

export async function ctrColumns(
  conn: DuckDBConnection,
  spec: CtrSpec,
  ev: CtrEvents,
  rows: CtrRows,
): Promise<RawColumn[]> {
  const names = [
    ...spec.features.map((f) => f.name),
    ...spec.history.flatMap((h) => (h.kind === "before" ? [h.name] : h.names)),
  ];
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw configError("features", `the field name "${twice}" is used twice`);
  const indexed = spec.features.map((f, i) => ({ f, where: `features.${i}` }));
  const users = indexed.filter(({ f }) => f.of === "user");
  const items = indexed.filter(({ f }) => f.of === "item");
  const userValues = await entityValues(conn, "user", users, rows.userCode);
  const itemValues = await entityValues(conn, "item", items, rows.itemCode);
  const columns = indexed.map(({ f, where }) => {
    if (f.of === "user")
      return column(f, userValues[users.findIndex((x) => x.f === f)], rows.userCode.length);
    if (f.of === "item")
      return column(f, itemValues[items.findIndex((x) => x.f === f)], rows.itemCode.length);
    return column(f, rowValues(f, where, spec, ev, rows), rows.rowEvent.length);
  });
  spec.history.forEach((h, i) => {
    columns.push(...historyColumns(h, `history.${i}`, spec, ev, rows));
  });
  return columns;
}
