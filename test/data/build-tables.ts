// Test helper: fills the ingest stage's DuckDB tables (events, items, users; schema from the data
// interface) straight from shared dataset files, so stage-2 tests do not depend on the ingest code.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const datasetsDir = join(repoRoot, "..", "shared", "datasets");

export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `seqrank-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export async function memoryConnection(): Promise<DuckDBConnection> {
  const instance = await DuckDBInstance.create(":memory:", { threads: "2" });
  return instance.connect();
}

export interface EventRow {
  user: string;
  item: string;
  type: string | null;
  ts: number | null;
  session?: string | null;
}

/** Creates `events` (ord = row order) and `users` from rows, via a temp CSV. */
export async function loadEvents(conn: DuckDBConnection, rows: EventRow[]): Promise<void> {
  const dir = tempDir("events");
  const csv = join(dir.path, "events.csv");
  const lines = rows.map(
    (r, i) => `${r.user},${r.item},${r.type ?? ""},${r.ts ?? ""},${i},${r.session ?? ""},${i + 1}`,
  );
  writeFileSync(csv, `${lines.join("\n")}\n`);
  await conn.run(
    `CREATE OR REPLACE TABLE events AS
     SELECT user_id, item_id, event_type, ts, ord, session_id, 'events.csv' AS src_file, src_line
     FROM read_csv('${csv}', header = false, columns = {
       'user_id': 'VARCHAR', 'item_id': 'VARCHAR', 'event_type': 'VARCHAR', 'ts': 'BIGINT',
       'ord': 'BIGINT', 'session_id': 'VARCHAR', 'src_line': 'BIGINT'})
     ORDER BY user_id, ts NULLS FIRST, ord`,
  );
  await conn.run(
    `CREATE OR REPLACE TABLE users AS SELECT DISTINCT user_id, NULL::JSON AS profile FROM events`,
  );
  dir.remove();
}

const ITEMS_DDL = `CREATE OR REPLACE TABLE items(item_id VARCHAR PRIMARY KEY, title VARCHAR, category VARCHAR,
  brand VARCHAR, price DOUBLE, attributes VARCHAR[])`;

/** amazon-beauty sequences (no timestamps, event type NULL) and items (title, attribute names). */
export async function loadBeauty(conn: DuckDBConnection): Promise<string[][]> {
  const sequences = readFileSync(join(datasetsDir, "amazon-beauty", "sequences.txt"), "utf8")
    .trim()
    .split("\n")
    .map((l) => l.trim().split(" "));
  const rows: EventRow[] = [];
  for (const [user, ...items] of sequences)
    for (const item of items) rows.push({ user, item, type: null, ts: null });
  await loadEvents(conn, rows);
  await conn.run(ITEMS_DDL);
  await conn.run(
    `INSERT INTO items SELECT item_id::VARCHAR, nullif(title, ''), NULL, NULL, NULL, attributes
     FROM read_json('${join(datasetsDir, "amazon-beauty", "items.jsonl")}',
       columns = {'item_id': 'INTEGER', 'title': 'VARCHAR', 'attributes': 'VARCHAR[]'})`,
  );
  return sequences;
}

export interface TaobaoRow {
  user: string;
  item: string;
  category: string;
  type: string;
  ts: number;
}

export function readTaobao(): TaobaoRow[] {
  return readFileSync(join(datasetsDir, "taobao-userbehavior-sample", "user_behavior.csv"), "utf8")
    .trim()
    .split("\n")
    .map((line) => {
      const [user, item, category, type, ts] = line.split(",");
      return { user, item, category, type, ts: Number(ts) };
    });
}

/** Taobao UserBehavior sample: pv/fav/cart/buy with timestamps; items carry their leaf category. */
export async function loadTaobao(conn: DuckDBConnection): Promise<TaobaoRow[]> {
  const rows = readTaobao();
  await loadEvents(conn, rows);
  await conn.run(ITEMS_DDL);
  const dir = tempDir("items");
  const csv = join(dir.path, "items.csv");
  writeFileSync(
    csv,
    [...new Map(rows.map((r) => [r.item, r.category]))].map(([i, c]) => `${i},${c}\n`).join(""),
  );
  await conn.run(
    `INSERT INTO items SELECT item_id, NULL, category, NULL, NULL, NULL
     FROM read_csv('${csv}', header = false, columns = {'item_id': 'VARCHAR', 'category': 'VARCHAR'})`,
  );
  dir.remove();
  return rows;
}
