// Writes what the cleaning removed: quarantine.jsonl (one JSON object per dropped row: table, file, line,
// column, rule, reason, raw) and bots.jsonl (one per flagged user with the metrics behind the decision).
// DuckDB writes both files directly; no row passes through JS.
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { lit, queryValue } from "./db.js";
import { ROLES, stageTable } from "./stage.js";

export const QUARANTINE_FILE = "quarantine.jsonl";
export const BOTS_FILE = "bots.jsonl";

/** Writes `<out>/quarantine.jsonl` and `<out>/bots.jsonl`; returns the number of quarantined rows. */
export async function writeQuarantine(conn: DuckDBConnection, out: string): Promise<number> {
  const dropped = ROLES.map(
    (role, i) => `SELECT ${i} AS role_order, '${role}' AS "table", src, src_line, pos, col, rule, reason, raw
      FROM ${stageTable(role)} WHERE rule IS NOT NULL`,
  ).join(" UNION ALL ");
  await conn.run(`COPY (
      SELECT q."table", f.file, q.src_line AS line, q.col AS "column", q."table" || '.' || q.rule AS rule, q.reason, q.raw
      FROM (${dropped}) q JOIN sr_sources f USING (src)
      ORDER BY q.role_order, q.src, q.src_line, q.pos)
    TO ${lit(join(out, QUARANTINE_FILE))} (FORMAT JSON)`);
  await conn.run(
    `COPY (SELECT * FROM sr_bots ORDER BY user_id) TO ${lit(join(out, BOTS_FILE))} (FORMAT JSON)`,
  );
  const counts = ROLES.map((role) => `(SELECT count(*) FROM ${stageTable(role)} WHERE rule IS NOT NULL)`);
  return Number(await queryValue(conn, `SELECT ${counts.join(" + ")}`));
}
