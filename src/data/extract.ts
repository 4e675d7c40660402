// Pulls the ingest stage's `events` table out of DuckDB into typed arrays, one row per event, sorted
// by user then chronologically (ts NULLS FIRST, then source order). Raw string ids are replaced by
// temporary integer codes (temp tables sr_build_users / sr_build_items); once build.ts has chosen the
// dense ids (registerIds), rawIds() and itemRecords() read raw ids and item rows back in id order.
import type { DuckDBConnection, DuckDBDataChunk, DuckDBValue } from "@duckdb/node-api";
import type { ItemRecord } from "./features.js";

/** Event types are NULL in some sources (plain sequences); they are called this. */
const DEFAULT_EVENT_TYPE = "interaction";

export interface ExtractedEvents {
  /** Temporary user code 0..nUserCodes-1, non-decreasing (rows are grouped by user). */
  user: Int32Array;
  /** Rows of user code c are [rowStart[c], rowStart[c+1]). */
  rowStart: Int32Array;
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

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const EVENT_TYPE_SQL = `coalesce(e.event_type, ${sqlString(DEFAULT_EVENT_TYPE)})`;

async function scalar(conn: DuckDBConnection, sql: string): Promise<DuckDBValue> {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRows()[0][0];
}

/** The `ord` of every event whose type extractEvents left out (neither a train nor an eval type). */
export const LEFT_OUT_TYPE_EVENTS = `SELECT e.ord FROM events e ANTI JOIN sr_build_types t ON ${EVENT_TYPE_SQL} = t.name`;

/** Distinct event-type names in `events`, sorted. */
export async function eventTypeNames(conn: DuckDBConnection): Promise<string[]> {
  const reader = await conn.runAndReadAll(`SELECT DISTINCT ${EVENT_TYPE_SQL} FROM events e ORDER BY 1`);
  return reader.getRows().map((r) => String(r[0]));
}

/** Streams a query's result chunk by chunk; `rows` is the chunk's row count (a native call: read it once). */
async function forEachChunk(
  conn: DuckDBConnection,
  sql: string,
  visit: (chunk: DuckDBDataChunk, rows: number) => void,
): Promise<void> {
  const result = await conn.stream(sql);
  for (;;) {
    const chunk = await result.fetchChunk();
    const rows = chunk?.rowCount ?? 0;
    if (!chunk || rows === 0) return;
    visit(chunk, rows);
  }
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
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE sr_build_users AS
     SELECT user_id, (row_number() OVER () - 1)::INTEGER AS code, n::INTEGER AS n
     FROM (SELECT e.user_id, count(*) AS n FROM ${filtered} GROUP BY e.user_id)`,
  );
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE sr_build_items AS
     SELECT item_id, (row_number() OVER () - 1)::INTEGER AS code FROM (SELECT DISTINCT e.item_id FROM ${filtered})`,
  );
  const rowsIn = Number(await scalar(conn, "SELECT count(*) FROM events"));
  const nUserCodes = Number(await scalar(conn, "SELECT count(*) FROM sr_build_users"));
  const nItemCodes = Number(await scalar(conn, "SELECT count(*) FROM sr_build_items"));
  // Rows are placed by user code straight away (a counting sort), which is much cheaper than an ORDER BY
  // over all events in DuckDB; only the few rows DuckDB's parallel scan delivers out of order get sorted.
  const rowStart = new Int32Array(nUserCodes + 1);
  await forEachChunk(conn, "SELECT code, n FROM sr_build_users", (chunk, rows) => {
    const [code, count] = [chunk.getColumnVector(0), chunk.getColumnVector(1)];
    for (let r = 0; r < rows; r++) rowStart[(code.getItem(r) as number) + 1] = count.getItem(r) as number;
  });
  for (let c = 0; c < nUserCodes; c++) rowStart[c + 1] += rowStart[c];
  const n = rowStart[nUserCodes];
  const out: ExtractedEvents = {
    user: new Int32Array(n),
    item: new Int32Array(n),
    type: new Uint8Array(n),
    ts: new Float64Array(n),
    ord: new Float64Array(n),
    sessionKey: new Int32Array(n),
    rowStart,
    nUserCodes,
    nItemCodes,
    rowsIn,
  };
  const fill = rowStart.slice(0, nUserCodes);
  let done = 0;
  await forEachChunk(
    conn,
    `SELECT u.code, i.code, t.code::INTEGER, e.ts::DOUBLE, e.ord::DOUBLE,
            CASE WHEN e.session_id IS NULL THEN -1 ELSE (hash(e.session_id) % 2147483647)::INTEGER END
     FROM ${filtered}
     JOIN sr_build_users u ON e.user_id = u.user_id
     JOIN sr_build_items i ON e.item_id = i.item_id`,
    (chunk, rows) => {
      const v = Array.from({ length: 6 }, (_, c) => chunk.getColumnVector(c));
      for (let r = 0; r < rows; r++) {
        const user = v[0].getItem(r) as number;
        const p = fill[user]++;
        out.user[p] = user;
        out.item[p] = v[1].getItem(r) as number;
        out.type[p] = v[2].getItem(r) as number;
        out.ts[p] = (v[3].getItem(r) as number | null) ?? Number.NaN;
        out.ord[p] = v[4].getItem(r) as number;
        out.sessionKey[p] = v[5].getItem(r) as number;
      }
      done += rows;
      onRows?.(done, n);
    },
  );
  for (let c = 0; c < nUserCodes; c++) sortRow(out, rowStart[c], rowStart[c + 1]);
  return out;
}

/** Puts one user's rows [start, end) in chronological order: ts NULLS FIRST, then ord. */
function sortRow(ev: ExtractedEvents, start: number, end: number): void {
  const { ts, ord } = ev;
  const before = (a: number, b: number) => {
    const ta = Number.isNaN(ts[a]) ? Number.NEGATIVE_INFINITY : ts[a];
    const tb = Number.isNaN(ts[b]) ? Number.NEGATIVE_INFINITY : ts[b];
    return ta < tb || (ta === tb && ord[a] < ord[b]);
  };
  let sorted = true;
  for (let p = start + 1; p < end && sorted; p++) sorted = !before(p, p - 1);
  if (sorted) return;
  const order = Array.from({ length: end - start }, (_, k) => start + k).sort((a, b) =>
    before(a, b) ? -1 : before(b, a) ? 1 : 0,
  );
  for (const column of [ev.item, ev.type, ev.ts, ev.ord, ev.sessionKey]) {
    const copy = column.slice(start, end);
    order.forEach((from, k) => {
      column[start + k] = copy[from - start];
    });
  }
}

/** Records the final dense ids: temp table sr_build_<side>_ids(code, id) with id = index in `order` + 1. */
export async function registerIds(
  conn: DuckDBConnection,
  side: "users" | "items",
  order: Int32Array,
): Promise<void> {
  const table = `sr_build_${side}_ids`;
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${table}(code INTEGER, id INTEGER)`);
  const appender = await conn.createAppender(table);
  for (let k = 0; k < order.length; k++) {
    appender.appendInteger(order[k]);
    appender.appendInteger(k + 1);
    appender.endRow();
  }
  appender.closeSync();
}

/** Raw ids in dense-id order (result[id - 1]); needs registerIds first. */
export async function rawIds(conn: DuckDBConnection, side: "users" | "items"): Promise<string[]> {
  const col = side === "users" ? "user_id" : "item_id";
  const ids: string[] = [];
  await forEachChunk(
    conn,
    `SELECT c.${col}::VARCHAR FROM sr_build_${side}_ids k JOIN sr_build_${side} c ON c.code = k.code ORDER BY k.id`,
    (chunk, rows) => {
      const vector = chunk.getColumnVector(0);
      for (let r = 0; r < rows; r++) ids.push(vector.getItem(r) as string);
    },
  );
  return ids;
}

/** Rows of the `items` table by dense item id (index 0 and items without a row are null); needs registerIds. */
export async function itemRecords(conn: DuckDBConnection, nItems: number): Promise<(ItemRecord | null)[]> {
  const records = new Array<ItemRecord | null>(nItems + 1).fill(null);
  if (!(await tableExists(conn, "items"))) return records;
  // Attributes travel as one JSON string per item: far cheaper to convert than a list value.
  await forEachChunk(
    conn,
    `SELECT k.id, it.title::VARCHAR, it.category::VARCHAR, it.brand::VARCHAR, it.price::DOUBLE,
            to_json(it.attributes::VARCHAR[])::VARCHAR
     FROM sr_build_items_ids k JOIN sr_build_items c ON c.code = k.code JOIN items it ON it.item_id = c.item_id`,
    (chunk, rows) => {
      const v = Array.from({ length: 6 }, (_, c) => chunk.getColumnVector(c));
      for (let r = 0; r < rows; r++) {
        const attributes = v[5].getItem(r) as string | null;
        records[v[0].getItem(r) as number] = {
          title: v[1].getItem(r) as string | null,
          category: v[2].getItem(r) as string | null,
          brand: v[3].getItem(r) as string | null,
          price: v[4].getItem(r) as number | null,
          attributes: attributes === null ? null : (JSON.parse(attributes) as string[]),
        };
      }
    },
  );
  return records;
}

/** Rows of the `items` table (catalog items and the items of every event) that no kept event references,
 *  so the dataset leaves them out; needs registerIds. */
export async function itemsLeftOut(conn: DuckDBConnection): Promise<number> {
  if (!(await tableExists(conn, "items"))) return 0;
  const kept = "SELECT c.item_id FROM sr_build_items_ids k JOIN sr_build_items c ON c.code = k.code";
  return Number(await scalar(conn, `SELECT count(*) FROM items ANTI JOIN (${kept}) d USING (item_id)`));
}

/** Whether a table (temp or persistent) exists on this connection. */
async function tableExists(conn: DuckDBConnection, name: string): Promise<boolean> {
  return (
    Number(await scalar(conn, `SELECT count(*) FROM duckdb_tables() WHERE table_name = ${sqlString(name)}`)) >
    0
  );
}

const BUILD_TABLES = ["types", "users", "items", "users_ids", "items_ids", "filtered"].map(
  (t) => `sr_build_${t}`,
);

export async function dropBuildTables(conn: DuckDBConnection): Promise<void> {
  for (const t of BUILD_TABLES) await conn.run(`DROP TABLE IF EXISTS ${t}`);
}
