// A frame is one source file seen as SQL: a FROM clause with one row per record (`src_line`, `pos`, `raw`)
// plus expressions for its named columns and the checks that make a row malformed. Text formats are read
// line by line (lines.ts) and split in SQL, so every record keeps its line number; Parquet and JSON maps
// are read by DuckDB directly. Nothing here loads records into JS.
import type { DuckDBConnection } from "@duckdb/node-api";
import { SeqrankError } from "../util/errors.js";
import { ident, lit, queryRows, queryValue } from "./db.js";
import { loadLines } from "./lines.js";
import type { ResolvedSource } from "./source.js";

export interface MalformedCheck {
  /** SQL condition over the frame row. */
  when: string;
  /** SQL expression naming the offending column (may be NULL). */
  column: string;
  /** SQL expression explaining the problem. */
  reason: string;
}

export interface Frame {
  /** Subquery with columns src_line BIGINT, pos INTEGER, raw VARCHAR and what the expressions below use. */
  from: string;
  /** Column names the file offers; null when only the records tell (JSON lines). */
  available: string[] | null;
  /** Trimmed text of a named column, NULL when empty or absent. */
  text(name: string): string;
  /** List of non-empty values: a JSON/Parquet list as is, otherwise the cell split by `separator`. */
  list(name: string, separator: string): string;
  /** When `available` is null: SQL condition that a record has the named column (aggregated with bool_or). */
  present?(name: string): string;
  /** SQL expression for the quarantine's `column` field of a named column. */
  label(name: string): string;
  malformed: MalformedCheck[];
  /** Non-record lines skipped (blank lines), for the summary. */
  blankLines: number;
  /** Temp tables to drop once the rows are staged. */
  tables: string[];
}

const nonEmpty = (list: string) => `list_filter(list_transform(${list}, x -> trim(x)), x -> x <> '')`;

export async function openFrame(
  conn: DuckDBConnection,
  src: ResolvedSource,
  id: number,
  maxLineBytes: number,
): Promise<Frame> {
  if (src.format === "parquet") return parquetFrame(conn, src);
  if (src.format === "json-map") return jsonMapFrame(conn, src, id);
  const table = `sr_lines_${id}`;
  const delimiter = src.format === "jsonl" ? "" : src.delimiter;
  const lines = await loadLines(conn, src.path, table, {
    maxLineBytes,
    delimiter,
    header: src.header,
    columnNames: src.columnNames,
  });
  const records = Number(await queryValue(conn, `SELECT count(raw) FROM ${table}`));
  const blankLines = lines - records;
  if (records === 0)
    throw new SeqrankError("SR_ERR_EMPTY_FILE", `${src.path}:1: file is empty; expected records`);
  if (src.format === "sequences") return sequenceFrame(table, blankLines);
  if (src.format === "jsonl") return jsonLinesFrame(table, blankLines);
  return delimitedFrame(conn, src, table, blankLines, records);
}

/** SQL list of the fields of `raw` for a delimiter and optional quote character (quotes kept). */
function splitFields(src: ResolvedSource): string {
  const d = src.delimiter;
  if (!src.quote) return `string_split(raw, ${lit(d)})`;
  if (d.length !== 1) {
    throw new SeqrankError(
      "SR_ERR_CONFIG",
      `${src.path}: quoting needs a one-character delimiter (got "${d}")`,
    );
  }
  const q = src.quote;
  const re = (s: string) => s.replace(/[\\^$.*+?()[\]{}|-]/g, "\\$&");
  const [rd, rq] = [re(d), re(q)];
  const field = `(?:^|${rd})(${rq}(?:[^${rq}]|${rq}${rq})*${rq}|[^${rd}]*)`;
  return `CASE WHEN strpos(raw, ${lit(q)}) = 0 THEN string_split(raw, ${lit(d)})
    ELSE regexp_extract_all(raw, ${lit(field)}, 1) END`;
}

async function delimitedFrame(
  conn: DuckDBConnection,
  src: ResolvedSource,
  table: string,
  blankLines: number,
  records: number,
): Promise<Frame> {
  const q = src.quote;
  const unquote = q
    ? `list_transform(fq, x -> CASE WHEN x[1] = ${lit(q)} THEN replace(substr(x, 2, length(x) - 2), ${lit(q + q)}, ${lit(q)}) ELSE x END)`
    : "fq";
  // A quoted field must be entirely quoted, and the fields must cover the whole line (no stray text).
  const badQuote = q
    ? `strpos(raw, ${lit(q)}) > 0 AND (
        list_sum(list_transform(fq, x -> length(x))) + (len(fq) - 1) * ${src.delimiter.length} <> length(raw)
        OR list_bool_or(list_transform(fq, x -> strpos(x, ${lit(q)}) > 0
          AND NOT regexp_full_match(x, ${lit(`${q}(?:[^${q}]|${q}${q})*${q}`)}))))`
    : "false";
  const headerLine = src.header
    ? Number(await queryValue(conn, `SELECT min(rowid) FROM ${table} WHERE raw IS NOT NULL`))
    : -1;
  const parsed = (where: string) => `SELECT rowid + 1 AS src_line, NULL::INTEGER AS pos, raw, ${unquote} AS f,
      ${badQuote} AS bad_quote
    FROM (SELECT rowid, raw, ${splitFields(src)} AS fq FROM ${table} WHERE raw IS NOT NULL AND ${where})`;
  let names = src.columnNames ?? [];
  if (src.header) {
    const header = await queryRows(conn, `SELECT f FROM (${parsed(`rowid = ${headerLine}`)})`);
    names = (header[0].f as string[]).map((s) => s.trim());
    if (records === 1) {
      throw new SeqrankError(
        "SR_ERR_EMPTY_FILE",
        `${src.path}:${headerLine + 1}: file has a header line but no records`,
      );
    }
  }
  const n = names.length;
  const nameList = `[${names.map(lit).join(", ")}]`;
  return {
    from: parsed(`rowid > ${headerLine}`),
    available: names,
    text: (name) => `nullif(trim(f[${names.indexOf(name) + 1}]), '')`,
    list: (name, sep) => nonEmpty(`string_split(f[${names.indexOf(name) + 1}], ${lit(sep)})`),
    label: lit,
    malformed: [
      { when: "bad_quote", column: "NULL", reason: `'unbalanced quote or text after a closing quote'` },
      {
        when: `len(f) <> ${n}`,
        column: `CASE WHEN len(f) < ${n} THEN ${nameList}[len(f) + 1] ELSE 'field ' || (${n} + 1) END`,
        reason: `'row has ' || len(f) || ' fields, expected ${n} (' || array_to_string(${nameList}, ${lit(src.delimiter)}) || ')'`,
      },
    ],
    blankLines,
    tables: [table],
  };
}

/** `user item item …`: one record per item; `pos` is the item's token number (the user is token 1). */
function sequenceFrame(table: string, blankLines: number): Frame {
  const from = `SELECT src_line, pos::INTEGER AS pos, CASE WHEN pos = 0 THEN raw ELSE t[1] || ' ' || t[pos] END AS raw, t
    FROM (SELECT rowid + 1 AS src_line, raw, t,
            unnest(CASE WHEN len(t) >= 2 THEN generate_series(2, len(t)) ELSE [0::BIGINT] END) AS pos
          FROM (SELECT rowid, raw, regexp_split_to_array(trim(raw), '\\s+') AS t FROM ${table} WHERE raw IS NOT NULL))`;
  return {
    from,
    available: ["user", "item"],
    text: (name) => (name === "user" ? "nullif(t[1], '')" : "CASE WHEN pos > 0 THEN t[pos] END"),
    list: () => "[]::VARCHAR[]",
    label: (name) => (name === "user" ? "'user (token 1)'" : `'item (token ' || pos || ')'`),
    malformed: [{ when: "pos = 0", column: "'item'", reason: "'sequence line has a user but no items'" }],
    blankLines,
    tables: [table],
  };
}

const jsonPath = (name: string) => lit(`$.${JSON.stringify(name)}`);

function jsonLinesFrame(table: string, blankLines: number): Frame {
  // `j` is NULL for lines that are not JSON, so no JSON function ever sees invalid input.
  const from = `SELECT *, coalesce(json_type(j) = 'OBJECT', false) AS ok
    FROM (SELECT rowid + 1 AS src_line, NULL::INTEGER AS pos, raw, CASE WHEN json_valid(raw) THEN raw END AS j
          FROM ${table} WHERE raw IS NOT NULL)`;
  return {
    from,
    available: null,
    present: (name) => `ok AND json_exists(j, ${jsonPath(name)})`,
    text: (name) => `nullif(trim(json_extract_string(j, ${jsonPath(name)})), '')`,
    list: (name, sep) =>
      `CASE WHEN json_type(j, ${jsonPath(name)}) = 'ARRAY'
        THEN ${nonEmpty(`json_extract_string(j, ${lit(`$.${JSON.stringify(name)}[*]`)})`)}
        ELSE ${nonEmpty(`string_split(json_extract_string(j, ${jsonPath(name)}), ${lit(sep)})`)} END`,
    label: lit,
    malformed: [{ when: "NOT ok", column: "NULL", reason: "'line is not a JSON object'" }],
    blankLines,
    tables: [table],
  };
}

async function parquetFrame(conn: DuckDBConnection, src: ResolvedSource): Promise<Frame> {
  const read = `read_parquet(${lit(src.path)}, file_row_number = true)`;
  let schema: Record<string, unknown>[];
  try {
    schema = await queryRows(conn, `DESCRIBE SELECT * FROM read_parquet(${lit(src.path)})`);
  } catch (err) {
    throw new SeqrankError(
      "SR_ERR_UNREADABLE",
      `${src.path}: not a readable Parquet file: ${(err as Error).message}`,
    );
  }
  const types = new Map(schema.map((r) => [String(r.column_name), String(r.column_type)]));
  const names = [...types.keys()];
  if (Number(await queryValue(conn, `SELECT count(*) FROM ${read}`)) === 0) {
    throw new SeqrankError("SR_ERR_EMPTY_FILE", `${src.path}: Parquet file has no rows`);
  }
  const raw = `to_json(struct_pack(${names.map((n) => `${ident(n)} := ${ident(n)}`).join(", ")}))::VARCHAR`;
  const text = (name: string) => `nullif(trim(CAST(${ident(name)} AS VARCHAR)), '')`;
  return {
    from: `SELECT file_row_number + 1 AS src_line, NULL::INTEGER AS pos, ${raw} AS raw, * EXCLUDE (file_row_number)
      FROM ${read}`,
    available: names,
    text,
    list: (name, sep) =>
      types.get(name)?.endsWith("[]")
        ? nonEmpty(`CAST(${ident(name)} AS VARCHAR[])`)
        : nonEmpty(`string_split(${text(name)}, ${lit(sep)})`),
    label: lit,
    malformed: [],
    blankLines: 0,
    tables: [],
  };
}

/** `{ "key": value, … }`: one record per entry; `src_line` is the entry's number. */
async function jsonMapFrame(conn: DuckDBConnection, src: ResolvedSource, id: number): Promise<Frame> {
  const table = `sr_entries_${id}`;
  try {
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${table} AS
      SELECT e.key AS k, e.value AS v
      FROM (SELECT unnest(map_entries(CAST(content::JSON AS MAP(VARCHAR, JSON)))) AS e FROM read_text(${lit(src.path)}))`);
  } catch (err) {
    throw new SeqrankError(
      "SR_ERR_BAD_JSON",
      `${src.path}:1: expected one JSON object mapping keys to values: ${(err as Error).message.split("\n")[0]}`,
    );
  }
  if (Number(await queryValue(conn, `SELECT count(*) FROM ${table}`)) === 0) {
    throw new SeqrankError("SR_ERR_EMPTY_FILE", `${src.path}:1: JSON object has no entries`);
  }
  const value = "CASE WHEN json_type(v) = 'VARCHAR' THEN v ->> '$' ELSE v::VARCHAR END";
  return {
    from: `SELECT rowid + 1 AS src_line, NULL::INTEGER AS pos, to_json(k) || ': ' || v::VARCHAR AS raw, k, v FROM ${table}`,
    available: ["key", "value"],
    text: (name) => `nullif(trim(${name === "key" ? "k" : value}), '')`,
    list: (name, sep) =>
      name === "key"
        ? "[k]"
        : `CASE WHEN json_type(v) = 'ARRAY' THEN ${nonEmpty("json_extract_string(v, '$[*]')")}
            ELSE ${nonEmpty(`string_split(${value}, ${lit(sep)})`)} END`,
    label: lit,
    malformed: [],
    blankLines: 0,
    tables: [table],
  };
}
