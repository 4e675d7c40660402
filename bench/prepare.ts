// `npm run bench -- prepare [events…]`: prepares synthetic e-commerce logs (src/data/synth.ts) end to end,
// ingest (cleaning on DuckDB) + buildDataset, and reports wall time and peak RSS per size.
// Default sizes: 2M (baseline) and 20M events. Each size runs in a fresh child process, so its peak RSS
// (process.resourceUsage().maxRSS, which includes DuckDB's native memory) belongs to that size alone.
// Generated logs are cached in <tmpdir>/seqrank-bench-prepare and reused by later runs.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildDataset } from "../src/data/build.js";
import { loadDataset } from "../src/data/cache.js";
import { openDuckDB } from "../src/data/db.js";
import { ingest } from "../src/data/ingest.js";
import { writeSynth } from "../src/data/synth.js";
import { printResultLine } from "../src/util/result-line.js";

const SEED = 1;
/** DuckDB's memory_limit for the run; its buffer pool spills beyond this into the temp directory. */
const MEMORY_LIMIT = "1536MB";
const workRoot = join(tmpdir(), "seqrank-bench-prepare");

interface ChildResult {
  events: number;
  seconds: number;
  ingest_seconds: number;
  build_seconds: number;
  /** loadDataset(out) of the result, after the build. */
  load_seconds: number;
  peak_rss_mb: number;
  kept_interactions: number;
  users: number;
  items: number;
  quarantined: number;
  bots: number;
}

/** Child: prepare one config and print a ChildResult line. */
async function runChild(configPath: string, out: string): Promise<void> {
  const spec = JSON.parse(readFileSync(configPath, "utf8"));
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const db = await openDuckDB({
    path: join(out, ".bench.duckdb"),
    tempDirectory: join(out, ".duckdb-tmp"),
    memoryLimit: MEMORY_LIMIT,
  });
  const t0 = performance.now();
  const ingested = await ingest(spec, { out, conn: db.conn });
  const t1 = performance.now();
  const built = await buildDataset(db.conn, {
    ...ingested.build,
    out,
    name: ingested.name,
    ingestRules: ingested.rules,
  });
  const t2 = performance.now();
  db.close();
  const t3 = performance.now();
  loadDataset(out);
  const loadSeconds = (performance.now() - t3) / 1000;
  const result: ChildResult = {
    events: ingested.rules.find((r) => r.rule.startsWith("events."))?.rowsIn ?? 0,
    seconds: (t2 - t0) / 1000,
    ingest_seconds: (t1 - t0) / 1000,
    build_seconds: (t2 - t1) / 1000,
    load_seconds: loadSeconds,
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    kept_interactions: built.meta.counts.interactions,
    users: built.meta.counts.users,
    items: built.meta.counts.items,
    quarantined: ingested.quarantined,
    bots: ingested.bots,
  };
  printResultLine(result);
}

function synthData(events: number): { config: string; generateSeconds: number } {
  const dir = join(workRoot, `synth-${events}-seed${SEED}`);
  const config = join(dir, "prepare-config.json");
  if (existsSync(config)) return { config, generateSeconds: 0 };
  const t = performance.now();
  writeSynth(dir, { events, seed: SEED }); // writes the config last, so its presence means complete
  return { config, generateSeconds: (performance.now() - t) / 1000 };
}

function runSize(events: number): ChildResult & { events_per_s: number; generate_seconds: number } {
  const { config, generateSeconds } = synthData(events);
  const out = join(workRoot, `out-${events}`);
  const child = spawnSync(
    process.execPath,
    ["--import", "tsx", fileURLToPath(import.meta.url), "--child", config, out],
    { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8", maxBuffer: 1 << 26 },
  );
  rmSync(out, { recursive: true, force: true });
  if (child.status !== 0) throw new Error(`prepare of ${events} events failed (exit ${child.status})`);
  const lines = child.stdout.trim().split("\n");
  const r = JSON.parse(lines[lines.length - 1]) as ChildResult;
  const withRate = {
    ...r,
    events_per_s: Math.round(r.events / r.seconds),
    generate_seconds: generateSeconds,
  };
  console.error(
    `${events} events: ${r.seconds.toFixed(1)} s (ingest ${r.ingest_seconds.toFixed(1)} s, build ${r.build_seconds.toFixed(1)} s), ` +
      `${withRate.events_per_s} events/s, peak RSS ${r.peak_rss_mb} MB, loadDataset ${r.load_seconds.toFixed(2)} s`,
  );
  return withRate;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--child") return runChild(args[1], args[2]);
  const sizes = args.length > 0 ? args.map(Number) : [2_000_000, 20_000_000];
  mkdirSync(workRoot, { recursive: true });
  const results = sizes.map(runSize);
  const main = results[results.length - 1];
  printResultLine({
    ...main,
    baseline: results.length > 1 ? results[0] : undefined,
    memory_limit: MEMORY_LIMIT,
    cores: cpus().length,
    seed: SEED,
  });
}

await main();
