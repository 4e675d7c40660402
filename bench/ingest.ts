// `npm run bench -- ingest [--seconds 10] [--rates 1000,2000,3000,5000,8000] [--profile <dir>]`: event ingest over
// HTTP, the service (`seqrank serve`, popularity only, the amazon-beauty catalogue, a write key, no rate
// limit) as a child process on a fresh SQLite file and the load from a second process
// (bench/ingest/post-load.ts):
//   1. group commit on (the default): single-event POSTs at each offered rate, open loop (latency from each
//      request's due time), until a rate is not kept up with (< 98% of it acknowledged per second, or
//      errors); the highest rate kept up with at p99 ≤ 20 ms is `events_per_s`; then single events as fast
//      as 128 connections go (capacity), then batches of 100 events as fast as 16 connections go;
//   2. kill -9 under load: the server is killed mid-run at the highest rate kept up with, restarted on the
//      same file, and every acknowledged event_id is looked up in it: `acked_lost`;
//   3. the baseline in the same run: group commit off (storage.commitBatchEvents = 1: one commit per
//      request), the same rates until one is not kept up with, and its capacity;
//   4. the floor in the same run: a bare Fastify server that stores nothing (bench/ingest/noop-server.ts)
//      under the same rates, capacity and batches: what the host and the generator allow before any work.
// Each run also reports the server's CPU time per event and, with group commit, events and requests per
// commit (from /metrics). `--profile <dir>` runs the group-commit server with --cpu-prof.
// Last stdout line: one JSON object.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { printResultLine } from "../src/util/result-line.js";
import type { LoadSpec } from "./ingest/post-load.js";
import { repoRoot, type ServeProcess, serveProcess } from "./seqrank-process.js";

const flag = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const SECONDS = Number(flag("seconds", "10"));
const RATES = flag("rates", "1000,2000,3000,5000,8000").split(",").map(Number);
const profileDir = process.argv.includes("--profile") ? flag("profile", "") : undefined;
const P99_GOAL_MS = 20;
const CAPACITY_SECONDS = 5;
const KEY = "bench-ingest-write-key-0123";
const USERS = 20_000;
const catalog = join(repoRoot, "..", "shared", "datasets", "amazon-beauty", "items.jsonl");
const ITEMS = readFileSync(catalog, "utf8").trim().split("\n").length;
const work = mkdtempSync(join(tmpdir(), "seqrank-bench-ingest-"));

type Server = ServeProcess;

/** The reference server that stores nothing (the floor). */
const noopServer = (): Promise<Server> =>
  serveProcess([], {
    nodeArgs: ["--import", "tsx"],
    script: join(repoRoot, "bench", "ingest", "noop-server.ts"),
  });

/** `seqrank serve` on `db`; resolves once it listens. */
function serve(db: string, commitBatchEvents: number, prof: string[] = []): Promise<Server> {
  const config = join(work, `config-${commitBatchEvents}.json`);
  writeFileSync(config, JSON.stringify({ storage: { commitBatchEvents } }));
  return serveProcess(
    [
      ...["--config", config, "--db", db, "--catalog", catalog, "--port", "0"],
      ...["--no-rate-limit", "--log-level", "warn"],
    ],
    { env: { SEQRANK_API_KEYS: `${KEY}:read,write,metrics` }, nodeArgs: prof },
  );
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The group-commit metrics so far (zeros without group commit). */
async function commitTotals(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`, { headers: { "x-api-key": KEY } })).text();
  const value = (name: string, log: string) =>
    Number(text.match(new RegExp(`^${name}\\{log="${log}"\\} (\\S+)$`, "m"))?.[1] ?? 0);
  return {
    commits: value("seqrank_store_commit_items_count", "events"),
    events: value("seqrank_store_commit_items_sum", "events"),
    writes: value("seqrank_store_commit_writes_total", "events"),
    eventSeconds: value("seqrank_store_commit_duration_seconds_sum", "events"),
    deltaCommits: value("seqrank_store_commit_duration_seconds_count", "deltas"),
    deltaSeconds: value("seqrank_store_commit_duration_seconds_sum", "deltas"),
  };
}

type LoadResult = Record<string, number>;
let runs = 0;

/** Runs the load generator once; resolves with its result line plus the server's CPU and commit sizes. */
function generate(spec: LoadSpec): { result: Promise<LoadResult> } {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(repoRoot, "bench", "ingest", "post-load.ts"), JSON.stringify(spec)],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  child.stdout!.on("data", (d) => {
    out += d;
  });
  return {
    result: new Promise((resolve, reject) =>
      child.once("exit", (code) => {
        if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
        const lines = out.trim().split("\n");
        resolve(JSON.parse(lines[lines.length - 1]));
      }),
    ),
  };
}

async function load(
  server: Server,
  opts: Pick<LoadSpec, "rate" | "seconds" | "batch" | "connections">,
): Promise<LoadResult> {
  const before = await commitTotals(server.url);
  const cpu0 = cpuSeconds(server.proc.pid!);
  const spec = { ...opts, url: server.url, key: KEY, idPrefix: `r${runs++}`, users: USERS, items: ITEMS };
  const r = await generate(spec).result;
  const serverS = cpuSeconds(server.proc.pid!) - cpu0;
  const after = await commitTotals(server.url);
  const delta = (k: string) => after[k] - before[k];
  const commits = delta("commits");
  return {
    ...r,
    server_cpu_us_per_event: Math.round((serverS * 1e6) / Math.max(1, r.acked_events)),
    server_cpu_pct: Math.round((serverS / r.seconds) * 100),
    ...(commits > 0 && {
      events_per_commit: round(delta("events") / commits),
      requests_per_commit: round(delta("writes") / commits),
      event_commit_ms: round((delta("eventSeconds") * 1000) / commits),
      delta_commit_ms: round((delta("deltaSeconds") * 1000) / Math.max(1, delta("deltaCommits"))),
    }),
  };
}

const round = (x: number) => Math.round(x * 100) / 100;
/** ≥ 98% of the offered rate acknowledged over the whole run (a backlog's drain included), no errors. */
const keptUp = (rate: number, r: LoadResult) => r.errors === 0 && r.events_per_s >= 0.98 * rate;
const sustained = (rate: number, r: LoadResult) => keptUp(rate, r) && r.p99_ms <= P99_GOAL_MS;

/** Open-loop single-event runs at each rate (stopping after the first rate not kept up with). */
async function rateSweep(server: Server, label: string): Promise<Array<LoadResult & { rate: number }>> {
  const out: Array<LoadResult & { rate: number }> = [];
  for (const rate of RATES) {
    const r = { rate, ...(await load(server, { rate, seconds: SECONDS, batch: 1, connections: 128 })) };
    console.log(`${label} ${rate}/s offered:`, JSON.stringify(r));
    out.push(r);
    if (!keptUp(rate, r)) break;
  }
  return out;
}

const brief = ({ rate, events_per_s, p50_ms, p99_ms, errors }: LoadResult & { rate: number }) => ({
  rate,
  events_per_s,
  p50_ms,
  p99_ms,
  errors,
});
const best = (sweep: Array<LoadResult & { rate: number }>) =>
  sweep.filter((r) => sustained(r.rate, r)).at(-1);

/** kill -9 mid-load, restart on the same file, look up every acknowledged event_id. */
async function crashCheck(db: string, rate: number): Promise<{ acked: number; lost: number }> {
  const server = await serve(db, 1000);
  const ackFile = join(work, "acked.txt");
  const spec = { url: server.url, key: KEY, rate, seconds: 6, batch: 1, connections: 128 };
  const run = generate({ ...spec, idPrefix: "crash", users: USERS, items: ITEMS, ackFile });
  await new Promise((r) => setTimeout(r, 4000));
  await server.stop("SIGKILL");
  await run.result;
  const restarted = await serve(db, 1000);
  const acked = readFileSync(ackFile, "utf8").split("\n").filter(Boolean);
  const file = new Database(db, { readonly: true });
  const has = file.prepare("SELECT 1 FROM events WHERE event_id = ?").pluck();
  const lost = acked.filter((id) => has.get(id) === undefined).length;
  file.close();
  await restarted.stop();
  return { acked: acked.length, lost };
}

/** Warm-up, the rate sweep, capacity and (with `batches`) batches of 100 against one server, then stops it. */
async function measure(server: Server, label: string, warmRate: number, batches: boolean) {
  try {
    await load(server, { rate: warmRate, seconds: 2, batch: 1, connections: 128 }); // warm-up
    const sweep = await rateSweep(server, label);
    const capacity = await load(server, { rate: 0, seconds: CAPACITY_SECONDS, batch: 1, connections: 128 });
    console.log(`${label}, capacity (128 connections, closed loop):`, JSON.stringify(capacity));
    if (!batches) return { sweep, capacity };
    const batch = await load(server, { rate: 0, seconds: SECONDS, batch: 100, connections: 16 });
    console.log(`${label}, batches of 100 (16 connections, closed loop):`, JSON.stringify(batch));
    return { sweep, capacity, batch };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const loadAvg = round(loadavg()[0]);
  const prof = profileDir ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : [];
  const grouped = await measure(
    await serve(join(work, "grouped.db"), 1000, prof),
    "group commit",
    1000,
    true,
  );
  const { sweep, capacity } = grouped;
  const batch = grouped.batch!;
  const top = best(sweep);
  const crashRate = sweep.filter((r) => keptUp(r.rate, r)).at(-1)?.rate ?? RATES[0];
  const crash = await crashCheck(join(work, "grouped.db"), crashRate);
  console.log(`kill -9 at ${crashRate}/s: ${crash.lost} of ${crash.acked} acknowledged events missing`);

  const single = await serve(join(work, "single.db"), 1);
  const baseline = await measure(single, "baseline (one commit per request)", 500, false);
  const baselineSweep = baseline.sweep;
  const baselineCapacity = baseline.capacity;
  const baseTop = best(baselineSweep);

  const floor = await measure(await noopServer(), "floor (a server that stores nothing)", 1000, true);
  const floorSweep = floor.sweep;
  const floorCapacity = floor.capacity;
  const floorBatch = floor.batch!;
  rmSync(work, { recursive: true, force: true });

  const reported = top ?? sweep[0];
  printResultLine({
    events_per_s: top?.events_per_s ?? 0,
    p99_ms: reported.p99_ms,
    errors: reported.errors + capacity.errors + batch.errors,
    acked_lost: crash.lost,
    acked_in_crash_run: crash.acked,
    sustained_rate: top?.rate ?? 0,
    p99_goal_ms: P99_GOAL_MS,
    seconds: SECONDS,
    cores: availableParallelism(),
    load_avg_1m: loadAvg,
    events_per_commit: reported.events_per_commit,
    server_cpu_us_per_event: reported.server_cpu_us_per_event,
    capacity_events_per_s: capacity.events_per_s,
    capacity_p99_ms: capacity.p99_ms,
    batch_events_per_s: batch.events_per_s,
    batch_p99_ms: batch.p99_ms,
    batch_events_per_commit: batch.events_per_commit,
    baseline_events_per_s: baseTop?.events_per_s ?? 0,
    baseline_sustained_rate: baseTop?.rate ?? 0,
    baseline_capacity_events_per_s: baselineCapacity.events_per_s,
    baseline_capacity_p99_ms: baselineCapacity.p99_ms,
    speedup_sustained: baseTop ? round((top?.events_per_s ?? 0) / baseTop.events_per_s) : null,
    speedup_capacity: round(capacity.events_per_s / Math.max(1, baselineCapacity.events_per_s)),
    floor_capacity_events_per_s: floorCapacity.events_per_s,
    floor_batch_events_per_s: floorBatch.events_per_s,
    floor_server_cpu_us_per_event:
      best(floorSweep)?.server_cpu_us_per_event ?? floorSweep[0].server_cpu_us_per_event,
    sweep: sweep.map(brief),
    baseline_sweep: baselineSweep.map(brief),
    floor_sweep: floorSweep.map(brief),
  });
}

await main();
