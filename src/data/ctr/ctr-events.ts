// The cleaned `events` table as the CTR build reads it: one entry per kept event in source order, with
// temporary integer codes for users, items, event types and logged categories (dictionaries sr_ctr_*), the
// label of every task (1, 0, or UNLABELLED) computed in SQL from the spec's rules, and each user's events in
// chronological order (ts NULLS FIRST, then source order: the order of the sequence stage).
import type { DuckDBConnection } from "@duckdb/node-api";
import { lit, queryRows, queryValue } from "../db.js";
import type { CtrSpec, LabelRule } from "./ctr-spec.js";

export const UNLABELLED = 2;
const DEFAULT_EVENT_TYPE = "interaction";

export interface CtrEvents {
  n: number;
  user: Int32Array;
  item: Int32Array;
  type: Uint8Array;
  ts: Float64Array;
  ord: Float64Array;
  /** Logged category code, -1 = none. */
  category: Int32Array;
  /** Task → label per event (1, 0 or UNLABELLED). */
  labels: Record<string, Uint8Array>;
  /** Raw ids and values by temporary code. */
  userIds: string[];
  itemIds: string[];
  types: string[];
  categories: string[];
  /** Each user's events, chronologically: events chron[userStart[u] .. userStart[u+1]). */
  chron: Int32Array;
  userStart: Int32Array;
  /** Position of each event within its user's chronological list. */
  posInUser: Int32Array;
}

const eventType = `coalesce(e.event_type, ${lit(DEFAULT_EVENT_TYPE)})`;

/** SQL for one task's label: 1, 0, or UNLABELLED when the row is neither positive nor negative. */
export function labelSql(rule: LabelRule): string {
  if (rule.positiveMin !== undefined) {
    const v = "TRY_CAST(e.label AS DOUBLE)";
    const negative = rule.negativeMax === undefined ? "true" : `${v} <= ${rule.negativeMax}`;
    return `CASE WHEN ${v} >= ${rule.positiveMin} THEN 1 WHEN ${negative} THEN 0 ELSE ${UNLABELLED} END`;
  }
  const x = rule.from === "event" ? eventType : "e.label";
  const list = (values: string[]) => values.map(lit).join(", ");
  const negative = rule.negative ? `${x} IN (${list(rule.negative)})` : "true";
  return `CASE WHEN ${x} IN (${list(rule.positive!)}) THEN 1 WHEN ${negative} THEN 0 ELSE ${UNLABELLED} END`;
}

async function dictionary(conn: DuckDBConnection, table: string, valueSql: string, where = "true") {
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${table} AS
    SELECT v, (row_number() OVER (ORDER BY v) - 1)::INTEGER AS code
    FROM (SELECT DISTINCT ${valueSql} AS v FROM events e WHERE ${where})`);
  const rows = await queryRows(conn, `SELECT v FROM ${table} ORDER BY code`);
  return rows.map((r) => String(r.v));
}

export async function readCtrEvents(conn: DuckDBConnection, spec: CtrSpec): Promise<CtrEvents> {
  const userIds = await dictionary(conn, "sr_ctr_users", "e.user_id");
  const itemIds = await dictionary(conn, "sr_ctr_items", "e.item_id");
  const types = await dictionary(conn, "sr_ctr_types", eventType);
  const categories = await dictionary(conn, "sr_ctr_categories", "e.category", "e.category IS NOT NULL");
  const tasks = Object.entries(spec.labels);
  const n = Number(await queryValue(conn, "SELECT count(*) FROM events"));
  const ev: CtrEvents = {
    n,
    user: new Int32Array(n),
    item: new Int32Array(n),
    type: new Uint8Array(n),
    ts: new Float64Array(n),
    ord: new Float64Array(n),
    category: new Int32Array(n),
    labels: Object.fromEntries(tasks.map(([t]) => [t, new Uint8Array(n)])),
    userIds,
    itemIds,
    types,
    categories,
    chron: new Int32Array(n),
    userStart: new Int32Array(userIds.length + 1),
    posInUser: new Int32Array(n),
  };
  const labelColumns = tasks.map(([, rule]) => `${labelSql(rule)}::INTEGER`).join(", ");
  const result = await conn.stream(`SELECT u.code, i.code, t.code, e.ts::DOUBLE, e.ord::DOUBLE,
      coalesce(c.code, -1)${labelColumns ? `, ${labelColumns}` : ""}
    FROM events e
    JOIN sr_ctr_users u ON u.v = e.user_id
    JOIN sr_ctr_items i ON i.v = e.item_id
    JOIN sr_ctr_types t ON t.v = ${eventType}
    LEFT JOIN sr_ctr_categories c ON c.v = e.category
    ORDER BY e.ord`);
  let at = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    const rows = chunk?.rowCount ?? 0;
    if (!chunk || rows === 0) break;
    const v = Array.from({ length: 6 + tasks.length }, (_, k) => chunk.getColumnVector(k));
    for (let r = 0; r < rows; r++, at++) {
      ev.user[at] = v[0].getItem(r) as number;
      ev.item[at] = v[1].getItem(r) as number;
      ev.type[at] = v[2].getItem(r) as number;
      ev.ts[at] = (v[3].getItem(r) as number | null) ?? Number.NaN;
      ev.ord[at] = v[4].getItem(r) as number;
      ev.category[at] = v[5].getItem(r) as number;
      tasks.forEach(([t], k) => {
        ev.labels[t][at] = v[6 + k].getItem(r) as number;
      });
    }
  }
  chronological(ev);
  return ev;
}

/** Fills chron / userStart / posInUser: a counting sort by user, then each user's events by (ts, ord). */
function chronological(ev: CtrEvents): void {
  const { user, ts, ord, chron, userStart, posInUser } = ev;
  for (let e = 0; e < ev.n; e++) userStart[user[e] + 1]++;
  for (let u = 0; u + 1 < userStart.length; u++) userStart[u + 1] += userStart[u];
  const fill = userStart.slice(0, -1);
  for (let e = 0; e < ev.n; e++) chron[fill[user[e]]++] = e; // source order within each user
  const key = (e: number) => (Number.isNaN(ts[e]) ? Number.NEGATIVE_INFINITY : ts[e]);
  for (let u = 0; u + 1 < userStart.length; u++) {
    const [start, end] = [userStart[u], userStart[u + 1]];
    let sorted = true;
    for (let p = start + 1; p < end && sorted; p++) sorted = key(chron[p - 1]) <= key(chron[p]);
    if (!sorted) {
      const part = Array.from(chron.subarray(start, end)).sort((a, b) => {
        const d = key(a) - key(b); // NaN for two missing times: then source order decides
        return d < 0 ? -1 : d > 0 ? 1 : ord[a] - ord[b];
      });
      chron.set(part, start);
    }
    for (let p = start; p < end; p++) posInUser[chron[p]] = p - start;
  }
}

export async function dropCtrTables(conn: DuckDBConnection): Promise<void> {
  for (const t of ["users", "items", "types", "categories"])
    await conn.run(`DROP TABLE IF EXISTS sr_ctr_${t}`);
}
