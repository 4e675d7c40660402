// Small DuckDB helpers for the ingest stage: opening the embedded database, literals, and reading
// query results as plain JS values.
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";

export interface OpenOptions {
  /** Database file; ":memory:" (default) keeps everything in RAM. A file lets DuckDB compress and spill. */
  path?: string;
  /** DuckDB memory_limit, e.g. "2GB". */
  memoryLimit?: string;
  /** Where DuckDB spills intermediate results. */
  tempDirectory?: string;
}

export interface OpenDuckDB {
  conn: DuckDBConnection;
  /** Disconnects and closes the database (a database file can then be deleted). */
  close(): void;
}

export async function openDuckDB(opts: OpenOptions = {}): Promise<OpenDuckDB> {
  const config: Record<string, string> = { memory_limit: opts.memoryLimit ?? "2GB" };
  if (opts.tempDirectory) config.temp_directory = opts.tempDirectory;
  const instance = await DuckDBInstance.create(opts.path ?? ":memory:", config);
  const conn = await instance.connect();
  // Timestamps without an explicit zone are read as UTC, whatever the machine's zone.
  await conn.run("SET TimeZone = 'UTC'");
  return {
    conn,
    close: () => {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

/** SQL string literal. */
export const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** SQL identifier. */
export const ident = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/** Rows as objects of JS values (BIGINT as bigint is converted to number). */
export async function queryRows(conn: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjectsJS().map((row) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) out[k] = typeof v === "bigint" ? Number(v) : v;
    return out;
  });
}

export async function queryValue(conn: DuckDBConnection, sql: string): Promise<unknown> {
  const rows = await queryRows(conn, sql);
  return rows.length ? Object.values(rows[0])[0] : undefined;
}
