// The column-mapping config: which files to read, in which format, and which of their columns feed which
// fields of the events/items/users records (schema.ts). A JSON file of this shape reads any log without code;
// the named presets (presets.ts) are instances of it.
import { existsSync } from "node:fs";
import { extname, isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { parseConfig } from "../util/config-issues.js";
import { SeqrankError } from "../util/errors.js";
import { CtrSpecSchema, readsLabelColumn } from "./ctr/ctr-spec.js";

export const SourceFormatSchema = z.enum([
  "csv", // delimited text, RFC-4180 quoting ("a,b" and "" escapes); header line by default
  "tsv", // tab-separated, no quoting; header line by default
  "dat", // MovieLens `a::b::c`, no header
  "sequences", // `user item item …` lines (whitespace-separated); columns are implicit
  "jsonl", // one JSON object per line; columns are top-level keys
  "parquet",
  "json-map", // one JSON object {key: value}; columns are "key" and "value" (item2attributes.json)
]);
export type SourceFormat = z.infer<typeof SourceFormatSchema>;

const Column = z.string().min(1);
/** One column, or several: ids are joined with ":", categories become a path, attributes a list. */
const Columns = z.union([Column, z.array(Column).min(1)]);

export const ColumnMapSchema = z
  .object({
    user: Columns.optional(),
    item: Columns.optional(),
    event: Column.optional(),
    timestamp: Column.optional(),
    session: Columns.optional(),
    title: Column.optional(),
    category: Columns.optional(),
    brand: Column.optional(),
    price: Column.optional(),
    attributes: Columns.optional(),
    /** Events: the raw label of a CTR table (a rating, a 0/1 click), read by the `ctr` section's label rules. */
    label: Column.optional(),
    /** Profile columns kept as they are: the user's (users sources: default all columns but the user column;
     *  events sources: the user's profile carried on each event) or the item's (items sources: CTR features). */
    profile: z.array(Column).optional(),
  })
  .strict();
export type ColumnMap = z.infer<typeof ColumnMapSchema>;

export const SourceSchema = z
  .object({
    /** Relative paths resolve against the spec's baseDir. */
    path: z.string().min(1),
    /** Default: from the file extension (.csv .tsv .dat .jsonl .parquet .json; .inter/.item/.user are tsv). */
    format: SourceFormatSchema.optional(),
    /** Field separator (csv ",", tsv "\t", dat "::"). */
    delimiter: z.string().min(1).optional(),
    /** Quote character; "" turns quoting off (csv default '"', others ""). */
    quote: z.string().max(1).optional(),
    /** Whether the first line names the columns (csv/tsv default true). */
    header: z.boolean().optional(),
    /** Column names of a file without a header line. */
    columnNames: z.array(Column).optional(),
    columns: ColumnMapSchema.default({}),
    /** Event type of every row when no `event` column is mapped. */
    eventType: z.string().min(1).default("interaction"),
    /** "auto" (unix seconds, unix ms when ≥ 1e11, or ISO 8601), "unix", "unix_ms", "iso", or a strptime pattern. */
    timestampFormat: z.string().min(1).default("auto"),
    /** Separator inside one attributes/category cell (lists in JSON/Parquet need none). */
    listSeparator: z.string().min(1).default("|"),
  })
  .strict();
export type SourceInput = z.input<typeof SourceSchema>;

export const BotRuleSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** A user is an outlier when a robust z-score (median/MAD, log scale) of a metric exceeds this. */
    threshold: z.number().positive().default(5),
    /** Users with fewer kept events are never flagged. */
    minEvents: z.number().int().min(1).default(50),
  })
  .strict();

export const CleaningSchema = z
  .object({
    /** Rows that cannot be parsed (ragged, broken quoting or JSON): stop with an error, or quarantine them. */
    malformedRows: z.enum(["error", "quarantine"]).default("error"),
    /** Longer lines stop the ingest (SR_ERR_LINE_TOO_LONG). */
    maxLineBytes: z
      .number()
      .int()
      .positive()
      .default(1 << 20),
    /** Allowed event types; other values are quarantined. Default: any non-empty value. */
    eventTypes: z.array(z.string().min(1)).min(1).optional(),
    /** Valid timestamp range, unix seconds (default 1970-01-01 to 2100-01-01). */
    minTimestamp: z.number().default(0),
    maxTimestamp: z.number().default(4102444800),
    /** Drop rows equal to an earlier row in every mapped field (only rows with a timestamp: without one,
     *  a repeat cannot be told from a duplicate). */
    exactDuplicates: z.boolean().default(true),
    /** Drop an event that repeats the same user, item and event type within this many seconds of the
     *  previous one (0 = off). */
    burstWindowSeconds: z.number().min(0).default(5),
    bots: BotRuleSchema.default({}),
    /** Events whose item is not in the items files (when there are any): kept (the item gets no catalogue
     *  fields) or quarantined (`unknown_item`). Default: quarantine for a CTR table, keep otherwise. */
    unknownItems: z.enum(["keep", "quarantine"]).optional(),
    /** The same for users missing from the users files (`unknown_user`). */
    unknownUsers: z.enum(["keep", "quarantine"]).optional(),
  })
  .strict();
export type Cleaning = z.infer<typeof CleaningSchema>;

export const IngestSpecSchema = z
  .object({
    name: z.string().min(1),
    /** Directory that relative source paths resolve against (default: the current directory). */
    baseDir: z.string().optional(),
    events: z.array(SourceSchema).default([]),
    items: z.array(SourceSchema).default([]),
    users: z.array(SourceSchema).default([]),
    cleaning: CleaningSchema.default({}),
    /** Defaults for the build stage (buildDataset options such as kCore or split); CLI flags override them. */
    build: z.record(z.unknown()).default({}),
    /** Prepare a CTR table instead of sequences (src/data/ctr/ctr-spec.ts; docs/ranking.md). */
    ctr: CtrSpecSchema.optional(),
  })
  .strict();
export type IngestSpecInput = z.input<typeof IngestSpecSchema>;
export type IngestSpec = z.infer<typeof IngestSpecSchema>;

export type SourceRole = "events" | "items" | "users";

/** A source with its path made absolute and every format default filled in. */
export interface ResolvedSource {
  role: SourceRole;
  path: string;
  format: SourceFormat;
  delimiter: string;
  quote: string;
  header: boolean;
  columnNames: string[] | undefined;
  columns: ColumnMap;
  eventType: string;
  timestampFormat: string;
  listSeparator: string;
}

const FORMAT_BY_EXTENSION: Record<string, SourceFormat> = {
  ".csv": "csv",
  ".tsv": "tsv",
  ".inter": "tsv",
  ".item": "tsv",
  ".user": "tsv",
  ".dat": "dat",
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
  ".parquet": "parquet",
  ".json": "json-map",
};

const DEFAULT_DELIMITER: Record<SourceFormat, string> = {
  csv: ",",
  tsv: "\t",
  dat: "::",
  sequences: " ",
  jsonl: "",
  parquet: "",
  "json-map": "",
};

/** The id column each role needs. */
const REQUIRED: Record<SourceRole, ("user" | "item")[]> = {
  events: ["user", "item"],
  items: ["item"],
  users: ["user"],
};

export function resolveSources(spec: IngestSpec): ResolvedSource[] {
  const baseDir = spec.baseDir ?? process.cwd();
  const roles: SourceRole[] = ["events", "items", "users"];
  const sources = roles.flatMap((role) => spec[role].map((s) => resolveSource(s, role, baseDir)));
  const allowed = spec.cleaning.eventTypes;
  if (readsLabelColumn(spec.ctr) && !sources.some((s) => s.role === "events" && s.columns.label)) {
    throw new SeqrankError(
      "SR_ERR_CONFIG",
      'ctr.labels: a label rule reads the label column, but no events source maps "label" (columns.label)',
    );
  }
  for (const s of sources) {
    if (s.role === "events" && !s.columns.event && allowed && !allowed.includes(s.eventType)) {
      throw new SeqrankError(
        "SR_ERR_CONFIG",
        `${s.path}: eventType "${s.eventType}" is not in cleaning.eventTypes (${allowed.join(", ")})`,
      );
    }
  }
  return sources;
}

function resolveSource(s: z.infer<typeof SourceSchema>, role: SourceRole, baseDir: string): ResolvedSource {
  const path = isAbsolute(s.path) ? s.path : resolve(baseDir, s.path);
  const format = s.format ?? FORMAT_BY_EXTENSION[extname(path).toLowerCase()];
  if (!format) {
    throw new SeqrankError(
      "SR_ERR_CONFIG",
      `${path}: cannot tell the format from the extension; set "format" (${SourceFormatSchema.options.join(", ")})`,
    );
  }
  if (!existsSync(path)) throw new SeqrankError("SR_ERR_FILE_NOT_FOUND", `${path}: file not found`);
  const columns = format === "sequences" ? { ...s.columns, user: "user", item: "item" } : s.columns;
  for (const field of REQUIRED[role]) {
    if (!columns[field]) {
      throw new SeqrankError("SR_ERR_CONFIG", `${path}: a ${role} source must map the "${field}" column`);
    }
  }
  const header = s.header ?? (format === "csv" || format === "tsv");
  if (!header && !s.columnNames && (format === "csv" || format === "tsv" || format === "dat")) {
    throw new SeqrankError("SR_ERR_CONFIG", `${path}: a file without a header line needs "columnNames"`);
  }
  return {
    role,
    path,
    format,
    delimiter: s.delimiter ?? DEFAULT_DELIMITER[format],
    quote: s.quote ?? (format === "csv" ? '"' : ""),
    header,
    columnNames: s.columnNames,
    columns,
    eventType: s.eventType,
    timestampFormat: s.timestampFormat,
    listSeparator: s.listSeparator,
  };
}

/** Validates a spec (from JSON or code), turning zod issues into one SR_ERR_CONFIG message. */
export function parseIngestSpec(input: unknown): IngestSpec {
  return parseConfig(IngestSpecSchema, input, "invalid ingest config");
}
