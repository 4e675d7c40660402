// `seqrank prepare <preset> --out <dir>` / `seqrank prepare --config <file.json> --out <dir>`: ingest and
// clean a behaviour log (src/data/ingest.ts), then build the prepared dataset (src/data/build.ts). Prints the
// settings of every rule that removes rows (with defaults), a per-rule table, the accounting identity
// (rows read = kept + quarantined + filtered, docs/prepare.md) and, as the last line, a JSON summary.
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import { accountPrepare } from "../data/accounting.js";
import { buildDataset } from "../data/build.js";
import { CTR_PRESETS, ctrPresetSpec } from "../data/ctr/ctr-presets.js";
import { openDuckDB } from "../data/db.js";
import { filterSettings } from "../data/filter-settings.js";
import { FILTERED_COUNTS_FILE, FILTERED_FILE } from "../data/filtered.js";
import { type IngestProgress, ingest } from "../data/ingest.js";
import { defaultDatasetsDir, PRESETS, presetSpec } from "../data/presets.js";
import type { IngestSpecInput } from "../data/source.js";
import { defined } from "../util/defined.js";
import { SeqrankError } from "../util/errors.js";
import { printResultLine } from "../util/result-line.js";
import { prepareCtrTable } from "./prepare-ctr.js";
import { printCounts, printReport, removed, show } from "./prepare-report.js";

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
  task?: string;
  protocol?: string;
  historyLen?: number;
  seed?: number;
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
    .option(
      "--task <task>",
      `sequences (default) or ctr: a CTR table (presets ${Object.keys(CTR_PRESETS).join(", ")}; a --config with a "ctr" section is one already)`,
    )
    .option(
      "--protocol <name>",
      "--task ctr, movielens-1m: threshold (every rating) | recbole (rating-3 rows filtered)",
    )
    .option(
      "--history-len <n>",
      "--task ctr presets: history items per row (movielens-1m: 0 = none)",
      number("--history-len"),
    )
    .option("--seed <n>", "--task ctr presets: seed of the random split", number("--seed"))
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
  const task = flags.task ?? "sequences";
  if (task !== "sequences" && task !== "ctr") {
    throw new SeqrankError("SR_ERR_CLI_ARG", `--task must be sequences or ctr, got "${flags.task}"`);
  }
  const ctrFlags = defined({ protocol: flags.protocol, historyLen: flags.historyLen, seed: flags.seed });
  if (Object.keys(ctrFlags).length && !(task === "ctr" && preset)) {
    const flag = { protocol: "--protocol", historyLen: "--history-len", seed: "--seed" }[
      Object.keys(ctrFlags)[0]
    ];
    throw new SeqrankError(
      "SR_ERR_CLI_ARG",
      `${flag} applies to a CTR preset (seqrank prepare <preset> --task ctr); a config sets it in its "ctr" section`,
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
    if (task === "ctr" && !spec.ctr) {
      throw new SeqrankError("SR_ERR_CONFIG", `${path}: --task ctr needs a "ctr" section in the config`);
    }
  } else {
    const datasetsDir = flags.datasets ? resolve(flags.datasets) : defaultDatasetsDir();
    spec =
      task === "ctr"
        ? ctrPresetSpec(preset!, { ...ctrFlags, datasetsDir } as Parameters<typeof ctrPresetSpec>[1])
        : presetSpec(preset!, datasetsDir);
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
  const onProgress = (p: IngestProgress) => {
    if (ingestSteps === 0) bar.start(p.total + BUILD_STAGES.length, 0, { step: p.step });
    ingestSteps = p.total;
    bar.update(p.done, { step: p.step });
  };
  const db = await openDuckDB({ path: dbPath, tempDirectory: tmp, memoryLimit: flags.memoryLimit });
  try {
    if (spec.ctr) {
      const build = Object.keys(buildOverrides(flags)).filter((k) => k !== "filteredRowsLimit");
      if (build.length) {
        throw new SeqrankError(
          "SR_ERR_CLI_ARG",
          `${build.join(", ")}: sequence build settings do not apply to a CTR table (its "ctr" section sets rows, labels and split)`,
        );
      }
      return await prepareCtrTable(
        spec,
        out,
        { conn: db.conn, onProgress, ...defined({ filteredRowsLimit: flags.filteredLimit }) },
        () => bar.stop(),
      );
    }
    const ingested = await ingest(spec, { out, conn: db.conn, onProgress });
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
      await db.conn.run(
        `COPY (SELECT * EXCLUDE (profile) FROM items) TO '${itemsFile.replace(/'/g, "''")}' (FORMAT JSON)`,
      );
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
