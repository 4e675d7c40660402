// Stage 2 of the data pipeline: from the ingest stage's DuckDB tables (events, items) to a prepared
// dataset directory (meta.json, dataset.bin, id/feature vocabularies). Steps, in order:
//   1. keep the events whose type is a training or evaluation type (rule `event_types`);
//   2. iterative k-core on users and items (rule `k_core`), then the minimum sequence length (rule
//      `min_seq_len`: the k-core again with the user threshold raised to max(kCore.users, minSeqLen), so
//      both invariants hold on the result and the rows only the length rule costs are credited to it);
//      every removed row goes to filtered.jsonl (filtered.ts) and the counts must add up (accounting.ts);
//   3. dense ids in order of first appearance in chronological order (ts NULLS FIRST, then source
//      order `ord`): on a timestamp-free source that is plain file order, so already-dense inputs such
//      as amazon-beauty keep their ids;
//   4. sessions, split boundaries, item side features; 5. write everything (cache.ts).
import { mkdirSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { z } from "zod";
import { parseConfig } from "../util/config-issues.js";
import { SeqrankError } from "../util/errors.js";
import { accountRows } from "./accounting.js";
import { writeDataset } from "./cache.js";
import { CATALOG_JSONL, writeCatalogFile } from "./catalog-file.js";
import {
  dropBuildTables,
  type ExtractedEvents,
  eventTypeNames,
  extractEvents,
  itemRecords,
  itemsLeftOut,
  LEFT_OUT_TYPE_EVENTS,
  rawIds,
  registerIds,
} from "./extract.js";
import { buildItemFeatures } from "./features.js";
import {
  createFilteredTable,
  type FilteredOutput,
  recordFiltered,
  recordFilteredQuery,
  writeFiltered,
} from "./filtered.js";
import { kCore } from "./kcore.js";
import type { DatasetMeta, DatasetSplit, PreparedDataset, RuleCount } from "./prepared.js";
import { assignSessions } from "./session.js";
import { leaveOneOutSplit, SplitSchema, temporalCuts, temporalSplit } from "./split.js";
import { Vocab, writeVocabTsv } from "./vocab.js";

const KCoreSchema = z.strictObject({
  /** Minimum interactions per user (0 = off). */
  users: z.number().int().min(0).default(0),
  /** Minimum interactions per item (0 = off). */
  items: z.number().int().min(0).default(0),
});

export const BuildOptionsSchema = z.strictObject({
  /** Output directory (created if missing). */
  out: z.string().min(1),
  /** Dataset name in meta.json; defaults to the output directory's name. */
  name: z.string().min(1).optional(),
  /** Iterative k-core; a number applies to both users and items. */
  kCore: z
    .union([
      z
        .number()
        .int()
        .min(0)
        .transform((k) => ({ users: k, items: k })),
      KCoreSchema,
    ])
    .default({}),
  /** Minimum kept events per user; 3 = one training event plus the two leave-one-out targets. */
  minSeqLen: z.number().int().min(1).default(3),
  /** Inactivity gap (seconds) that starts a new session, for events with timestamps and no source session id. */
  sessionGap: z.number().positive().default(1800),
  split: SplitSchema.default({ kind: "leave-one-out" }),
  /** Event-type roles. train: model input and training targets (default: all types); eval: valid/test targets
   *  (default: the train types). Events of other types are dropped. */
  eventTypes: z
    .strictObject({
      train: z.array(z.string()).min(1).optional(),
      eval: z.array(z.string()).min(1).optional(),
    })
    .default({}),
  /** Number of price quantile buckets. */
  priceBuckets: z.number().int().min(1).default(10),
  /** Up to this many filtered rows are written one per line (filtered.jsonl); past it, counts per user
   *  and item (filtered-counts.jsonl). */
  filteredRowsLimit: z.number().int().min(0).default(250_000),
  /** Rule counts of the ingest stage, copied into meta.json ahead of this stage's. */
  ingestRules: z
    .array(
      z.strictObject({
        rule: z.string(),
        rowsIn: z.number(),
        kept: z.number(),
        quarantined: z.number(),
        filtered: z.number().default(0),
      }),
    )
    .default([]),
});

export type ResolvedBuildOptions = z.output<typeof BuildOptionsSchema>;

/** Every option's default (the output directory aside). */
export const buildDefaults = (): ResolvedBuildOptions => BuildOptionsSchema.parse({ out: "." });

export interface BuildProgress {
  stage: "extract" | "filter" | "vocab" | "features" | "write";
  done?: number;
  total?: number;
}

export type BuildOptions = z.input<typeof BuildOptionsSchema> & { onProgress?: (p: BuildProgress) => void };

export interface BuildResult {
  out: string;
  meta: DatasetMeta;
  /** The dataset as written (same content as loadDataset(out)). */
  dataset: PreparedDataset;
  rules: RuleCount[];
  /** The options in effect, defaults filled in. */
  options: ResolvedBuildOptions;
  /** Where the rows removed by the filters went. */
  filtered: FilteredOutput;
  /** Items of the `items` table (catalog or events) without a kept event: not in the dataset. */
  itemsLeftOut: number;
}

export async function buildDataset(conn: DuckDBConnection, options: BuildOptions): Promise<BuildResult> {
  const { onProgress, ...settings } = options;
  const opts = parseConfig(BuildOptionsSchema, settings, "prepare options");
  const progress = onProgress ?? (() => {});
  const roles = resolveEventRoles(await eventTypeNames(conn), opts.eventTypes);
  mkdirSync(opts.out, { recursive: true });
  try {
    const rows = await filteredRows(conn, opts, roles, progress);
    // The filters act on the events, so their rules follow the events' cleaning rules.
    const isEvents = (r: RuleCount) => !r.rule.startsWith("items.") && !r.rule.startsWith("users.");
    const rules: RuleCount[] = [
      ...opts.ingestRules.filter(isEvents),
      ...rows.rules,
      ...opts.ingestRules.filter((r) => !isEvents(r)),
    ];
    await registerIds(conn, "users", rows.userOrder);
    await registerIds(conn, "items", rows.itemOrder);
    const leftOut = await itemsLeftOut(conn);
    const users = Vocab.fromValues(await rawIds(conn, "users"));
    const items = Vocab.fromValues(await rawIds(conn, "items"));
    progress({ stage: "features" });
    const records = await itemRecords(conn, items.count);
    const built = buildItemFeatures(records, opts.priceBuckets);
    const { session, nSessions } = assignSessions({
      offsets: rows.offsets,
      ts: rows.ts,
      sourceKey: rows.sessionKey,
      gapSeconds: opts.sessionGap,
    });
    const split =
      opts.split.kind === "leave-one-out"
        ? leaveOneOutSplit(rows.offsets, rows.events, roles.evalType)
        : temporalSplit(rows.offsets, rows.ts, temporalCuts(rows.ts, opts.split));
    const name = opts.name ?? basename(opts.out);
    const { out: _out, ingestRules: _rules, ...recordedOptions } = opts;
    const meta: DatasetMeta = {
      format: "seqrank-dataset",
      version: 1,
      name,
      counts: {
        users: users.count,
        items: items.count,
        interactions: rows.items.length,
        sessions: nSessions,
      },
      vocabSizes: { users: users.size, items: items.size, ...built.cardinality },
      eventTypes: { names: roles.names, train: roles.train, eval: roles.eval },
      split: {
        kind: split.kind,
        ...(split.validCut === undefined ? {} : { validCut: split.validCut, testCut: split.testCut }),
        ...countTargets(rows.offsets, rows.events, roles.evalType, split),
      },
      features: {
        fields: ["category", "brand", "price_bucket", "attributes", "title_tokens"],
        priceEdges: built.priceEdges,
      },
      idOrder: "first-appearance",
      rules,
      options: recordedOptions,
    };
    const dataset: PreparedDataset = {
      meta,
      name,
      nUsers: users.count,
      nItems: items.count,
      nEvents: rows.items.length,
      eventTypes: roles.names,
      trainType: roles.trainType,
      evalType: roles.evalType,
      offsets: rows.offsets,
      items: rows.items,
      events: rows.events,
      ts: rows.ts,
      sessions: session,
      split,
      features: built.features,
    };
    progress({ stage: "write" });
    writeVocabTsv(join(opts.out, "users.tsv"), users, "user_id");
    writeVocabTsv(join(opts.out, "items.tsv"), items, "item_id");
    writeVocabTsv(join(opts.out, "categories.tsv"), built.vocabs.category, "category");
    writeVocabTsv(join(opts.out, "brands.tsv"), built.vocabs.brand, "brand");
    writeVocabTsv(join(opts.out, "attributes.tsv"), built.vocabs.attribute, "attribute");
    writeVocabTsv(join(opts.out, "tokens.tsv"), built.vocabs.token, "token");
    writeCatalogFile(join(opts.out, CATALOG_JSONL), items, records);
    writeDataset(opts.out, dataset);
    // A CTR table an earlier run left in this folder would be loaded instead (src/data/ctr/load.ts).
    for (const stale of ["ctr.json", "ctr.bin"]) rmSync(join(opts.out, stale), { force: true });
    return {
      out: opts.out,
      meta,
      dataset,
      rules,
      options: opts,
      filtered: rows.filtered,
      itemsLeftOut: leftOut,
    };
  } finally {
    await dropBuildTables(conn);
  }
}

interface EventRoles {
  /** Kept type names, sorted; the index is the event-type code. */
  names: string[];
  train: string[];
  eval: string[];
  trainType: Uint8Array;
  evalType: Uint8Array;
}

function resolveEventRoles(available: string[], wanted: { train?: string[]; eval?: string[] }): EventRoles {
  const train = wanted.train ?? available;
  const evalTypes = wanted.eval ?? train;
  for (const t of [...train, ...evalTypes]) {
    if (!available.includes(t)) {
      throw new SeqrankError(
        "SR_ERR_UNKNOWN_EVENT_TYPE",
        `event type "${t}" does not occur in the events (have: ${available.join(", ")})`,
      );
    }
  }
  const names = [...new Set([...train, ...evalTypes])].sort();
  if (names.length > 255)
    throw new SeqrankError("SR_ERR_EVENT_TYPES", "at most 255 event types are supported");
  const mask = (list: string[]) => Uint8Array.from(names, (n) => (list.includes(n) ? 1 : 0));
  return { names, train, eval: evalTypes, trainType: mask(train), evalType: mask(evalTypes) };
}

/**
 * Extraction, k-core and renumbering. A function of its own so the raw extraction (the largest arrays)
 * can be garbage-collected as soon as the renumbered rows exist.
 */
async function filteredRows(
  conn: DuckDBConnection,
  opts: ResolvedBuildOptions,
  roles: EventRoles,
  progress: (p: BuildProgress) => void,
): Promise<RenumberedRows & { rules: RuleCount[]; filtered: FilteredOutput }> {
  progress({ stage: "extract" });
  const ev = await extractEvents(conn, roles.names, (done, total) =>
    progress({ stage: "extract", done, total }),
  );
  progress({ stage: "filter" });
  const { users: kUsers, items: kItems } = opts.kCore;
  const core = kCore(ev.user, ev.item, ev.nUserCodes, ev.nItemCodes, opts.kCore);
  const long = kCore(
    ev.user,
    ev.item,
    ev.nUserCodes,
    ev.nItemCodes,
    { users: Math.max(kUsers, opts.minSeqLen), items: kItems },
    core.keep,
  );
  const filter = (rule: string, rowsIn: number, kept: number): RuleCount => ({
    rule,
    rowsIn,
    kept,
    quarantined: 0,
    filtered: rowsIn - kept,
  });
  const rules = [
    filter("event_types", ev.rowsIn, ev.user.length),
    filter("k_core", ev.user.length, core.keptEvents),
    filter("min_seq_len", core.keptEvents, long.keptEvents),
  ];
  accountRows("events table", ev.rowsIn, long.keptEvents, rules);
  await createFilteredTable(conn);
  await recordFilteredQuery(conn, "event_types", LEFT_OUT_TYPE_EVENTS);
  await recordFiltered(conn, "k_core", ev.ord, (e) => core.keep[e] === 0);
  await recordFiltered(conn, "min_seq_len", ev.ord, (e) => core.keep[e] === 1 && long.keep[e] === 0);
  const names = (list: string[]) => list.join(", ");
  const reasons: Record<string, string> = {
    event_types: `event type is neither a train type (${names(roles.train)}) nor an eval type (${names(roles.eval)})`,
    k_core: `user or item below the k-core (users ≥ ${kUsers}, items ≥ ${kItems} interactions)`,
    min_seq_len:
      `user keeps fewer than ${opts.minSeqLen} events (min_seq_len)` +
      (kItems > 1 ? `, or the item then fell below ${kItems} interactions (k-core)` : ""),
  };
  const filtered = await writeFiltered(
    conn,
    opts.out,
    rules.map((r) => ({ rule: r.rule, filtered: r.filtered, reason: reasons[r.rule] })),
    opts.filteredRowsLimit,
  );
  if (long.keptEvents === 0) {
    throw new SeqrankError(
      "SR_ERR_EMPTY_DATASET",
      `no events left after the event-type, k-core and length filters (removed rows: ${filtered.file})`,
    );
  }
  progress({ stage: "vocab" });
  return { ...renumber(ev, long.keep, long.keptEvents), rules, filtered };
}

interface RenumberedRows {
  offsets: Int32Array;
  items: Int32Array;
  events: Uint8Array;
  ts: Float64Array;
  sessionKey: Int32Array;
  /** userOrder[id - 1] = temporary code of dense user id `id`; likewise itemOrder. */
  userOrder: Int32Array;
  itemOrder: Int32Array;
}

/** Drops filtered events and renumbers users and items by first appearance (ts NULLS FIRST, ord). */
function renumber(ev: ExtractedEvents, keep: Uint8Array, kept: number): RenumberedRows {
  const { user, item, ts, ord, rowStart } = ev;
  // First appearance key per code: (ts with NULL as -Infinity, ord) of its earliest kept event.
  // Rows are chronological, so a user's key is its first kept event; an item's needs a scan.
  const key = (e: number) => (Number.isNaN(ts[e]) ? Number.NEGATIVE_INFINITY : ts[e]);
  const userTs = new Float64Array(ev.nUserCodes);
  const userOrd = new Float64Array(ev.nUserCodes).fill(Number.POSITIVE_INFINITY);
  const itemTs = new Float64Array(ev.nItemCodes).fill(Number.POSITIVE_INFINITY);
  const itemOrd = new Float64Array(ev.nItemCodes).fill(Number.POSITIVE_INFINITY);
  for (let e = 0; e < user.length; e++) {
    if (!keep[e]) continue;
    const t = key(e);
    const o = ord[e];
    const u = user[e];
    if (userOrd[u] === Number.POSITIVE_INFINITY) {
      userTs[u] = t;
      userOrd[u] = o;
    }
    const i = item[e];
    if (t < itemTs[i] || (t === itemTs[i] && o < itemOrd[i])) {
      itemTs[i] = t;
      itemOrd[i] = o;
    }
  }
  const order = (codeTs: Float64Array, codeOrd: Float64Array) => {
    const codes: number[] = [];
    for (let c = 0; c < codeTs.length; c++) if (codeOrd[c] !== Number.POSITIVE_INFINITY) codes.push(c);
    codes.sort((a, b) => codeTs[a] - codeTs[b] || codeOrd[a] - codeOrd[b]);
    return Int32Array.from(codes);
  };
  const userOrder = order(userTs, userOrd);
  const itemOrder = order(itemTs, itemOrd);
  const itemId = new Int32Array(ev.nItemCodes);
  for (let k = 0; k < itemOrder.length; k++) itemId[itemOrder[k]] = k + 1;
  const offsets = new Int32Array(userOrder.length + 2);
  const items = new Int32Array(kept);
  const events = new Uint8Array(kept);
  const rowTs = new Float64Array(kept);
  const sessionKey = new Int32Array(kept);
  let at = 0;
  for (let u = 1; u <= userOrder.length; u++) {
    const code = userOrder[u - 1];
    for (let e = rowStart[code]; e < rowStart[code + 1]; e++) {
      if (!keep[e]) continue;
      items[at] = itemId[item[e]];
      events[at] = ev.type[e];
      rowTs[at] = ts[e];
      sessionKey[at] = ev.sessionKey[e];
      at++;
    }
    offsets[u + 1] = at;
  }
  return { offsets, items, events, ts: rowTs, sessionKey, userOrder, itemOrder };
}

/** Targets (evaluation-type events of the valid/test parts) and the users having any. */
function countTargets(offsets: Int32Array, events: Uint8Array, evalType: Uint8Array, split: DatasetSplit) {
  const counts = { validTargets: 0, testTargets: 0, validUsers: 0, testUsers: 0 };
  const { trainEnd, validEnd } = split;
  for (let u = 1; u + 1 < offsets.length; u++) {
    const parts = [
      [trainEnd[u], validEnd[u], "valid"],
      [validEnd[u], offsets[u + 1], "test"],
    ] as const;
    for (const [start, end, part] of parts) {
      let c = 0;
      for (let p = start; p < end; p++) c += evalType[events[p]];
      counts[`${part}Targets`] += c;
      if (c > 0) counts[`${part}Users`]++;
    }
  }
  return counts;
}
