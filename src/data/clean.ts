// Row-set rules over the staged events (after the per-row validity checks of stage.ts): exact duplicates,
// burst duplicates and bots. Each marks the rows it removes in place, so accounting stays in one table.
import type { DuckDBConnection } from "@duckdb/node-api";
import { queryRows, queryValue } from "./db.js";
import type { RuleCount } from "./prepared.js";
import type { Cleaning, SourceRole } from "./source.js";
import { RULES, stageTable } from "./stage.js";

const EVENTS = stageTable("events");
const originOf = (line: string) => `(SELECT file FROM sr_sources WHERE src = d.first_src) || ':' || ${line}`;

/** Rows equal to an earlier row in every mapped field. Rows without a timestamp are exempt: without a
 *  time, buying the same item twice looks exactly like a duplicate. Only rows sharing user, item, event
 *  type and time with another row go through the full comparison. */
export async function markExactDuplicates(conn: DuckDBConnection): Promise<void> {
  const key = "user_id, item_id, event_type, ts";
  await conn.run(`UPDATE ${EVENTS} s SET rule = 'exact_duplicate', col = NULL,
      reason = 'same as ' || ${originOf("d.first_line")}
    FROM (SELECT e.rowid AS rid, row_number() OVER w AS rn, first_value(src) OVER w AS first_src,
            first_value(src_line) OVER w AS first_line
          FROM ${EVENTS} e
          JOIN (SELECT ${key} FROM ${EVENTS} WHERE rule IS NULL AND ts IS NOT NULL GROUP BY ALL HAVING count(*) > 1)
            USING (${key})
          WHERE rule IS NULL
          WINDOW w AS (PARTITION BY ${key}, session_id, title, category, brand, price, attributes,
                       profile::VARCHAR, label ORDER BY e.rowid)) d
    WHERE s.rowid = d.rid AND d.rn > 1`);
}

/** An event that repeats the same (user, item, event type) within `window` seconds of the previous one. */
export async function markBurstDuplicates(conn: DuckDBConnection, windowSeconds: number): Promise<void> {
  if (windowSeconds <= 0) return;
  await conn.run(`UPDATE ${EVENTS} s SET rule = 'burst_duplicate', col = NULL,
      reason = 'repeats ' || ${originOf("d.prev_line")} || ' after ' || d.gap || ' s (window ${windowSeconds} s)'
    FROM (SELECT rowid AS rid, ts - lag(ts) OVER w AS gap, lag(src) OVER w AS first_src,
            lag(src_line) OVER w AS prev_line
          FROM ${EVENTS} WHERE rule IS NULL AND ts IS NOT NULL
          WINDOW w AS (PARTITION BY user_id, item_id, event_type ORDER BY ts, rowid)) d
    WHERE s.rowid = d.rid AND d.gap <= ${windowSeconds}`);
}

/** Rows whose id repeats one defined earlier in the same catalog file (the first definition wins). */
export async function markDuplicateIds(conn: DuckDBConnection, role: "items" | "users"): Promise<void> {
  const table = stageTable(role);
  const key = role === "items" ? "item_id" : "user_id";
  await conn.run(`UPDATE ${table} s SET rule = 'duplicate_id', col = NULL,
      reason = '${role === "items" ? "item" : "user"} id "' || s.${key} || '" already defined at line ' || d.first_line
    FROM (SELECT rowid AS rid, row_number() OVER w AS rn, first_value(src_line) OVER w AS first_line
          FROM ${table} WHERE rule IS NULL
          WINDOW w AS (PARTITION BY src, ${key} ORDER BY rowid)) d
    WHERE s.rowid = d.rid AND d.rn > 1`);
}

/** Events whose user (item) is not defined by a kept row of the users (items) files: rule unknown_user
 *  (unknown_item). Only when such files were read; `files` names them in the reason. */
export async function markUnknownIds(
  conn: DuckDBConnection,
  role: "items" | "users",
  files: string[],
): Promise<void> {
  const [key, rule, what] =
    role === "items" ? ["item_id", "unknown_item", "item"] : ["user_id", "unknown_user", "user"];
  const col = role === "items" ? "item_col" : "user_col";
  const listed = files.map((f) => f.split("/").at(-1)).join(", ");
  await conn.run(`UPDATE ${EVENTS} s SET rule = '${rule}',
      col = (SELECT ${col} FROM sr_sources f WHERE f.src = s.src),
      reason = '${what} "' || s.${key} || '" is not in the ${role} file (${listed.replace(/'/g, "''")}); expected a defined ${what}'
    WHERE s.rule IS NULL AND s.${key} NOT IN (SELECT ${key} FROM ${stageTable(role)} WHERE rule IS NULL)`);
}

/** Users whose kept event volume or event rate is a robust outlier; their events are marked `bot`. */
export async function markBots(conn: DuckDBConnection, bots: Cleaning["bots"]): Promise<number> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE sr_bots (user_id VARCHAR, events BIGINT, span_seconds BIGINT,
    rate_per_hour DOUBLE, z_volume DOUBLE, z_rate DOUBLE, reason VARCHAR)`);
  if (!bots.enabled) return 0;
  const t = bots.threshold;
  // Metrics on a log scale (activity is heavy-tailed); z = 0.6745 (x - median) / MAD. The MAD is floored at
  // 0.5 (a factor of e^0.5 ≈ 1.65): on curated sets where nearly every user has 5-10 events the raw MAD is
  // tiny, and an ordinary user with 60 events would otherwise look like a bot.
  const z = (x: string, med: string, mad: string) => `0.6745 * (${x} - ${med}) / greatest(${mad}, 0.5)`;
  await conn.run(`INSERT INTO sr_bots
    WITH per_user AS (
      SELECT user_id, count(*) AS events, count(ts) AS timed, max(ts) - min(ts) AS span
      FROM ${EVENTS} WHERE rule IS NULL GROUP BY user_id),
    metrics AS (
      SELECT *, ln(events) AS lv,
        CASE WHEN timed = events THEN ln(events / greatest(span / 3600.0, 1.0 / 60)) END AS lr
      FROM per_user),
    centre AS (SELECT median(lv) AS mv, median(lr) AS mr, count(*) AS users FROM metrics),
    spread AS (SELECT median(abs(lv - mv)) AS dv, median(abs(lr - mr)) AS dr FROM metrics, centre),
    scored AS (
      SELECT user_id, events, span, exp(lr) AS rate, ${z("lv", "mv", "dv")} AS zv, ${z("lr", "mr", "dr")} AS zr
      FROM metrics, centre, spread WHERE users >= 10)
    SELECT user_id, events, span, rate, zv, zr,
      concat_ws('; ',
        CASE WHEN zv > ${t} THEN events || ' events (robust z ' || round(zv, 1) || ' > ${t})' END,
        CASE WHEN zr > ${t} THEN round(rate, 1) || ' events/hour (robust z ' || round(zr, 1) || ' > ${t})' END)
    FROM scored
    WHERE events >= ${bots.minEvents} AND (zv > ${t} OR coalesce(zr, 0) > ${t})
    ORDER BY user_id`);
  await conn.run(`UPDATE ${EVENTS} s SET rule = 'bot', col = NULL, reason = 'user flagged as a bot: ' || b.reason
    FROM sr_bots b WHERE s.user_id = b.user_id AND s.rule IS NULL`);
  return Number(await queryValue(conn, "SELECT count(*) FROM sr_bots"));
}

/** Per rule, in order: rows reaching it, rows it kept, rows it quarantined (rowsIn = kept + quarantined;
 *  cleaning rules filter nothing). */
export async function ruleCounts(conn: DuckDBConnection, role: SourceRole): Promise<RuleCount[]> {
  const rows = await queryRows(conn, `SELECT rule, count(*) AS n FROM ${stageTable(role)} GROUP BY rule`);
  const byRule = new Map(rows.map((r) => [r.rule as string | null, Number(r.n)]));
  let rowsIn = [...byRule.values()].reduce((a, b) => a + b, 0);
  const out: RuleCount[] = [];
  for (const rule of RULES[role]) {
    const quarantined = byRule.get(rule) ?? 0;
    out.push({ rule: `${role}.${rule}`, rowsIn, kept: rowsIn - quarantined, quarantined, filtered: 0 });
    rowsIn -= quarantined;
  }
  return out;
}
