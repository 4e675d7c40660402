// `npm run bench -- serve [--seconds 20] [--rate 1000] [--profile <dir>]`: the HTTP service under load from a
// second process.
//   1. amazon-beauty (prepared if missing) and SASRec trained for 2 epochs (latency model, not an accuracy run);
//   2. ANN over its item vectors: int8 vs f32 recall@10, NDCG@10 and query latency;
//   3. the server as a child process on 127.0.0.1; GET /v1/users/:id/recommendations for users drawn from all
//      22,363 users at a constant arrival rate (open loop, bench/serve/load.ts): p50/p99, req/s, errors, the
//      server's CPU time per request, its GC pauses and event-loop delay during the load (bench/serve/server.ts),
//      and the load generator's CPU use and own lag (p99 of how late requests left: a latency p99 near it is
//      the generator's, not the server's); then the same rate through autocannon (bench/serve/autocannon.ts,
//      the earlier method) for comparison;
//   4. event → changed recommendation latency (POST /v1/events, then GET until the list differs);
//   5. hybrid search over HTTP on the Beauty catalogue (p50/p95);
//   6. engine search p95 on 100k synthetic products vs @orama/orama: bench/search.ts, run as a child in this run;
//   7. the learned ranker in the live path: the same model with DeepFM re-ranking its top 100 (a registry
//      version of its own, ensureRankedModel), served by a second server, the same open-loop load at the rate
//      and at a quarter of it (`ranker_*`, `ranker_quarter_*`).
// `--profile <dir>` runs the server with --cpu-prof (profile written to <dir> when it exits).
// Last stdout line: one JSON object.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { loadServingModel, ModelRegistry } from "../src/artifact/index.js";
import { printResultLine } from "../src/util/result-line.js";
import { annComparison } from "./serve/ann.js";
import { ensureModel, ensurePrepared, ensureRankedModel, RANKED_VERSION, VERSION } from "./serve/model.js";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const flag = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = flag("seconds", 20);
const RATE = flag("rate", 1000);
const AUTOCANNON_SECONDS = 10;
const USERS = 22_363;
const profileAt = process.argv.indexOf("--profile");
const profileDir = profileAt >= 0 ? process.argv[profileAt + 1] : undefined;
const dataDir = join(repoRoot, "data", "amazon-beauty");
const work = join(repoRoot, ".tmp", "bench-serve");
const registryRoot = join(work, "runs");
const catalog = join(repoRoot, "..", "shared", "datasets", "amazon-beauty", "items.jsonl");
const WRITE = { "x-api-key": "bench-write-key-0123", "content-type": "application/json" };
const tsx = (file: string, ...args: string[]) =>
  [process.execPath, ["--import", "tsx", join(repoRoot, file), ...args]] as const;

interface Pauses {
  count: number;
  total_ms: number;
  max_ms: number;
}
/** What bench/serve/server.ts prints for "stats": its GC pauses and event-loop delay since "reset". */
interface ServerStats {
  gc_minor: Pauses;
  gc_major: Pauses;
  loop_delay_p99_ms: number;
  loop_delay_max_ms: number;
  heap_used_mb: number;
}

interface Server {
  url: string;
  proc: ChildProcess;
  /** The value of the next JSON line the server prints with this key ({"stats": …} after "stats"). */
  next<T>(key: string): Promise<T>;
}

function startServer(sqlitePath: string): Promise<Server> {
  const [cmd, args] = tsx("bench/serve/server.ts", dataDir, registryRoot, catalog, sqlitePath);
  const prof = profileDir ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : [];
  const log = openSync(join(work, "server.log"), "w"); // request logs (info level, the default)
  const proc = spawn(cmd, [...prof, ...args], { cwd: repoRoot, stdio: ["pipe", "pipe", log] });
  const waiting = new Map<string, (value: unknown) => void>();
  createInterface({ input: proc.stdout! }).on("line", (line) => {
    const key = line.startsWith('{"') ? line.slice(2, line.indexOf('"', 2)) : "";
    waiting.get(key)?.(JSON.parse(line)[key]);
    waiting.delete(key);
  });
  const next = <T>(key: string) =>
    new Promise<T>((resolve) => waiting.set(key, resolve as (value: unknown) => void));
  return new Promise((resolve, reject) => {
    next<string>("listening").then((url) => resolve({ url, proc, next }));
    proc.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks of 1/100 s
}

/** CPU seconds all processes have used so far (user, nice, system, irq, softirq), from /proc/stat. */
function machineCpuSeconds(): number {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).map(Number);
  return (f[1] + f[2] + f[3] + f[6] + f[7]) / 100;
}

/**
 * Runs a load generator child against the server; adds the server's CPU time per request, its GC pauses and
 * event-loop delay meanwhile, and the CPU that neither the server nor the load generator used (other
 * processes: the machine should be quiet).
 */
async function load(
  generator: "load" | "autocannon",
  server: Server,
  rate: number,
  seconds: number,
): Promise<Record<string, number>> {
  const template = "/v1/users/{user}/recommendations?k=10";
  const [cmd, args] = tsx(
    `bench/serve/${generator}.ts`,
    server.url,
    template,
    `${rate}`,
    `${seconds}`,
    `${USERS}`,
  );
  server.proc.stdin!.write("reset\n");
  const cpu0 = cpuSeconds(server.proc.pid!);
  const machine0 = machineCpuSeconds();
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  if (r.status !== 0) throw new Error(`${generator} failed`);
  const wallS = (performance.now() - t0) / 1000;
  const lines = r.stdout.trim().split("\n");
  const result = JSON.parse(lines[lines.length - 1]);
  const serverS = cpuSeconds(server.proc.pid!) - cpu0;
  const loadS = result.client_cpu_s ?? 0;
  const otherPct = ((machineCpuSeconds() - machine0 - serverS - loadS) / wallS) * 100;
  const stats = server.next<ServerStats>("stats");
  server.proc.stdin!.write("stats\n");
  const { gc_minor: minor, gc_major: major, ...loop } = await stats;
  return {
    ...result,
    ...loop,
    server_gc_minor_count: minor.count,
    server_gc_minor_total_ms: minor.total_ms,
    server_gc_minor_max_ms: minor.max_ms,
    server_gc_major_count: major.count,
    server_gc_major_total_ms: major.total_ms,
    server_gc_major_max_ms: major.max_ms,
    server_cpu_us_per_req: Math.round((serverS * 1e6) / result.requests),
    other_cpu_pct: Math.round(Math.max(0, otherPct)),
  };
}

async function stopServer(server: Server, sqlitePath: string): Promise<void> {
  server.proc.kill("SIGTERM");
  await new Promise((r) => server.proc.once("exit", r));
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${sqlitePath}${suffix}`, { force: true });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
const round = (x: number) => Math.round(x * 100) / 100;

async function getJson(url: string): Promise<{ items: Array<{ item_id: string }> }> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.json() as Promise<{ items: Array<{ item_id: string }> }>;
}

/** POST one event for a user, then GET recommendations until they differ; ms from the POST to the change. */
async function eventToChange(
  url: string,
  trials: number,
): Promise<{ p50: number; max: number; changed: number }> {
  const ms: number[] = [];
  let changed = 0;
  for (let t = 0; t < trials; t++) {
    const user = String(100 + t * 37);
    const before = (await getJson(`${url}/v1/users/${user}/recommendations?k=10`)).items.map(
      (i) => i.item_id,
    );
    const t0 = performance.now();
    const item = before[0]; // the top recommendation, now clicked
    const post = await fetch(`${url}/v1/events`, {
      method: "POST",
      headers: WRITE,
      body: JSON.stringify({ user_id: user, item_id: item, type: "click" }),
    });
    if (!post.ok) throw new Error(`POST /v1/events: ${post.status} ${await post.text()}`);
    for (let attempt = 0; attempt < 50; attempt++) {
      const after = (await getJson(`${url}/v1/users/${user}/recommendations?k=10`)).items.map(
        (i) => i.item_id,
      );
      if (after.join() !== before.join()) {
        ms.push(performance.now() - t0);
        changed++;
        break;
      }
    }
  }
  ms.sort((a, b) => a - b);
  return { p50: round(percentile(ms, 0.5)), max: round(ms[ms.length - 1]), changed };
}

const QUERIES =
  "shampoo,nail polish,lipstick,moisturizer,hair oil,eye shadow,face cream,conditioner,mascara,brush,sunscreen spf,perfume,lotion,serum,mask".split(
    ",",
  );
async function httpSearch(url: string, n: number): Promise<{ p50: number; p95: number }> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const q = encodeURIComponent(QUERIES[i % QUERIES.length]);
    const user = i % 2 === 0 ? `&user=${1 + ((i * 131) % 22363)}` : "";
    const t0 = performance.now();
    const res = await fetch(`${url}/v1/search?q=${q}&k=10${user}`);
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`search: ${res.status}`);
    if (i >= 20) ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { p50: round(percentile(ms, 0.5)), p95: round(percentile(ms, 0.95)) };
}

async function main(): Promise<void> {
  mkdirSync(work, { recursive: true });
  ensurePrepared(repoRoot, dataDir);
  const trained = await ensureModel(dataDir, registryRoot);
  console.log(trained.trained ? `trained ${VERSION}` : `reusing ${VERSION} from ${registryRoot}`);

  const model = await loadServingModel(new ModelRegistry(registryRoot).dir(VERSION));
  const ann = await annComparison(model, dataDir);
  await model.dispose?.();
  console.log("ANN:", JSON.stringify(ann));

  await ensureRankedModel(dataDir, registryRoot);
  const sqlitePath = join(work, `store-${process.pid}.db`);
  const t0 = performance.now();
  const server = await startServer(sqlitePath);
  const startupS = (performance.now() - t0) / 1000;
  console.log(`server up at ${server.url} in ${startupS.toFixed(1)} s`);
  let rec: Record<string, number>;
  let burst: Record<string, number>;
  let change: Awaited<ReturnType<typeof eventToChange>>;
  let search: Awaited<ReturnType<typeof httpSearch>>;
  try {
    await load("load", server, RATE, 3); // warm-up
    rec = await load("load", server, RATE, SECONDS);
    console.log(`recommendations at ${RATE} req/s for ${SECONDS} s (open loop):`, JSON.stringify(rec));
    burst = await load("autocannon", server, RATE, AUTOCANNON_SECONDS);
    console.log(`the same through autocannon for ${AUTOCANNON_SECONDS} s:`, JSON.stringify(burst));
    change = await eventToChange(server.url, 30);
    console.log("event → changed recommendations:", JSON.stringify(change));
    search = await httpSearch(server.url, 520);
    console.log("HTTP hybrid search on Beauty:", JSON.stringify(search));
  } finally {
    await stopServer(server, sqlitePath);
  }

  const registry = new ModelRegistry(registryRoot);
  registry.activate(RANKED_VERSION);
  const rankedPath = join(work, `store-ranked-${process.pid}.db`);
  const rankedServer = await startServer(rankedPath);
  let ranked: Record<string, number>;
  let rankedQuarter: Record<string, number>;
  try {
    await load("load", rankedServer, RATE, 3); // warm-up
    ranked = await load("load", rankedServer, RATE, SECONDS);
    console.log(
      `with the learned ranker (DeepFM over 100 candidates) at ${RATE} req/s:`,
      JSON.stringify(ranked),
    );
    rankedQuarter = await load("load", rankedServer, RATE / 4, SECONDS);
    console.log(`with the learned ranker at ${RATE / 4} req/s:`, JSON.stringify(rankedQuarter));
  } finally {
    await stopServer(rankedServer, rankedPath);
    registry.activate(VERSION);
  }

  console.log("engine search on 100k synthetic products vs Orama (bench/search.ts) …");
  const [cmd, args] = tsx("bench/search.ts", "--docs", "100000", "--queries", "500");
  const s = spawnSync(cmd, args, {
    cwd: repoRoot,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 1 << 26,
  });
  if (s.status !== 0) throw new Error("bench/search.ts failed");
  const searchLines = s.stdout.trim().split("\n");
  const engine = JSON.parse(searchLines[searchLines.length - 1]);

  printResultLine({
    model: VERSION,
    model_note: "SASRec d=64 trained 2 epochs on amazon-beauty: a latency model, not an accuracy result",
    rate: RATE,
    seconds: SECONDS,
    rec_p50_ms: rec.p50_ms,
    rec_p99_ms: rec.p99_ms,
    rec_p999_ms: rec.p999_ms,
    rec_max_ms: rec.max_ms,
    rec_rps: rec.rps,
    errors: rec.errors,
    server_cpu_us_per_req: rec.server_cpu_us_per_req,
    server_gc_minor_count: rec.server_gc_minor_count,
    server_gc_minor_total_ms: rec.server_gc_minor_total_ms,
    server_gc_minor_max_ms: rec.server_gc_minor_max_ms,
    server_gc_major_count: rec.server_gc_major_count,
    server_gc_major_total_ms: rec.server_gc_major_total_ms,
    server_gc_major_max_ms: rec.server_gc_major_max_ms,
    server_loop_delay_p99_ms: rec.loop_delay_p99_ms,
    server_loop_delay_max_ms: rec.loop_delay_max_ms,
    server_heap_used_mb: rec.heap_used_mb,
    load_connections: rec.connections,
    load_cpu_pct: rec.client_cpu_pct,
    load_lag_p99_ms: rec.client_lag_p99_ms,
    load_max_lag_ms: rec.client_max_lag_ms,
    load_loop_delay_p99_ms: rec.client_loop_delay_p99_ms,
    other_cpu_pct: rec.other_cpu_pct,
    autocannon_p50_ms: burst.p50_ms,
    autocannon_p99_ms: burst.p99_ms,
    autocannon_rps: burst.rps,
    autocannon_errors: burst.errors,
    event_to_change_p50_ms: change.p50,
    event_to_change_max_ms: change.max,
    event_changed: `${change.changed}/30`,
    http_search_p50_ms: search.p50,
    http_search_p95_ms: search.p95,
    search_docs: engine.docs,
    search_p95_ms: engine.search_p95_ms,
    orama_search_p95_ms: engine.orama_search_p95_ms,
    server_startup_s: round(startupS),
    ranker_model: RANKED_VERSION,
    ranker_candidates: 100,
    ranker_rec_p50_ms: ranked.p50_ms,
    ranker_rec_p99_ms: ranked.p99_ms,
    ranker_rec_rps: ranked.rps,
    ranker_errors: ranked.errors,
    ranker_server_cpu_us_per_req: ranked.server_cpu_us_per_req,
    ranker_load_lag_p99_ms: ranked.client_lag_p99_ms,
    ranker_quarter_rate: RATE / 4,
    ranker_quarter_p50_ms: rankedQuarter.p50_ms,
    ranker_quarter_p99_ms: rankedQuarter.p99_ms,
    ranker_quarter_rps: rankedQuarter.rps,
    ranker_quarter_errors: rankedQuarter.errors,
    ...ann,
  });
}

await main();
