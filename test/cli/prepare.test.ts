// `seqrank prepare`: presets and --config files end in a prepared dataset and a JSON summary line.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const datasets = join(here, "..", "..", "..", "shared", "datasets");

const repoRoot = join(here, "..", "..");
// The command registered on its own program, in a child process (its stdout is the command's stdout).
const runner = `import { Command } from "commander";
import { registerPrepare } from ${JSON.stringify(join(repoRoot, "src", "cli", "prepare.ts"))};
const program = new Command("seqrank");
registerPrepare(program);
program.parseAsync(process.argv.slice(1), { from: "user" }).catch((e) => { console.error(e.code + ": " + e.message); process.exit(1); });`;

/** Runs `seqrank prepare …args`; returns the stdout lines, or rejects with stderr. */
async function prepare(...args: string[]): Promise<string[]> {
  const child = spawnSync(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "-e", runner, "--", "prepare", ...args],
    { cwd: repoRoot, encoding: "utf8" },
  );
  if (child.status !== 0) throw new Error(child.stderr);
  return child.stdout.trimEnd().split("\n");
}

test("prepare <preset>: rule table, then a JSON summary with counts and rows removed per rule", async () => {
  const out = mkdtempSync(join(tmpdir(), "sr-prep-"));
  const lines = await prepare("movielens-100k", "--out", out, "--datasets", datasets);
  const summary = JSON.parse(lines.at(-1)!);
  assert.equal(summary.command, "prepare");
  assert.deepEqual([summary.users, summary.items, summary.interactions], [943, 1682, 100000]);
  assert.equal(summary.removed["events.bad_timestamp"], 0);
  assert.equal(summary.removed.k_core, 0);
  assert.ok(lines.some((l) => /^events\.exact_duplicate\s+100,000\s+100,000\s+0$/.test(l)));
  for (const f of ["meta.json", "dataset.bin", "quarantine.jsonl", "bots.jsonl"])
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
