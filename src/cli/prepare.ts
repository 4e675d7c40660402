// `seqrank prepare <preset> --out <dir>` / `seqrank prepare --config <file.json> --out <dir>`: ingest and
// clean a behaviour log (src/data/ingest.ts), then build the prepared dataset (src/data/build.ts). Prints the
// settings of every rule that removes rows (with defaults), a per-rule table, the accounting identity
// (rows read = kept + quarantined + filtered, docs/prepare.md) and, as the last line, a JSON summary.
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import { accountPrepare, type RowAccount } from "../data/accounting.js";
import { buildDataset } from "../data/build.js";
import { openDuckDB } from "../data/db.js";
import { filterSettings, type Setting } from "../data/filter-settings.js";
import { FILTERED_COUNTS_FILE, FILTERED_FILE, type FilteredOutput } from "../data/filtered.js";
import { ingest } from "../data/ingest.js";
import type { RuleCount } from "../data/prepared.js";
import { defaultDatasetsDir, PRESETS, presetSpec } from "../data/presets.js";
import type { IngestSpecInput } from "../data/source.js";
import { SeqrankError } from "../util/errors.js";
import { printResultLine } from "../util/result-line.js";

interface PrepareFlags {
  out: string;
  config?: string;
  datasets?: string;
  malformed?: string;
  burstWindow?: number;
  bots?: boolean;
  botThreshold?: number;
  botMinEvents?: number;
  kCore?: number;
  minSeqLen?: number;
  sessionGap?: number;
  split?: string;
  testQuantile?: number;
  validQuantile?: number;
  trainEvents?: string;
  evalEvents?: string;
  priceBuckets?: number;
  filteredLimit?: number;
  memoryLimit: string;
}

const number = (flag: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n))
    throw new SeqrankError("SR_ERR_CLI_ARG", `${flag} expects a number, got "${value}"`);
  return n;
};

/** Ingest stages (one per source plus four) and the five build stages share one bar. */
const BUILD_STAGES = ["extract", "filter", "vocab", "features", "write"];

export function registerPrepare(program: Command): void {
  program
    .command("prepare")
    .description(
      "ingest, clean and prepare a behaviour log: a named preset, or --config <file.json> for any other log",
    )
    .argument("[preset]", `shared dataset: ${Object.keys(PRESETS).join(", ")}`)
    .requiredOption("--out <dir>", "output directory")
    .option("--config <file>", "column-mapping config (JSON ingest spec; relative paths resolve beside it)")
    .option(
      "--datasets <dir>",
      "folder holding the shared datasets (default: $SEQRANK_DATASETS or ../shared/datasets)",
    )
    .option("--malformed <policy>", "rows that cannot be parsed: error (default) or quarantine")
    .option(
      "--burst-window <seconds>",
      "drop repeats of the same user/item/event within this window",
      number("--burst-window"),
    )
    .option("--bots", "remove users whose event volume or rate is a robust outlier")
    .option("--no-bots", "keep all users")
    .option("--bot-threshold <z>", "robust z-score above which a user is a bot", number("--bot-threshold"))
    .option("--bot-min-events <n>", "users with fewer events are never bots", number("--bot-min-events"))
    .option("--k-core <n>", "iterative k-core on users and items (0 = off)", number("--k-core"))
    .option("--min-seq-len <n>", "minimum events per user", number("--min-seq-len"))
    .option("--session-gap <seconds>", "inactivity gap that starts a new session", number("--session-gap"))
    .option("--split <kind>", "leave-one-out or temporal")
    .option(
      "--test-quantile <q>",
      "temporal split: test part starts at this timestamp quantile",
      number("--test-quantile"),
    )
    .option(
      "--valid-quantile <q>",
      "temporal split: valid part starts at this quantile",
      number("--valid-quantile"),
    )
    .option("--train-events <types>", "comma-separated event types used as model input")
    .option("--eval-events <types>", "comma-separated event types used as valid/test targets")
    .option("--price-buckets <n>", "number of price quantile buckets", number("--price-buckets"))
    .option(
      "--filtered-limit <rows>",
      "rows removed by filters are listed in filtered.jsonl up to this many (default 250000), else counted per user and item",
      number("--filtered-limit"),
    )
    .option("--memory-limit <size>", "DuckDB memory limit", "2GB")
    .action(async (preset: string | undefined, flags: PrepareFlags) => {
      const spec = loadSpec(preset, flags);
      const out = resolve(flags.out);
      const summary = await prepare(spec, out, flags);
      printResultLine(summary);
    });
}

function loadSpec(preset: string | undefined, flags: PrepareFlags): IngestSpecInput {
  if (Boolean(preset) === Boolean(flags.config)) {
    throw new SeqrankError(
      "SR_ERR_CLI_ARG",
      "give either a preset name or --config <file.json>, not both or neither",
    );
  }
  let spec: IngestSpecInput;
  if (flags.config) {
    const path = resolve(flags.config);
    try {
      spec = JSON.parse(readFileSync(path, "utf8"));
    } catch (err) {
      throw new SeqrankError("SR_ERR_CONFIG", `${path}: cannot read the config: ${(err as Error).message}`);
    }
    spec = { ...spec, baseDir: resolve(dirname(path), spec.baseDir ?? ".") };
  } else {
    spec = presetSpec(preset!, flags.datasets ? resolve(flags.datasets) : defaultDatasetsDir());
  }
  const cleaning = { ...spec.cleaning };
  if (flags.malformed !== undefined) {
    if (flags.malformed !== "error" && flags.malformed !== "quarantine") {
      throw new SeqrankError(
        "SR_ERR_CLI_ARG",
        `--malformed must be error or quarantine, got "${flags.malformed}"`,
      );
    }
    cleaning.malformedRows = flags.malformed;
  }
  if (flags.burstWindow !== undefined) cleaning.burstWindowSeconds = flags.burstWindow;
  const bots = { ...cleaning.bots };
  if (flags.bots !== undefined) bots.enabled = flags.bots;
  if (flags.botThreshold !== undefined) bots.threshold = flags.botThreshold;
  if (flags.botMinEvents !== undefined) bots.minEvents = flags.botMinEvents;
  return { ...spec, cleaning: { ...cleaning, bots } };
}

/** Build options: the spec's defaults, overridden by flags. */
function buildOverrides(flags: PrepareFlags): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (flags.kCore !== undefined) o.kCore = flags.kCore;
  if (flags.minSeqLen !== undefined) o.minSeqLen = flags.minSeqLen;
  if (flags.sessionGap !== undefined) o.sessionGap = flags.sessionGap;
  if (flags.split !== undefined) {
    o.split =
      flags.split === "temporal"
        ? { kind: "temporal", testQuantile: flags.testQuantile, validQuantile: flags.validQuantile }
        : { kind: flags.split };
  }
  const list = (s: string | undefined) => s?.split(",").map((t) => t.trim());
  if (flags.trainEvents || flags.evalEvents)
    o.eventTypes = { train: list(flags.trainEvents), eval: list(flags.evalEvents) };
  if (flags.priceBuckets !== undefined) o.priceBuckets = flags.priceBuckets;
  if (flags.filteredLimit !== undefined) o.filteredRowsLimit = flags.filteredLimit;
  return o;
}

/** Prepares a named preset with its defaults (used by `seqrank start`). */
export function preparePreset(name: string, out: string) {
  return prepare(presetSpec(name), resolve(out), { out, memoryLimit: "2GB" });
}

async function prepare(spec: IngestSpecInput, out: string, flags: PrepareFlags) {
  // A database file in the output folder lets DuckDB compress and spill, so large logs fit in memory.
  const dbPath = join(out, ".prepare.duckdb");
  const tmp = join(out, ".duckdb-tmp");
  const removeWork = () => {
    for (const p of [dbPath, `${dbPath}.wal`, tmp]) rmSync(p, { recursive: true, force: true });
  };
  mkdirSync(out, { recursive: true });
  removeWork();
  const bar = new SingleBar({
    format: "{bar} {percentage}% | {step}",
    clearOnComplete: true,
    hideCursor: true,
  });
  let ingestSteps = 0;
  const db = await openDuckDB({ path: dbPath, tempDirectory: tmp, memoryLimit: flags.memoryLimit });
  try {
    const ingested = await ingest(spec, {
      out,
      conn: db.conn,
      onProgress: (p) => {
        if (ingestSteps === 0) bar.start(p.total + BUILD_STAGES.length, 0, { step: p.step });
        ingestSteps = p.total;
        bar.update(p.done, { step: p.step });
      },
    });
    const base = {
      command: "prepare",
      name: ingested.name,
      out,
      quarantined: ingested.quarantined,
      quarantineFile: ingested.quarantineFile,
      bots: ingested.bots,
      botsFile: ingested.botsFile,
    };
    if (ingested.counts.interactions === 0) {
      // A catalog without events (e.g. taobao-product-titles-zh): nothing to build; keep the items.
      const itemsFile = join(out, "items.jsonl");
      await db.conn.run(`COPY (SELECT * FROM items) TO '${itemsFile.replace(/'/g, "''")}' (FORMAT JSON)`);
      // No build, no filters: a list left by an earlier run of this folder would be wrong.
      for (const f of [FILTERED_FILE, FILTERED_COUNTS_FILE]) rmSync(join(out, f), { force: true });
      bar.stop();
      const settings = filterSettings(ingested.cleaning);
      const accounting = accountPrepare(ingested.files, ingested.rules, 0);
      printReport(settings, ingested.rules, accounting);
      printCounts({ users: 0, items: ingested.catalog.items, interactions: 0 });
      return {
        ...base,
        users: 0,
        items: ingested.catalog.items,
        interactions: 0,
        itemsFile,
        settings,
        accounting,
        removed: removed(ingested.rules),
      };
    }
    const built = await buildDataset(db.conn, {
      ...ingested.build,
      ...buildOverrides(flags),
      out,
      name: ingested.name,
      ingestRules: ingested.rules,
      onProgress: (p) => {
        bar.update(ingestSteps + BUILD_STAGES.indexOf(p.stage), { step: `build: ${p.stage}` });
      },
    });
    bar.update(ingestSteps + BUILD_STAGES.length, { step: "done" });
    bar.stop();
    const { users, items, interactions } = built.meta.counts;
    const settings = filterSettings(ingested.cleaning, {
      options: built.options,
      eventTypes: built.meta.eventTypes,
    });
    const accounting = accountPrepare(ingested.files, built.rules, interactions);
    printReport(settings, built.rules, accounting, built.filtered);
    console.log(`items without a kept event (not in the dataset): ${show(built.itemsLeftOut)}`);
    printCounts({ users, items, interactions });
    return {
      ...base,
      filteredFile: built.filtered.file,
      filteredMode: built.filtered.mode,
      users,
      items,
      interactions,
      sessions: built.meta.counts.sessions,
      itemsLeftOut: built.itemsLeftOut,
      settings,
      accounting,
      removed: removed(built.rules),
    };
  } finally {
    bar.stop();
    db.close();
    removeWork();
  }
}

/** Rows removed by each rule (rowsIn − kept). */
function removed(rules: RuleCount[]): Record<string, number> {
  return Object.fromEntries(rules.map((r) => [r.rule, r.rowsIn - r.kept]));
}

const show = (v: unknown) =>
  typeof v === "number" ? v.toLocaleString("en-US") : Array.isArray(v) ? v.join(",") : String(v);

/** Settings with defaults, the per-rule table and, per table read, the accounting identity. */
function printReport(
  settings: Record<string, Setting>,
  rules: RuleCount[],
  accounting: Partial<Record<string, RowAccount>>,
  filtered?: FilteredOutput,
): void {
  printColumns([
    ["setting", "value", "default"],
    ...Object.entries(settings).map(([name, s]) => [name, show(s.value), show(s.default)]),
  ]);
  console.log("");
  printColumns([
    ["rule", "rows in", "kept", "quarantined", "filtered"],
    ...rules.map((r) => [r.rule, r.rowsIn, r.kept, r.quarantined, r.filtered].map(show)),
  ]);
  console.log("");
  for (const [table, a] of Object.entries(accounting)) {
    if (!a) continue;
    console.log(
      `${table}: ${show(a.rows_read)} rows read = ${show(a.kept)} kept + ${show(a.quarantined)} quarantined + ` +
        `${show(a.filtered)} filtered`,
    );
  }
  if (filtered) {
    const how =
      filtered.mode === "rows"
        ? "one line per row"
        : `counts per user and item: more than the limit of ${show(filtered.limit)} rows`;
    console.log(`filtered rows: ${filtered.file} (${show(filtered.rows)} rows, ${how})`);
  }
}

function printCounts(counts: { users: number; items: number; interactions: number }): void {
  console.log(
    `users ${show(counts.users)} · items ${show(counts.items)} · interactions ${show(counts.interactions)}`,
  );
}

/** First column left-aligned, the others right-aligned. */
function printColumns(rows: string[][]): void {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  for (const row of rows) {
    console.log(row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  "));
  }
}
