// `seqrank prepare`: presets and --config files end in a prepared dataset and a JSON summary line.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { datasetsDir as datasets, runPrepare as prepare } from "./run-prepare.js";

const here = dirname(fileURLToPath(import.meta.url));

test("prepare <preset>: settings and rule tables, then a JSON summary with counts, rows removed per rule and the accounting", async () => {
  const out = mkdtempSync(join(tmpdir(), "sr-prep-"));
  const lines = await prepare("movielens-100k", "--out", out, "--datasets", datasets);
  const summary = JSON.parse(lines.at(-1)!);
  assert.equal(summary.command, "prepare");
  assert.deepEqual([summary.users, summary.items, summary.interactions], [943, 1682, 100000]);
  assert.equal(summary.removed["events.bad_timestamp"], 0);
  assert.equal(summary.removed.k_core, 0);
  assert.equal(summary.removed.min_seq_len, 0, "every MovieLens user has at least 20 ratings");
  assert.deepEqual(summary.accounting.events, {
    rows_read: 100000,
    kept: 100000,
    quarantined: 0,
    filtered: 0,
  });
  assert.deepEqual(summary.settings.min_seq_len, { value: 3, default: 3 });
  assert.ok(lines.some((l) => /^events\.exact_duplicate\s+100,000\s+100,000\s+0\s+0$/.test(l)));
  assert.ok(
    lines.some((l) => /^min_seq_len\s+3\s+3$/.test(l)),
    "the settings table shows the default",
  );
  for (const f of ["meta.json", "dataset.bin", "quarantine.jsonl", "bots.jsonl", "filtered.jsonl"])
    assert.ok(existsSync(join(out, f)), f);
  assert.ok(!existsSync(join(out, ".prepare.duckdb")), "the work database is removed");
});

test("prepare --config: relative paths resolve beside the config; cleaning and build flags apply", async () => {
  const dir = mkdtempSync(join(tmpdir(), "sr-prep-cfg-"));
  const fixture = join(here, "..", "fixtures", "bad", "mixed.tsv");
  writeFileSync(join(dir, "log.tsv"), readFileSync(fixture));
  const config = {
    name: "mixed",
    events: [
      {
        path: "log.tsv",
        columns: { user: "user", item: "item", event: "event", timestamp: "ts", price: "price" },
      },
    ],
    cleaning: { eventTypes: ["view"] },
  };
  writeFileSync(join(dir, "prepare.json"), JSON.stringify(config));
  const out = join(dir, "out");
  const lines = await prepare(
    "--config",
    join(dir, "prepare.json"),
    "--out",
    out,
    "--malformed",
    "quarantine",
    "--min-seq-len",
    "1",
  );
  const summary = JSON.parse(lines.at(-1)!);
  assert.equal(summary.interactions, 2);
  assert.equal(summary.quarantined, 7);
  assert.deepEqual(
    Object.entries(summary.removed).filter(([, n]) => n),
    [
      ["events.malformed", 1],
      ["events.empty_id", 1],
      ["events.bad_timestamp", 1],
      ["events.unknown_event_type", 1],
      ["events.bad_price", 1],
      ["events.exact_duplicate", 1],
      ["events.burst_duplicate", 1],
    ],
  );
  assert.equal(readFileSync(join(out, "quarantine.jsonl"), "utf8").trim().split("\n").length, 7);
});

test("prepare of a catalog-only preset keeps the items; bad arguments are coded errors", async () => {
  const out = mkdtempSync(join(tmpdir(), "sr-prep-zh-"));
  const summary = JSON.parse(
    (await prepare("taobao-product-titles-zh", "--out", out, "--datasets", datasets)).at(-1)!,
  );
  assert.deepEqual([summary.items, summary.interactions], [6998, 0]);
  assert.equal(readFileSync(summary.itemsFile, "utf8").trim().split("\n").length, 6998);
  await assert.rejects(prepare("--out", out), /SR_ERR_CLI_ARG|either a preset name or --config/);
  await assert.rejects(prepare("no-such-set", "--out", out), /unknown preset "no-such-set"/);
});
