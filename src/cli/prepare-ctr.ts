// `seqrank prepare` for a CTR table (a config with a "ctr" section, or a built-in protocol with --task ctr):
// the same ingest and cleaning as sequences, then the table build (src/data/ctr/prepare-ctr.ts). Prints the
// settings, the per-rule table, the accounting identity, the table's counts and columns; returns the summary.
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { CTR_BIN } from "../data/ctr/ctr-cache.js";
import { prepareCtr } from "../data/ctr/prepare-ctr.js";
import { filterSettings, type Setting } from "../data/filter-settings.js";
import type { IngestProgress } from "../data/ingest.js";
import type { IngestSpecInput } from "../data/source.js";
import { printColumns, printCounts, printReport, removed, show } from "./prepare-report.js";

export async function prepareCtrTable(
  spec: IngestSpecInput,
  out: string,
  opts: { conn: DuckDBConnection; filteredRowsLimit?: number; onProgress: (p: IngestProgress) => void },
  done: () => void,
) {
  const { ingested, built, accounting } = await prepareCtr(spec, {
    out,
    conn: opts.conn,
    onProgress: opts.onProgress,
    ...(opts.filteredRowsLimit === undefined ? {} : { filteredRowsLimit: opts.filteredRowsLimit }),
  });
  done();
  const { meta } = built;
  const settings: Record<string, Setting> = {
    ...filterSettings(ingested.cleaning),
    "ctr.rows": { value: ingested.ctr?.rows ?? "events", default: "events" },
    "ctr.split": { value: describeSplit(meta.split), default: "random 8:1:1, seed 2024" },
    filtered_rows_limit: { value: built.filtered.limit, default: 250_000 },
  };
  printReport(settings, built.rules, accounting, built.filtered);
  printCounts({ users: meta.counts.users, items: meta.counts.items, interactions: built.keptEvents });
  const labels = Object.entries(meta.labels).map(([t, l]) => `${t} ${show(l.positives)} positive`);
  console.log(
    `CTR table: ${show(meta.counts.rows)} rows (train ${show(meta.split.train)} · valid ${show(meta.split.valid)} · ` +
      `test ${show(meta.split.test)}); ${labels.join(", ")}`,
  );
  console.log("");
  printColumns([
    ["field", "kind", "of", "group", "missing"],
    ...meta.columns.map((c) => [c.name, c.kind, c.key, c.group, show(c.missing)]),
  ]);
  return {
    command: "prepare",
    task: "ctr",
    name: ingested.name,
    out,
    table: join(out, CTR_BIN),
    rows: meta.counts.rows,
    users: meta.counts.users,
    items: meta.counts.items,
    labels: Object.fromEntries(Object.entries(meta.labels).map(([t, l]) => [t, l.positives])),
    split: { train: meta.split.train, valid: meta.split.valid, test: meta.split.test },
    columns: meta.columns.map((c) => c.name),
    quarantined: ingested.quarantined,
    quarantineFile: ingested.quarantineFile,
    bots: ingested.bots,
    botsFile: ingested.botsFile,
    filteredFile: built.filtered.file,
    filteredMode: built.filtered.mode,
    settings,
    accounting,
    removed: removed(built.rules),
  };
}

function describeSplit(split: Record<string, unknown>): string {
  if (split.kind === "random") return `random ${(split.ratios as number[]).join(":")}, seed ${split.seed}`;
  return `time, valid from quantile ${split.validQuantile}, test from ${split.testQuantile}`;
}
