// Staging: every record of every source becomes one row of sr_stage_<role>, valid or not. Rows are
// appended in source order (sources in spec order, records in file order), so a row's rowid is its global
// source order: the tie-break for equal timestamps and the meaning of "first" everywhere. Invalid rows
// carry the first rule they break (`rule`, `col`, `reason`) and stay in the table, so the summary can show
// rows in = kept + quarantined for each rule and the quarantine file gets every dropped row with its line.
import type { DuckDBConnection } from "@duckdb/node-api";
import { SeqrankError } from "../util/errors.js";
import { lit, queryRows } from "./db.js";
import type { Frame } from "./frames.js";
import type { Cleaning, ResolvedSource, SourceRole } from "./source.js";

/** Rules in the order they apply; a row is counted against the first rule it breaks. */
export const RULES: Record<SourceRole, readonly string[]> = {
  events: [
    "malformed",
    "empty_id",
    "bad_timestamp",
    "unknown_event_type",
    "bad_price",
    "bad_label",
    "unknown_item",
    "unknown_user",
    "exact_duplicate",
    "burst_duplicate",
    "bot",
  ],
  items: ["malformed", "empty_id", "bad_price", "duplicate_id"],
  users: ["malformed", "empty_id", "duplicate_id"],
};

export const ROLES: readonly SourceRole[] = ["events", "items", "users"];

export const stageTable = (role: SourceRole) => `sr_stage_${role}`;

export async function createStageTables(conn: DuckDBConnection): Promise<void> {
  await conn.run(
    "CREATE OR REPLACE TEMP TABLE sr_sources (src INTEGER, file VARCHAR, role VARCHAR, user_col VARCHAR, item_col VARCHAR)",
  );
  for (const role of ROLES) {
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${stageTable(role)} (
      src INTEGER NOT NULL, src_line BIGINT NOT NULL, pos INTEGER NOT NULL, raw VARCHAR,
      rule VARCHAR, col VARCHAR, reason VARCHAR,
      user_id VARCHAR, item_id VARCHAR, event_type VARCHAR, ts BIGINT, session_id VARCHAR,
      title VARCHAR, category VARCHAR, brand VARCHAR, price DOUBLE, attributes VARCHAR[], profile JSON,
      label VARCHAR)`);
  }
}

interface Check {
  rule: string;
  when: string;
  column: string;
  reason: string;
}

const asList = (c: string | string[]): string[] => (Array.isArray(c) ? c : [c]);

/** SQL for unix seconds from text `v`; NULL when it cannot be parsed. */
export function parseTimestamp(v: string, format: string): string {
  const num = `TRY_CAST(${v} AS DOUBLE)`;
  const seconds = (x: string) => `TRY_CAST(floor(${x}) AS BIGINT)`; // NaN and ±inf become NULL
  const iso = seconds(`epoch(TRY_CAST(${v} AS TIMESTAMPTZ))`);
  if (format === "unix") return seconds(num);
  if (format === "unix_ms") return seconds(`${num} / 1000`);
  if (format === "iso") return iso;
  if (format === "auto") {
    return `CASE WHEN ${num} IS NULL THEN ${iso} WHEN abs(${num}) >= 1e11 THEN ${seconds(`${num} / 1000`)} ELSE ${seconds(num)} END`;
  }
  return seconds(`epoch(try_strptime(${v}, ${lit(format)}))`);
}

/** Inserts every record of `frame` into the role's stage table; returns the number of rows staged.
 *  `numericLabel`: the mapped label column must hold a number (a CTR label rule compares it). */
export async function stageSource(
  conn: DuckDBConnection,
  src: ResolvedSource,
  index: number,
  frame: Frame,
  cleaning: Cleaning,
  numericLabel = false,
): Promise<number> {
  const c = src.columns;
  await checkColumns(conn, src, frame);
  const label = (cols: string | string[]) => (Array.isArray(cols) ? lit(cols.join("+")) : frame.label(cols));
  const id = (cols: string | string[] | undefined) =>
    cols ? asList(cols).map(frame.text).join(" || ':' || ") : "NULL::VARCHAR";
  const text = (col: string | undefined) => (col ? frame.text(col) : "NULL::VARCHAR");
  const isEvents = src.role === "events";
  const hasItemFields = src.role !== "users";
  const fields: Record<string, string> = {
    user_id: src.role === "items" ? "NULL::VARCHAR" : id(c.user),
    item_id: src.role === "users" ? "NULL::VARCHAR" : id(c.item),
    event_type: isEvents ? (c.event ? frame.text(c.event) : lit(src.eventType)) : "NULL::VARCHAR",
    ts_raw: isEvents ? text(c.timestamp) : "NULL::VARCHAR",
    session_id: isEvents ? id(c.session) : "NULL::VARCHAR",
    title: hasItemFields ? text(c.title) : "NULL::VARCHAR",
    category:
      hasItemFields && c.category ? categoryPath(frame, c.category, src.listSeparator) : "NULL::VARCHAR",
    brand: hasItemFields ? text(c.brand) : "NULL::VARCHAR",
    price_raw: hasItemFields ? text(c.price) : "NULL::VARCHAR",
    attributes:
      hasItemFields && c.attributes ? attributeList(frame, c.attributes, src.listSeparator) : "[]::VARCHAR[]",
    profile: profile(frame, src),
    label: isEvents ? text(c.label) : "NULL::VARCHAR",
  };
  const malformedCol = frame.malformed.length
    ? `CASE ${frame.malformed.map((m) => `WHEN ${m.when} THEN ${m.column}`).join(" ")} END`
    : "NULL::VARCHAR";
  const malformedReason = frame.malformed.length
    ? `CASE ${frame.malformed.map((m) => `WHEN ${m.when} THEN ${m.reason}`).join(" ")} END`
    : "NULL::VARCHAR";
  const checks = rowChecks(src, cleaning, label, numericLabel);
  const caseOf = (part: keyof Check) =>
    `CASE ${checks.map((k) => `WHEN ${k.when} THEN ${part === "rule" ? lit(k.rule) : k[part]}`).join(" ")} END`;
  const columns = Object.entries(fields).map(([name, sql]) => `${sql} AS ${name}`);
  await conn.run(`INSERT INTO ${stageTable(src.role)} BY NAME
    SELECT ${index} AS src, src_line, pos, raw,
      ${caseOf("rule")} AS rule, ${caseOf("column")} AS col, ${caseOf("reason")} AS reason,
      user_id, item_id, event_type, ts, session_id, title, category, brand, price, attributes, profile, label
    FROM (
      SELECT *, ${parseTimestamp("ts_raw", src.timestampFormat)} AS ts,
        CASE WHEN isfinite(TRY_CAST(price_raw AS DOUBLE)) THEN TRY_CAST(price_raw AS DOUBLE) END AS price
      FROM (
        SELECT src_line, coalesce(pos, 0) AS pos, raw, ${malformedCol} AS m_col, ${malformedReason} AS m_reason,
          ${columns.join(",\n          ")}
        FROM (${frame.from})))`);
  const named = (cols: string | string[] | undefined) => (cols ? lit(asList(cols).join("+")) : "NULL");
  await conn.run(`INSERT INTO sr_sources VALUES (${index}, ${lit(src.path)}, ${lit(src.role)},
    ${named(c.user)}, ${named(c.item)})`);
  if (cleaning.malformedRows === "error") await throwOnMalformed(conn, src, index);
  const [{ n }] = await queryRows(
    conn,
    `SELECT count(*) AS n FROM ${stageTable(src.role)} WHERE src = ${index}`,
  );
  return Number(n);
}

/** The per-row validity checks of a source, in rule order. */
function rowChecks(
  src: ResolvedSource,
  cleaning: Cleaning,
  label: (cols: string | string[]) => string,
  numericLabel: boolean,
): Check[] {
  const c = src.columns;
  const checks: Check[] = [
    { rule: "malformed", when: "m_reason IS NOT NULL", column: "m_col", reason: "m_reason" },
  ];
  if (c.user && src.role !== "items") {
    checks.push({
      rule: "empty_id",
      when: "user_id IS NULL",
      column: label(c.user),
      reason: "'empty user id'",
    });
  }
  if (c.item && src.role !== "users") {
    checks.push({
      rule: "empty_id",
      when: "item_id IS NULL",
      column: label(c.item),
      reason: "'empty item id'",
    });
  }
  if (src.role === "events") {
    if (c.timestamp) {
      const col = label(c.timestamp);
      const [lo, hi] = [cleaning.minTimestamp, cleaning.maxTimestamp];
      checks.push(
        { rule: "bad_timestamp", when: "ts_raw IS NULL", column: col, reason: "'missing timestamp'" },
        {
          rule: "bad_timestamp",
          when: "ts IS NULL",
          column: col,
          reason: `'cannot parse timestamp "' || ts_raw || '" (format ${src.timestampFormat})'`,
        },
        {
          rule: "bad_timestamp",
          when: `ts NOT BETWEEN ${lo} AND ${hi}`,
          column: col,
          reason: `'timestamp ' || ts || ' outside [${lo}, ${hi}]'`,
        },
      );
    }
    const col = c.event ? label(c.event) : "NULL";
    checks.push({
      rule: "unknown_event_type",
      when: "event_type IS NULL",
      column: col,
      reason: "'missing event type'",
    });
    const allowed = cleaning.eventTypes;
    if (allowed) {
      checks.push({
        rule: "unknown_event_type",
        when: `event_type NOT IN (${allowed.map(lit).join(", ")})`,
        column: col,
        reason: `'unknown event type "' || event_type || '" (allowed: ${allowed.join(", ").replace(/'/g, "''")})'`,
      });
    }
  }
  if (c.price && src.role !== "users") {
    const col = label(c.price);
    checks.push(
      {
        rule: "bad_price",
        when: "price_raw IS NOT NULL AND price IS NULL",
        column: col,
        reason: `'price "' || price_raw || '" is not a number'`,
      },
      { rule: "bad_price", when: "price < 0", column: col, reason: `'negative price ' || price_raw` },
    );
  }
  if (c.label && src.role === "events") {
    const col = label(c.label);
    checks.push({ rule: "bad_label", when: "label IS NULL", column: col, reason: "'missing label'" });
    if (numericLabel) {
      checks.push({
        rule: "bad_label",
        when: "NOT coalesce(isfinite(TRY_CAST(label AS DOUBLE)), false)",
        column: col,
        reason: `'label "' || label || '" is not a number'`,
      });
    }
  }
  return checks;
}

/** One column: a list value, or a cell split by the list separator; several columns: one level each. */
function categoryPath(frame: Frame, cols: string | string[], separator: string): string {
  const levels = Array.isArray(cols) ? `[${cols.map(frame.text).join(", ")}]` : frame.list(cols, separator);
  return `nullif(array_to_string(list_filter(${levels}, x -> x IS NOT NULL), ' > '), '')`;
}

function attributeList(frame: Frame, cols: string | string[], separator: string): string {
  if (!Array.isArray(cols)) return frame.list(cols, separator);
  return `flatten([${cols.map((col) => frame.list(col, separator)).join(", ")}])`;
}

/** Profile JSON: the mapped profile columns, or for users sources by default every non-id column (items and
 *  events sources keep only the columns they map). */
function profile(frame: Frame, src: ResolvedSource): string {
  const ids = new Set(asList(src.columns.user ?? []));
  const cols =
    src.columns.profile ??
    (src.role === "users" ? (frame.available ?? []).filter((name) => !ids.has(name)) : []);
  if (cols.length === 0) return src.role === "users" && !frame.available ? "raw::JSON" : "NULL::JSON";
  return `json_object(${cols.map((col) => `${lit(col)}, ${frame.text(col)}`).join(", ")})`;
}

async function checkColumns(conn: DuckDBConnection, src: ResolvedSource, frame: Frame): Promise<void> {
  const c = src.columns;
  const mapped = [
    c.user,
    c.item,
    c.event,
    c.timestamp,
    c.session,
    c.title,
    c.category,
    c.brand,
    c.price,
    c.attributes,
    c.profile,
    c.label,
  ].flatMap((x) => (x === undefined ? [] : asList(x)));
  const wanted = [...new Set(mapped)];
  let missing: string[];
  if (frame.available) {
    const have = frame.available;
    missing = wanted.filter((name) => !have.includes(name));
  } else {
    const present = frame.present!;
    const [row] = await queryRows(
      conn,
      `SELECT ${wanted.map((name, i) => `bool_or(${present(name)}) AS c${i}`).join(", ")} FROM (${frame.from})`,
    );
    missing = wanted.filter((_, i) => row[`c${i}`] !== true);
  }
  if (missing.length) {
    const have = frame.available ? `; the file has: ${frame.available.join(", ")}` : "; no record has it";
    throw new SeqrankError(
      "SR_ERR_MISSING_COLUMN",
      `${src.path}:1: column "${missing[0]}" not found${have} (expected by the column mapping)`,
    );
  }
}

async function throwOnMalformed(conn: DuckDBConnection, src: ResolvedSource, index: number): Promise<void> {
  const [row] = await queryRows(
    conn,
    `SELECT src_line, col, reason, raw FROM ${stageTable(src.role)}
     WHERE src = ${index} AND rule = 'malformed' ORDER BY src_line, pos LIMIT 1`,
  );
  if (!row) return;
  const raw = String(row.raw ?? "");
  let where = row.col ? `column "${row.col}"` : "";
  let reason = String(row.reason);
  if (src.format === "jsonl") {
    try {
      JSON.parse(raw);
    } catch (err) {
      const at = /position (\d+)/.exec((err as Error).message);
      where = at ? `column ${Number(at[1]) + 1}` : "";
      reason = `invalid JSON (${(err as Error).message})`;
    }
  }
  const shown = raw.length > 120 ? `${raw.slice(0, 120)}…` : raw;
  throw new SeqrankError(
    "SR_ERR_MALFORMED_ROW",
    `${src.path}:${row.src_line}: ${where ? `${where}: ` : ""}${reason}; line: ${JSON.stringify(shown)}` +
      ' (set cleaning.malformedRows = "quarantine" to skip such rows)',
  );
}
