// Writes what the build's filters removed, beside quarantine.jsonl. Up to `limit` removed rows:
// filtered.jsonl, one JSON object per removed event (rule, reason, file, line, ord, user_id, item_id,
// event_type, ts). Past the limit: filtered-counts.jsonl instead, rows removed per (rule, user) and per
// (rule, item). The other file is deleted, so a reused output folder never holds a stale one.
// The filters record (ord, rule) pairs in a temp table; DuckDB joins them with `events` and writes the file.
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { SeqrankError } from "../util/errors.js";
import { lit, queryRows, queryValue } from "./db.js";

export const FILTERED_FILE = "filtered.jsonl";
export const FILTERED_COUNTS_FILE = "filtered-counts.jsonl";
const TABLE = "sr_build_filtered";

export interface FilteredOutput {
  /** "rows": one line per removed row; "counts": removed rows per user and per item (past the limit). */
  mode: "rows" | "counts";
  file: string;
  /** Removed rows (all filters). */
  rows: number;
  /** The row limit that chose the mode. */
  limit: number;
}

export async function createFilteredTable(conn: DuckDBConnection): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${TABLE} (ord BIGINT NOT NULL, rule VARCHAR NOT NULL)`);
}

/** Records the rows selected by `select` (a query yielding one `ord` column) as removed by `rule`. */
export async function recordFilteredQuery(conn: DuckDBConnection, rule: string, select: string) {
  await conn.run(`INSERT INTO ${TABLE} SELECT ord, ${lit(rule)} FROM (${select})`);
}

/** Records the events `e` with removed(e) as removed by `rule`; `ord` is the events' source order. */
export async function recordFiltered(
  conn: DuckDBConnection,
  rule: string,
  ord: Float64Array,
  removed: (e: number) => boolean,
): Promise<void> {
  const appender = await conn.createAppender(TABLE);
  for (let e = 0; e < ord.length; e++) {
    if (!removed(e)) continue;
    appender.appendBigInt(BigInt(ord[e]));
    appender.appendVarchar(rule);
    appender.endRow();
  }
  appender.closeSync();
}

export interface FilterRule {
  rule: string;
  /** Rows the filter removed, as counted in the summary. */
  filtered: number;
  /** Written with each of its rows. */
  reason: string;
}

/** Writes the file for the recorded rows. Checks, per rule, that the rows recorded and joined back to their
 *  events are exactly as many as the summary counts (SR_ERR_ACCOUNTING naming the file otherwise). */
export async function writeFiltered(
  conn: DuckDBConnection,
  out: string,
  rules: FilterRule[],
  limit: number,
): Promise<FilteredOutput> {
  const rows = Number(await queryValue(conn, `SELECT count(*) FROM ${TABLE}`));
  const mode = rows > limit ? "counts" : "rows";
  const file = join(out, mode === "rows" ? FILTERED_FILE : FILTERED_COUNTS_FILE);
  rmSync(join(out, mode === "rows" ? FILTERED_COUNTS_FILE : FILTERED_FILE), { force: true });
  const reason = `CASE f.rule ${rules.map((r) => `WHEN ${lit(r.rule)} THEN ${lit(r.reason)}`).join(" ")} END`;
  const joined = `${TABLE} f JOIN events e USING (ord)`;
  if (mode === "rows") {
    await conn.run(`COPY (
        SELECT f.rule, ${reason} AS reason, e.src_file AS file, e.src_line AS line, e.ord,
          e.user_id, e.item_id, e.event_type, e.ts
        FROM ${joined} ORDER BY e.ord)
      TO ${lit(file)} (FORMAT JSON)`);
  } else {
    await conn.run(`COPY (
        SELECT f.rule, e.user_id, NULL AS item_id, count(*) AS rows FROM ${joined} GROUP BY ALL
        UNION ALL
        SELECT f.rule, NULL AS user_id, e.item_id, count(*) AS rows FROM ${joined} GROUP BY ALL
        ORDER BY rule, user_id NULLS LAST, item_id)
      TO ${lit(file)} (FORMAT JSON)`);
  }
  const written = await queryRows(conn, `SELECT f.rule, count(*) AS n FROM ${joined} GROUP BY 1`);
  const byRule = new Map(written.map((w) => [w.rule, Number(w.n)]));
  for (const r of rules) {
    const n = byRule.get(r.rule) ?? 0;
    if (n !== r.filtered) {
      throw new SeqrankError(
        "SR_ERR_ACCOUNTING",
        `${file}: rule ${r.rule} removed ${r.filtered} rows but ${n} were written`,
      );
    }
  }
  return { mode, file, rows, limit };
}
