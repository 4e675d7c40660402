// Stage 1 of the data pipeline: raw files in, clean `events`/`items`/`users` tables out, all on one DuckDB
// connection. Every input row is either kept or written to <out>/quarantine.jsonl with its file, line and
// reason; `rules` proves it per rule (rowsIn = kept + quarantined).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { SeqrankError } from "../util/errors.js";
import {
  markBots,
  markBurstDuplicates,
  markDuplicateIds,
  markExactDuplicates,
  markUnknownIds,
  ruleCounts,
} from "./clean.js";
import { type CtrSpec, numericLabel } from "./ctr/ctr-spec.js";
import { type OpenOptions, openDuckDB, queryRows } from "./db.js";
import { openFrame } from "./frames.js";
import type { RuleCount } from "./prepared.js";
import { BOTS_FILE, QUARANTINE_FILE, writeQuarantine } from "./quarantine.js";
import {
  type Cleaning,
  type IngestSpec,
  type IngestSpecInput,
  parseIngestSpec,
  type ResolvedSource,
  resolveSources,
  type SourceFormat,
  type SourceRole,
} from "./source.js";
import { createStageTables, ROLES, stageSource, stageTable } from "./stage.js";
import { createEventsTable, createItemsTable, createUsersTable } from "./tables.js";

export interface IngestProgress {
  step: string;
  done: number;
  total: number;
}

export interface IngestOptions {
  /** Directory for quarantine.jsonl and bots.jsonl (created if missing). */
  out: string;
  /** Connection to leave the tables in; default: a new embedded database (see `db`). */
  conn?: DuckDBConnection;
  db?: OpenOptions;
  onProgress?: (p: IngestProgress) => void;
}

export interface SourceSummary {
  file: string;
  role: SourceRole;
  format: SourceFormat;
  /** Records staged (for `sequences`, one per item). */
  rows: number;
  blankLines: number;
}

export interface IngestResult {
  conn: DuckDBConnection;
  /** Closes the database if ingest opened it (a no-op for a connection passed in). */
  close(): void;
  name: string;
  /** events.*, items.*, users.* rules in the order they apply. */
  rules: RuleCount[];
  /** Over the kept events. */
  counts: { users: number; items: number; interactions: number };
  eventTypes: Record<string, number>;
  /** Rows of the items and users tables (ids from events plus catalog files). */
  catalog: { items: number; users: number };
  files: SourceSummary[];
  quarantined: number;
  bots: number;
  quarantineFile: string;
  botsFile: string;
  /** The spec's defaults for the build stage. */
  build: Record<string, unknown>;
  /** The cleaning rules in effect, defaults filled in. */
  cleaning: Cleaning;
  /** The spec's CTR table section, when it asks for one. */
  ctr?: CtrSpec;
}

export async function ingest(specInput: IngestSpecInput, opts: IngestOptions): Promise<IngestResult> {
  const parsed = parseIngestSpec(specInput);
  // A CTR table's rows need their catalogue fields: events of unknown items and users are quarantined.
  const unknown = parsed.ctr ? "quarantine" : "keep";
  const spec = {
    ...parsed,
    cleaning: {
      ...parsed.cleaning,
      unknownItems: parsed.cleaning.unknownItems ?? unknown,
      unknownUsers: parsed.cleaning.unknownUsers ?? unknown,
    },
  };
  const sources = resolveSources(spec);
  const own = opts.conn ? undefined : await openDuckDB(opts.db);
  const conn = opts.conn ?? own!.conn;
  try {
    return { conn, close: () => own?.close(), ...(await run(conn, spec, sources, opts)) };
  } catch (err) {
    own?.close();
    throw err;
  }
}

async function run(
  conn: DuckDBConnection,
  spec: IngestSpec,
  sources: ResolvedSource[],
  opts: IngestOptions,
): Promise<Omit<IngestResult, "conn" | "close">> {
  const total = sources.length + 4;
  let done = 0;
  const step = (name: string) => opts.onProgress?.({ step: name, done: done++, total });
  mkdirSync(opts.out, { recursive: true });
  await createStageTables(conn);
  const files: SourceSummary[] = [];
  for (const [index, src] of sources.entries()) {
    step(`read ${src.path}`);
    const frame = await openFrame(conn, src, index, spec.cleaning.maxLineBytes);
    try {
      const rows = await stageSource(conn, src, index, frame, spec.cleaning, numericLabel(spec.ctr));
      files.push({ file: src.path, role: src.role, format: src.format, rows, blankLines: frame.blankLines });
    } finally {
      for (const t of frame.tables) await conn.run(`DROP TABLE IF EXISTS ${t}`);
    }
  }
  step("duplicates");
  for (const role of ["items", "users"] as const) {
    const files = sources.filter((s) => s.role === role).map((s) => s.path);
    if (files.length && spec.cleaning[role === "items" ? "unknownItems" : "unknownUsers"] === "quarantine")
      await markUnknownIds(conn, role, files);
  }
  if (spec.cleaning.exactDuplicates) await markExactDuplicates(conn);
  await markBurstDuplicates(conn, spec.cleaning.burstWindowSeconds);
  await markDuplicateIds(conn, "items");
  await markDuplicateIds(conn, "users");
  step("bots");
  const bots = await markBots(conn, spec.cleaning.bots);
  step("tables");
  await createEventsTable(conn);
  await createItemsTable(conn);
  await createUsersTable(conn);
  step("quarantine");
  const quarantined = await writeQuarantine(conn, opts.out);
  const roles = ROLES.filter((role) => sources.some((s) => s.role === role));
  const rules = (await Promise.all(roles.map((role) => ruleCounts(conn, role)))).flat();
  const summary = await summarize(conn);
  const lastEventRule = rules.filter((r) => r.rule.startsWith("events.")).at(-1);
  if ((lastEventRule?.kept ?? 0) !== summary.counts.interactions) {
    throw new SeqrankError(
      "SR_ERR_INTERNAL",
      "row accounting mismatch between the rules and the events table",
    );
  }
  for (const role of ROLES) await conn.run(`DROP TABLE IF EXISTS ${stageTable(role)}`);
  await conn.run("DROP TABLE IF EXISTS sr_sources; DROP TABLE IF EXISTS sr_bots");
  opts.onProgress?.({ step: "done", done: total, total });
  return {
    name: spec.name,
    rules,
    ...summary,
    files,
    quarantined,
    bots,
    quarantineFile: join(opts.out, QUARANTINE_FILE),
    botsFile: join(opts.out, BOTS_FILE),
    build: spec.build,
    cleaning: spec.cleaning,
    ...(spec.ctr ? { ctr: spec.ctr } : {}),
  };
}

async function summarize(conn: DuckDBConnection) {
  const [c] = await queryRows(
    conn,
    `SELECT count(DISTINCT user_id) AS users, count(DISTINCT item_id) AS items, count(*) AS interactions,
       (SELECT count(*) FROM items) AS catalog_items, (SELECT count(*) FROM users) AS catalog_users
     FROM events`,
  );
  const types = await queryRows(
    conn,
    "SELECT event_type, count(*) AS n FROM events GROUP BY 1 ORDER BY 2 DESC, 1",
  );
  return {
    counts: { users: Number(c.users), items: Number(c.items), interactions: Number(c.interactions) },
    eventTypes: Object.fromEntries(types.map((t) => [String(t.event_type), Number(t.n)])),
    catalog: { items: Number(c.catalog_items), users: Number(c.catalog_users) },
  };
}
