// Pulls the ingest stage's `events` table out of DuckDB into typed arrays, one row per event, sorted
// by user then chronologically (ts NULLS FIRST, then source order). Raw string ids are replaced by
// temporary integer codes (temp tables sr_build_users / sr_build_items); rawIds() maps them back.
import type { DuckDBConnection, DuckDBValue } from "@duckdb/node-api";
import type { ItemRecord } from "./features.js";

/** Event types are NULL in some sources (plain sequences); they are called this. */
export const DEFAULT_EVENT_TYPE = "interaction";

export interface ExtractedEvents {
  /** Temporary user code 0..nUserCodes-1, non-decreasing (rows are grouped by user). */
  user: Int32Array;
  item: Int32Array;
  /** Index into the kept event-type list. */
  type: Uint8Array;
  ts: Float64Array;
  ord: Float64Array;
  /** Hash of the source session id (≥ 0), -1 if none. */
  sessionKey: Int32Array;
  nUserCodes: number;
  nItemCodes: number;
  /** Rows of `events` before the event-type filter. */
  rowsIn: number;
}

export const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
export const EVENT_TYPE_SQL = `coalesce(e.event_type, ${sqlString(DEFAULT_EVENT_TYPE)})`;

async function scalar(conn: DuckDBConnection, sql: string): Promise<DuckDBValue> {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRows()[0][0];
}

/** Distinct event-type names in `events`, sorted. */
export async function eventTypeNames(conn: DuckDBConnection): Promise<string[]> {
  const reader = await conn.runAndReadAll(`SELECT DISTINCT ${EVENT_TYPE_SQL} FROM events e ORDER BY 1`);
  return reader.getRows().map((r) => String(r[0]));
}

export async function extractEvents(
  conn: DuckDBConnection,
  types: readonly string[],
  onRows?: (done: number, total: number) => void,
): Promise<ExtractedEvents> {
  const typeRows = types.map((t, code) => `(${sqlString(t)}, ${code})`).join(", ");
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE sr_build_types AS SELECT * FROM (VALUES ${typeRows}) t(name, code)`,
  );
  const filtered = `events e JOIN sr_build_types t ON ${EVENT_TYPE_SQL} = t.name`;
  // Codes are arbitrary here; build.ts renumbers by first appearance.
  for (const [table, col] of [
    ["sr_build_users", "user_id"],
    ["sr_build_items", "item_id"],
  ]) {
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE ${table} AS
       SELECT ${col}, (row_number() OVER () - 1)::INTEGER AS code FROM (SELECT DISTINCT e.${col} FROM ${filtered})`,
    );
  }
  const rowsIn = Number(await scalar(conn, "SELECT count(*) FROM events"));
  const n = Number(await scalar(conn, `SELECT count(*) FROM ${filtered}`));
  const nUserCodes = Number(await scalar(conn, "SELECT count(*) FROM sr_build_users"));
  const nItemCodes = Number(await scalar(conn, "SELECT count(*) FROM sr_build_items"));
  const out: ExtractedEvents = {
    user: new Int32Array(n),
    item: new Int32Array(n),
    type: new Uint8Array(n),
    ts: new Float64Array(n),
    ord: new Float64Array(n),
    sessionKey: new Int32Array(n),
    nUserCodes,
    nItemCodes,
    rowsIn,
  };
  const result = await conn.stream(
    `SELECT u.code, i.code, t.code::INTEGER, e.ts::DOUBLE, e.ord::DOUBLE,
            CASE WHEN e.session_id IS NULL THEN -1 ELSE (hash(e.session_id) % 2147483647)::INTEGER END
     FROM ${filtered}
     JOIN sr_build_users u ON e.user_id = u.user_id
     JOIN sr_build_items i ON e.item_id = i.item_id
     ORDER BY u.code, e.ts NULLS FIRST, e.ord`,
  );
  const columns = [out.user, out.item, out.type, out.ts, out.ord, out.sessionKey];
  let at = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const rows = chunk.rowCount;
    for (let c = 0; c < columns.length; c++) {
      const vector = chunk.getColumnVector(c);
      const target = columns[c];
      const nullValue = target instanceof Float64Array ? Number.NaN : -1;
      for (let r = 0; r < rows; r++) target[at + r] = (vector.getItem(r) as number | null) ?? nullValue;
    }
    at += rows;
    onRows?.(at, n);
  }
  return out;
}

/** Raw ids of the temporary codes: result[code] = raw id. */
export async function rawIds(conn: DuckDBConnection, side: "users" | "items"): Promise<string[]> {
  const col = side === "users" ? "user_id" : "item_id";
  const reader = await conn.runAndReadAll(`SELECT code, ${col} FROM sr_build_${side}`);
  const ids = new Array<string>(reader.currentRowCount);
  for (const [code, raw] of reader.getRows()) ids[code as number] = String(raw);
  return ids;
}

/** Rows of the `items` table for the coded items: result[code] (null for items without a row). */
export async function itemRecords(
  conn: DuckDBConnection,
  nItemCodes: number,
): Promise<(ItemRecord | null)[]> {
  const records = new Array<ItemRecord | null>(nItemCodes).fill(null);
  if (!(await tableExists(conn, "items"))) return records;
  const reader = await conn.runAndReadAll(
    `SELECT c.code, it.title::VARCHAR, it.category::VARCHAR, it.brand::VARCHAR, it.price::DOUBLE,
            it.attributes::VARCHAR[]
     FROM sr_build_items c JOIN items it ON it.item_id = c.item_id`,
  );
  for (const [code, title, category, brand, price, attributes] of reader.getRowsJS()) {
    records[code as number] = {
      title: title as string | null,
      category: category as string | null,
      brand: brand as string | null,
      price: price as number | null,
      attributes: attributes as string[] | null,
    };
  }
  return records;
}

/** Whether a table (temp or persistent) exists on this connection. */
export async function tableExists(conn: DuckDBConnection, name: string): Promise<boolean> {
  return (
    Number(await scalar(conn, `SELECT count(*) FROM duckdb_tables() WHERE table_name = ${sqlString(name)}`)) >
    0
  );
}

export async function dropBuildTables(conn: DuckDBConnection): Promise<void> {
  for (const t of ["sr_build_types", "sr_build_users", "sr_build_items"])
    await conn.run(`DROP TABLE IF EXISTS ${t}`);
}
