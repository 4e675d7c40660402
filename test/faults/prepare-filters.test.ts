// Issue #13 item 11: every row prepare reads is kept, quarantined or removed by a named filter, the counts
// add up to the rows read, and the removed rows are in filtered.jsonl (or counted per user and item past a
// limit). A fixture log where each rule removes known lines.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { accountRows, type RowAccount } from "../../src/data/accounting.js";
import type { RuleCount } from "../../src/data/prepared.js";
import { runPrepare } from "../cli/run-prepare.js";

// Line numbers are file lines (the header is line 1).
const LOG = `user,item,event,ts
a,p1,view,1000
a,p2,view,1010
a,p3,buy,1020
a,x9,fav,1030
b,p1,view,1100
b,p2,view,1110
b,p3,buy,1120
c,p1,view,1200
c,p2,buy,1210
c,p3,view,1220
c,lonely,view,1230
s,p1,view,1300
s,p2,view,1310
d,p1,view,oops
`;
const DATA_LINES = 14;
const FAV = 5; // a "fav": neither a train nor an eval type with --train-events view,buy
const LONELY = 12; // the only event of item "lonely": below a 2-core
const SHORT = [13, 14]; // user s has two events: below the minimum length 3 (not below a 2-core)
const BAD_TS = 15; // quarantined: cannot parse the timestamp

function fixture(): { config: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "sr-filters-"));
  writeFileSync(join(dir, "log.csv"), LOG);
  const config = {
    name: "filters",
    events: [{ path: "log.csv", columns: { user: "user", item: "item", event: "event", timestamp: "ts" } }],
    cleaning: { bots: { enabled: false } },
  };
  writeFileSync(join(dir, "prepare.json"), JSON.stringify(config));
  return { config: join(dir, "prepare.json"), dir };
}

async function prepare(config: string, out: string, ...flags: string[]) {
  const lines = await runPrepare("--config", config, "--out", out, "--train-events", "view,buy", ...flags);
  return { lines, summary: JSON.parse(lines.at(-1)!) };
}

const jsonLines = (file: string) =>
  readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));

/** (rule, line) of every row in filtered.jsonl, by line. */
const filteredRows = (out: string) =>
  jsonLines(join(out, "filtered.jsonl"))
    .map((r) => [r.rule, r.line])
    .sort((x, y) => x[1] - y[1]);

function assertAddsUp(summary: {
  accounting: { events: RowAccount };
  removed: Record<string, number>;
  interactions: number;
}): void {
  const a = summary.accounting.events;
  assert.equal(a.rows_read, DATA_LINES, "every data line is a row read");
  assert.equal(a.rows_read, a.kept + a.quarantined + a.filtered);
  assert.equal(a.kept, summary.interactions);
  const removed = Object.values(summary.removed).reduce((x, y) => x + y, 0);
  assert.equal(a.rows_read - a.kept, removed, "the per-rule counts sum to the rows removed");
}

test("k-core off: the short user is removed by min_seq_len, not reported as k_core, and listed", async () => {
  const { config, dir } = fixture();
  const out = join(dir, "out");
  const { lines, summary } = await prepare(config, out);
  assert.equal(summary.removed.k_core, 0, "k-core is off");
  assert.equal(summary.removed.min_seq_len, SHORT.length);
  assert.equal(summary.removed.event_types, 1);
  assert.equal(summary.removed["events.bad_timestamp"], 1);
  assert.deepEqual(summary.accounting.events, { rows_read: 14, kept: 10, quarantined: 1, filtered: 3 });
  assertAddsUp(summary);
  assert.deepEqual(filteredRows(out), [
    ["event_types", FAV],
    ["min_seq_len", SHORT[0]],
    ["min_seq_len", SHORT[1]],
  ]);
  const [row] = jsonLines(join(out, "filtered.jsonl"));
  assert.deepEqual(
    [row.file, row.user_id, row.item_id, row.event_type, row.ts],
    [join(dir, "log.csv"), "a", "x9", "fav", 1030],
  );
  assert.deepEqual(
    jsonLines(join(out, "quarantine.jsonl")).map((q) => q.line),
    [BAD_TS],
  );
  assert.equal(summary.filteredFile, join(out, "filtered.jsonl"));
  assert.equal(summary.filteredMode, "rows");
  // Defaults are shown, in the JSON summary and in the printed table.
  assert.deepEqual(summary.settings.min_seq_len, { value: 3, default: 3 });
  assert.deepEqual(summary.settings["k_core.users"], { value: 0, default: 0 });
  assert.deepEqual(summary.settings["event_types.train"], { value: ["view", "buy"], default: "all types" });
  assert.ok(lines.some((l) => /^min_seq_len\s+3\s+3$/.test(l)));
  assert.ok(lines.some((l) => /^events: 14 rows read = 10 kept \+ 1 quarantined \+ 3 filtered$/.test(l)));
});

test("k-core on: each filter is credited with its own rows, and the identity holds", async () => {
  const { config, dir } = fixture();
  const out = join(dir, "out");
  const { summary } = await prepare(config, out, "--k-core", "2");
  // The 2-core drops only the lonely item's event; user s (2 events) passes it, then fails the length.
  assert.equal(summary.removed.k_core, 1);
  assert.equal(summary.removed.min_seq_len, 2);
  assert.equal(summary.interactions, 9);
  assertAddsUp(summary);
  assert.deepEqual(filteredRows(out), [
    ["event_types", FAV],
    ["k_core", LONELY],
    ["min_seq_len", SHORT[0]],
    ["min_seq_len", SHORT[1]],
  ]);
  const meta = JSON.parse(readFileSync(join(out, "meta.json"), "utf8"));
  const filters = (meta.rules as RuleCount[]).filter((r) => r.filtered > 0).map((r) => r.rule);
  assert.deepEqual(filters, ["event_types", "k_core", "min_seq_len"], "meta.json keeps the same counts");
});

test("past --filtered-limit the removed rows are counted per user and item, and no stale list is left", async () => {
  const { config, dir } = fixture();
  const out = join(dir, "out");
  await prepare(config, out); // leaves a filtered.jsonl behind
  const { summary } = await prepare(config, out, "--filtered-limit", "2");
  assert.equal(summary.filteredMode, "counts");
  assert.equal(summary.filteredFile, join(out, "filtered-counts.jsonl"));
  assert.ok(!existsSync(join(out, "filtered.jsonl")), "the earlier row list is removed");
  assertAddsUp(summary);
  const counts = jsonLines(summary.filteredFile);
  const byUser = counts.filter((c) => c.user_id !== null).map((c) => [c.rule, c.user_id, c.rows]);
  const byItem = counts.filter((c) => c.item_id !== null).map((c) => [c.rule, c.item_id, c.rows]);
  assert.deepEqual(byUser, [
    ["event_types", "a", 1],
    ["min_seq_len", "s", 2],
  ]);
  assert.deepEqual(byItem, [
    ["event_types", "x9", 1],
    ["min_seq_len", "p1", 1],
    ["min_seq_len", "p2", 1],
  ]);
});

test("the accounting check is a coded error when the counts do not add up", () => {
  const rule = (name: string, rowsIn: number, kept: number, filtered: number) => ({
    rule: name,
    rowsIn,
    kept,
    quarantined: 0,
    filtered,
  });
  assert.deepEqual(accountRows("log.csv", 10, 7, [rule("k_core", 10, 8, 2), rule("min_seq_len", 8, 7, 1)]), {
    rows_read: 10,
    kept: 7,
    quarantined: 0,
    filtered: 3,
  });
  // A filter that drops rows without counting them, one that counts rows it did not get, a lost row.
  const broken = [
    [10, 7, [rule("k_core", 10, 7, 2)]],
    [10, 7, [rule("k_core", 10, 8, 2), rule("min_seq_len", 9, 7, 2)]],
    [11, 7, [rule("k_core", 10, 8, 2), rule("min_seq_len", 8, 7, 1)]],
  ] as const;
  for (const [read, kept, rules] of broken) {
    assert.throws(
      () => accountRows("log.csv", read, kept, [...rules]),
      (e: Error & { code?: string }) => e.code === "SR_ERR_ACCOUNTING" && e.message.startsWith("log.csv:"),
    );
  }
});
