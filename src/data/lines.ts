// Reads a text file into DuckDB as one row per physical line, in file order, so every row keeps its line
// number (line = rowid + 1; blank lines are NULL rows). DuckDB does the reading; a file that is not valid
// UTF-8 or has an over-long line stops here with an error naming file, line and column.
import { closeSync, openSync, readSync } from "node:fs";
import type { DuckDBConnection } from "@duckdb/node-api";
import { SeqrankError } from "../util/errors.js";
import { lit, queryRows } from "./db.js";

export interface LineOptions {
  maxLineBytes: number;
  /** Field separator, used to name the column of an encoding error ("" for JSON lines). */
  delimiter: string;
  /** Column names by position when the file has no header line, for error messages. */
  columnNames?: readonly string[];
  /** Whether line 1 names the columns. */
  header: boolean;
}

let scanCounter = 0;

/** Creates temp table `table(raw VARCHAR)` with one row per line; returns the number of lines. */
export async function loadLines(
  conn: DuckDBConnection,
  path: string,
  table: string,
  opts: LineOptions,
): Promise<number> {
  const id = ++scanCounter;
  const [rejects, scans] = [`sr_rejects_${id}`, `sr_reject_scans_${id}`];
  // A NUL delimiter and no quoting turn DuckDB's CSV reader into a plain line reader.
  const read = `read_csv(${lit(path)}, columns = {'raw': 'VARCHAR'}, header = false, auto_detect = false,
    delim = '\\0', quote = '', escape = '', strict_mode = true, max_line_size = ${opts.maxLineBytes},
    buffer_size = ${Math.max(16 << 20, 2 * opts.maxLineBytes + 2)},
    store_rejects = true, rejects_table = '${rejects}', rejects_scan = '${scans}')`;
  try {
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${table} AS SELECT raw FROM ${read}`);
  } catch (err) {
    throw new SeqrankError(
      "SR_ERR_UNREADABLE",
      `${path}: cannot read file: ${(err as Error).message.split("\n")[0]}`,
    );
  }
  const errors = await queryRows(
    conn,
    `SELECT line, error_type, error_message FROM ${rejects} ORDER BY line LIMIT 1`,
  );
  await conn.run(`DROP TABLE IF EXISTS ${rejects}; DROP TABLE IF EXISTS ${scans}`);
  if (errors.length) throw lineError(path, errors[0], opts);
  return Number((await queryRows(conn, `SELECT count(*) AS n FROM ${table}`))[0].n);
}

function lineError(path: string, reject: Record<string, unknown>, opts: LineOptions): SeqrankError {
  const line = Number(reject.line);
  const bytes = readLineBytes(path, line, opts.maxLineBytes + 1);
  const names = opts.header ? headerNames(path, opts.delimiter) : opts.columnNames;
  const where = (byteOffset: number) => {
    const prefix = bytes.subarray(0, byteOffset).toString("utf8");
    const index = opts.delimiter ? prefix.split(opts.delimiter).length : 1;
    const name = names?.[index - 1];
    return `column ${index}${name ? ` ("${name}")` : ""}, byte ${byteOffset + 1}`;
  };
  if (reject.error_type === "INVALID ENCODING") {
    const offset = firstInvalidUtf8(bytes);
    const byte = bytes[offset]?.toString(16).toUpperCase().padStart(2, "0");
    return new SeqrankError(
      "SR_ERR_ENCODING",
      `${path}:${line}: ${where(offset)}: invalid UTF-8 byte 0x${byte}; expected UTF-8 text` +
        " (Latin-1/Windows-1252 files must be converted, e.g. iconv -f latin1 -t utf-8)",
    );
  }
  if (reject.error_type === "LINE SIZE OVER MAXIMUM") {
    return new SeqrankError(
      "SR_ERR_LINE_TOO_LONG",
      `${path}:${line}: ${where(opts.maxLineBytes)}: line longer than ${opts.maxLineBytes} bytes` +
        " (cleaning.maxLineBytes); expected one record per line",
    );
  }
  return new SeqrankError("SR_ERR_UNREADABLE", `${path}:${line}: ${String(reject.error_message)}`);
}

function headerNames(path: string, delimiter: string): string[] {
  const text = readLineBytes(path, 1, 1 << 16)
    .toString("utf8")
    .replace(/^\uFEFF/, "");
  return delimiter ? text.split(delimiter).map((s) => s.trim()) : [];
}

/** The bytes of 1-based line `line` (without its newline), at most `limit` of them; only used on error paths. */
export function readLineBytes(path: string, line: number, limit: number): Buffer {
  const fd = openSync(path, "r");
  try {
    const chunk = Buffer.alloc(1 << 16);
    const parts: Buffer[] = [];
    let current = 1;
    let kept = 0;
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      let start = 0;
      for (let i = 0; i < n && current <= line; i++) {
        if (chunk[i] !== 0x0a) continue;
        if (current === line) parts.push(Buffer.from(chunk.subarray(start, i)));
        current++;
        start = i + 1;
      }
      if (current > line) break;
      if (current === line && kept < limit) {
        const part = Buffer.from(chunk.subarray(start, n));
        parts.push(part);
        kept += part.length;
      }
    }
    const all = Buffer.concat(parts);
    const end = all.length > 0 && all[all.length - 1] === 0x0d ? all.length - 1 : all.length;
    return all.subarray(0, Math.min(end, limit));
  } finally {
    closeSync(fd);
  }
}

/** Byte offset of the first invalid UTF-8 sequence (buffer length if none). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const need =
      b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= bytes.length || (bytes[i + k] & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return i;
}
