// Stage 2 of prepare for a CTR table: from the ingest stage's cleaned `events`, `items` and `users` tables to
// ctr.json + ctr.bin (ctr-cache.ts). Steps: label every event in SQL (ctr-events.ts); make the rows (one per
// labelled event in source order, or one per user-item pair at its first event); filter the unlabelled rows
// (rule `ctr.unlabelled`, written to filtered.jsonl like the sequence build's filters); number users and items
// densely by first appearance in row order; split; build the columns (ctr-fields.ts); check the accounting.
import { mkdirSync } from "node:fs";
import type { DuckDBConnection } from "@duckdb/node-api";
import { SeqrankError } from "../../util/errors.js";
import { accountRows } from "../accounting.js";
import { createFilteredTable, type FilteredOutput, recordFiltered, writeFiltered } from "../filtered.js";
import type { RuleCount } from "../prepared.js";
import { temporalCuts } from "../split.js";
import { type CtrTableMeta, writeCtrTable } from "./ctr-cache.js";
import { type RawCtrData, randomSplit, TEST, TRAIN, VALID } from "./ctr-data.js";
import { type CtrEvents, dropCtrTables, readCtrEvents, UNLABELLED } from "./ctr-events.js";
import { type CtrRows, ctrColumns } from "./ctr-fields.js";
import type { CtrSpec, LabelRule } from "./ctr-spec.js";

export interface BuildCtrOptions {
  out: string;
  name: string;
  /** Rule counts of the ingest stage, copied ahead of (events) and after (catalogs) this stage's. */
  ingestRules: RuleCount[];
  /** Up to this many filtered rows are listed one per line (filtered.jsonl), else counted (default 250,000). */
  filteredRowsLimit?: number;
}

export interface BuildCtrResult {
  meta: CtrTableMeta;
  data: RawCtrData;
  rules: RuleCount[];
  filtered: FilteredOutput;
  /** Events that went into the table (rows, pair labels, histories). */
  keptEvents: number;
}

const isEventRule = (r: RuleCount) => !r.rule.startsWith("items.") && !r.rule.startsWith("users.");

export async function buildCtrTable(
  conn: DuckDBConnection,
  spec: CtrSpec,
  opts: BuildCtrOptions,
): Promise<BuildCtrResult> {
  mkdirSync(opts.out, { recursive: true });
  try {
    const ev = await readCtrEvents(conn, spec);
    const tasks = Object.keys(spec.labels);
    const { rowEvent, labels, unlabelled } =
      spec.rows === "pairs" ? pairRows(ev, tasks) : eventRows(ev, tasks);
    const kept = ev.n - unlabelled.count;
    const rule: RuleCount = {
      rule: "ctr.unlabelled",
      rowsIn: ev.n,
      kept,
      quarantined: 0,
      filtered: unlabelled.count,
    };
    const rules = [
      ...opts.ingestRules.filter(isEventRule),
      rule,
      ...opts.ingestRules.filter((r) => !isEventRule(r)),
    ];
    accountRows("events table", ev.n, kept, [rule]);
    await createFilteredTable(conn);
    await recordFiltered(conn, rule.rule, ev.ord, (e) => unlabelled.mask[e] === 1);
    const filtered = await writeFiltered(
      conn,
      opts.out,
      [{ rule: rule.rule, filtered: rule.filtered, reason: unlabelledReason(spec.labels) }],
      opts.filteredRowsLimit ?? 250_000,
    );
    if (rowEvent.length === 0) {
      throw new SeqrankError(
        "SR_ERR_EMPTY_DATASET",
        `no labelled rows left (removed rows: ${filtered.file})`,
      );
    }
    const rows = numberRows(ev, rowEvent, labels);
    rows.split = splitRows(spec, ev, rowEvent);
    const columns = await ctrColumns(conn, spec, ev, rows);
    const data: RawCtrData = {
      name: opts.name,
      user: rows.user,
      item: rows.item,
      nUsers: rows.userCode.length,
      nItems: rows.itemCode.length,
      labels,
      split: rows.split,
      columns,
    };
    const parts = [TRAIN, VALID, TEST].map((p) => rows.split.reduce((n, s) => n + (s === p ? 1 : 0), 0));
    const meta = writeCtrTable(
      opts.out,
      data,
      {
        format: "seqrank-ctr",
        version: 1,
        name: opts.name,
        counts: { rows: rowEvent.length, users: data.nUsers, items: data.nItems },
        labels: Object.fromEntries(
          tasks.map((t) => [t, { positives: labels[t].reduce((a, b) => a + b, 0), rule: spec.labels[t] }]),
        ),
        split: { ...spec.split, train: parts[0], valid: parts[1], test: parts[2] },
        rules,
        options: spec,
      },
      {
        userIds: Array.from(rows.userCode, (c) => ev.userIds[c]),
        itemIds: Array.from(rows.itemCode, (c) => ev.itemIds[c]),
      },
    );
    return { meta, data, rules, filtered, keptEvents: kept };
  } finally {
    await dropCtrTables(conn);
    await conn.run("DROP TABLE IF EXISTS sr_build_filtered");
  }
}

interface Rows {
  rowEvent: Int32Array;
  labels: Record<string, Uint8Array>;
  unlabelled: { count: number; mask: Uint8Array };
}

/** One row per event whose every label is set, in source order. */
function eventRows(ev: CtrEvents, tasks: string[]): Rows {
  const mask = new Uint8Array(ev.n);
  let count = 0;
  for (let e = 0; e < ev.n; e++) {
    if (tasks.some((t) => ev.labels[t][e] === UNLABELLED)) {
      mask[e] = 1;
      count++;
    }
  }
  const rowEvent = new Int32Array(ev.n - count);
  for (let e = 0, r = 0; e < ev.n; e++) if (!mask[e]) rowEvent[r++] = e;
  const labels = Object.fromEntries(tasks.map((t) => [t, Uint8Array.from(rowEvent, (e) => ev.labels[t][e])]));
  return { rowEvent, labels, unlabelled: { count, mask } };
}

/** One row per user-item pair at its first event; users in order of first appearance, each user's pairs in
 *  time order. A pair is positive when any of its events is. */
function pairRows(ev: CtrEvents, tasks: string[]): Rows {
  const firstSeen = new Float64Array(ev.userStart.length - 1).fill(Number.POSITIVE_INFINITY);
  for (let e = ev.n - 1; e >= 0; e--) firstSeen[ev.user[e]] = e;
  const users = Array.from(firstSeen.keys()).sort((a, b) => firstSeen[a] - firstSeen[b]);
  const rowEvent: number[] = [];
  const labels = tasks.map(() => [] as number[]);
  for (const u of users) {
    const rowOf = new Map<number, number>();
    for (let p = ev.userStart[u]; p < ev.userStart[u + 1]; p++) {
      const e = ev.chron[p];
      let r = rowOf.get(ev.item[e]);
      if (r === undefined) {
        r = rowEvent.length;
        rowOf.set(ev.item[e], r);
        rowEvent.push(e);
        for (const l of labels) l.push(0);
      }
      tasks.forEach((t, k) => {
        if (ev.labels[t][e] === 1) labels[k][r] = 1;
      });
    }
  }
  return {
    rowEvent: Int32Array.from(rowEvent),
    labels: Object.fromEntries(tasks.map((t, k) => [t, Uint8Array.from(labels[k])])),
    unlabelled: { count: 0, mask: new Uint8Array(ev.n) },
  };
}

/** Dense users and items (0-based) by first appearance in row order. */
function numberRows(ev: CtrEvents, rowEvent: Int32Array, labels: Record<string, Uint8Array>): CtrRows {
  const dense = (codes: Int32Array, size: number) => {
    const id = new Int32Array(size).fill(-1);
    const order: number[] = [];
    const out = Int32Array.from(rowEvent, (e) => {
      const c = codes[e];
      if (id[c] < 0) {
        id[c] = order.length;
        order.push(c);
      }
      return id[c];
    });
    return { out, order: Int32Array.from(order) };
  };
  const users = dense(ev.user, ev.userIds.length);
  const items = dense(ev.item, ev.itemIds.length);
  return {
    rowEvent,
    user: users.out,
    item: items.out,
    userCode: users.order,
    itemCode: items.order,
    split: new Uint8Array(rowEvent.length),
    labels,
  };
}

function splitRows(spec: CtrSpec, ev: CtrEvents, rowEvent: Int32Array): Uint8Array {
  const s = spec.split;
  if (s.kind === "random") return randomSplit(rowEvent.length, s.seed, s.ratios);
  const ts = Float64Array.from(rowEvent, (e) => ev.ts[e]);
  const { validCut, testCut } = temporalCuts(ts, { ...s, kind: "temporal" });
  return Uint8Array.from(ts, (t) => (t < validCut ? TRAIN : t < testCut ? VALID : TEST));
}

function unlabelledReason(labels: Record<string, LabelRule>): string {
  const parts = Object.entries(labels).flatMap(([task, r]) => {
    if (r.negativeMax !== undefined)
      return [`${task}: label between ${r.negativeMax} (negative) and ${r.positiveMin} (positive)`];
    if (r.negative) {
      const what = r.from === "event" ? "event type" : "label";
      return [
        `${task}: ${what} neither positive (${r.positive!.join(", ")}) nor negative (${r.negative.join(", ")})`,
      ];
    }
    return [];
  });
  return `row is neither positive nor negative: ${parts.join("; ") || "(no rule filters)"}`;
}
