// `npm run bench -- faults`: the hardening issue's attack, run from outside against real `seqrank` processes
// (a SASRec trained for one short epoch on movielens-100k, served from a registry with a write and a read key):
// hostile events, ids and requests, damaged checkpoints, registries and database files, a failed hot swap,
// a Redis stopped and restarted under load, and kill -9 under load. Last line: one JSON object with
// `cases`, `responses_5xx`, `crashes`, `silent_loads`, `acked_lost` (all zero is the goal) and `failed`
// (the cases whose expectation did not hold, with what was seen).
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot as repo, type ServeProcess, serveProcess } from "./seqrank-process.js";

const cli = join(repo, "bin/seqrank.js");
const work = mkdtempSync(join(tmpdir(), "seqrank-faults-"));
const WRITE = "faults-write-key-0123456789";
const READ = "faults-read-key-0123456789ab";
const DAY = 86_400_000;

const totals = { cases: 0, responses_5xx: 0, crashes: 0, silent_loads: 0, acked_lost: 0 };
const failed: Array<{ case: string; seen: string }> = [];

function record(name: string, ok: boolean, seen: string, kind?: "silent_loads" | "crashes"): void {
  totals.cases++;
  if (ok) return;
  failed.push({ case: name, seen });
  if (kind) totals[kind]++;
  console.error(`FAIL ${name}: ${seen}`);
}

function run(args: string[], timeoutMs = 600_000) {
  return spawnSync(process.execPath, [cli, ...args], { cwd: repo, encoding: "utf8", timeout: timeoutMs });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

type Server = ServeProcess;

/** `seqrank serve` on a free port, quiet logs, with `args` and extra environment. */
const serve = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  serveProcess(["--port", "0", "--log-level", "warn", ...args], { env });

async function waitReady(url: string, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const r = await fetch(`${url}/readyz`).catch(() => undefined);
    if (r?.status === 200) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready after ${ms} ms`);
}

interface Reply {
  status: number;
  body: unknown;
  headers: Headers;
}

async function http(url: string, path: string, init: RequestInit & { key?: string } = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
  if (init.key) headers["x-api-key"] = init.key;
  if (init.body !== undefined && !headers["content-type"]) headers["content-type"] = "application/json";
  const r = await fetch(`${url}${path}`, { ...init, headers });
  const text = await r.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  // A dependency outage may answer 503 with Retry-After; any other 5xx counts.
  if (r.status >= 500 && !(r.status === 503 && r.headers.get("retry-after"))) totals.responses_5xx++;
  return { status: r.status, body, headers: r.headers };
}

const post = (url: string, body: unknown, key = WRITE) =>
  http(url, "/v1/events", { method: "POST", body: JSON.stringify(body), key });

/** Every number anywhere in a JSON value is finite (JSON cannot carry NaN, but a 500 or a null can hide one). */
function finiteScores(body: unknown): boolean {
  const items = (body as { items?: Array<{ score?: unknown }> }).items;
  return Array.isArray(items) && items.every((i) => typeof i.score === "number" && Number.isFinite(i.score));
}

function errorShaped(r: Reply): boolean {
  const b = r.body as { statusCode?: unknown; code?: unknown; message?: unknown };
  return (
    typeof b === "object" &&
    b !== null &&
    b.statusCode === r.status &&
    typeof b.code === "string" &&
    b.code.startsWith("SR_ERR_") &&
    typeof b.message === "string"
  );
}

const expect400 = (name: string, r: Reply) =>
  record(name, r.status === 400 && errorShaped(r), `${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);

// ---- the model: one short epoch of SASRec on movielens-100k, exported into a registry -------------------------
const dataDir = join(work, "ml100k");
const runDir = join(work, "run");
const registry = join(work, "registry");
function setup(): void {
  const steps: string[][] = [
    ["prepare", "movielens-100k", "--out", dataDir],
    [
      "train",
      dataDir,
      "--model",
      "sasrec",
      "--epochs",
      "1",
      "--dim",
      "16",
      "--blocks",
      "1",
      "--max-len",
      "20",
    ].concat(["--threads", "2", "--no-progress", "--out", runDir]),
    ["export", runDir, "--registry", registry, "--as", "v1"],
  ];
  for (const s of steps) {
    const r = run(s);
    if (r.status !== 0) throw new Error(`seqrank ${s.join(" ")} failed: ${r.stderr.slice(-800)}`);
  }
  for (const v of ["v2", "v3", "v4"]) cpSync(join(registry, "v1"), join(registry, v), { recursive: true });
  writeFileSync(join(registry, "current"), "v1\n");
  // v2: 4 KB of random bytes inside the encoder; v3: a NaN row in the item vectors; v4 stays valid.
  const encoder = join(registry, "v2", "encoder.onnx");
  const bytes = readFileSync(encoder);
  randomBytes(4096).copy(bytes, Math.floor(bytes.length / 2));
  writeFileSync(encoder, bytes);
  const vectors = join(registry, "v3", "item_vectors.f32");
  const v = readFileSync(vectors);
  v.writeFloatLE(Number.NaN, 64);
  v.writeFloatLE(Number.POSITIVE_INFINITY, 68);
  writeFileSync(vectors, v);
}

const keyArgs = ["--api-key", `${WRITE}:read,write`, "--api-key", `${READ}:read`];

async function hostileRequests(url: string): Promise<void> {
  const now = Date.now();
  // 1. time
  expect400(
    "ts 3 years ahead",
    await post(url, { user_id: "attacker", item_id: "400", ts: now + 3 * 365 * DAY }),
  );
  expect400("ts 1e300", await post(url, { user_id: "attacker", item_id: "400", ts: 1e300 }));
  expect400(
    "ts before 1970 (ISO)",
    await post(url, { user_id: "attacker", item_id: "400", ts: "1969-07-20T20:17:00Z" }),
  );
  expect400(
    "ts not a date",
    await post(url, { user_id: "attacker", item_id: "400", ts: "2024-02-30T25:00:00Z" }),
  );
  const rec = await http(url, "/v1/users/fresh-user-1/recommendations", { key: READ });
  record("recommendations after the attack", rec.status === 200 && finiteScores(rec.body), `${rec.status}`);
  const sim = await http(url, "/v1/items/50/similar", { key: READ });
  record("similar items after the attack", sim.status === 200 && finiteScores(sim.body), `${sim.status}`);
  const leap = await post(url, {
    user_id: "leap",
    item_id: "50",
    ts: "2016-12-31T23:59:60Z",
    event_id: "leap-1",
  });
  record(
    "leap second is stored",
    leap.status === 200 && (leap.body as { stored?: number }).stored === 1,
    JSON.stringify(leap.body),
  );
  // 2. backdated events take their place in time order
  await post(url, { user_id: "backdated", item_id: "100", ts: now - 1000 });
  await post(url, { user_id: "backdated", item_id: "200", ts: now - 5000 });
  const seq = await http(url, "/v1/users/backdated/sequence", { key: READ });
  const items = (seq.body as { items?: string[] }).items ?? [];
  record("backdated event in time order", items.join(",") === "200,100", JSON.stringify(seq.body));
  // 3. types and unknown items
  expect400("unknown event type", await post(url, { user_id: "u", item_id: "50", type: "teleport" }));
  const unknown = await post(url, {
    events: Array.from({ length: 500 }, (_, i) => ({ user_id: "ghost", item_id: `nope-${i}` })),
  });
  // Stored (the event log keeps them), but outside the history recommendations use: ghost gets what a new user gets.
  const ghost = await http(url, "/v1/users/ghost/recommendations?k=10", { key: READ });
  const fresh = await http(url, "/v1/users/never-seen-user/recommendations?k=10", { key: READ });
  const ids = (r: Reply) =>
    JSON.stringify((r.body as { items?: Array<{ id: string }> }).items?.map((i) => i.id));
  record(
    "unknown items kept out of the history recommendations use",
    unknown.status === 200 && ghost.status === 200 && ids(ghost) === ids(fresh),
    `${unknown.status} ${ghost.status} ${ids(ghost)?.slice(0, 120)} vs ${ids(fresh)?.slice(0, 120)}`,
  );
  // 8. auth and exposure
  for (const path of [
    "/v1/users/u/events",
    "/v1/users/u/sequence",
    "/metrics",
    "/v1/model",
    "/v1/users/u/recommendations",
  ]) {
    const r = await http(url, path);
    record(`anonymous ${path} refused`, r.status === 401 && errorShaped(r), `${r.status}`);
  }
  let limited = 0;
  let retryAfter = 0;
  for (let i = 0; i < 200; i++) {
    const r = await http(url, "/v1/model", { key: `wrong-key-${i}-0123456789` });
    if (r.status === 429) limited++;
    retryAfter = Math.max(retryAfter, Number(r.headers.get("retry-after") ?? 0));
  }
  record("wrong keys are rate-limited", limited > 0, `${limited} of 200 got 429`);
  // The guesses locked this address out (valid keys too, or the lockout would leak which key is right): wait.
  await new Promise((r) => setTimeout(r, (retryAfter + 1) * 1000));
  const page = await http(url, "/");
  const h = page.headers;
  record(
    "security headers",
    !!h.get("content-security-policy") &&
      !!h.get("x-frame-options") &&
      h.get("x-content-type-options") === "nosniff" &&
      !!h.get("referrer-policy"),
    [...h.keys()].join(","),
  );
  // 9. ids and error shape
  for (const [name, id] of [
    ["lone surrogate", "a\ud800b"],
    ["zero-width", "a\u200bb"],
    ["bidi override", "\u202eabc"],
    ["whitespace only", "   "],
    ["control", "a\u0007b"],
  ] as const)
    expect400(`user id: ${name}`, await post(url, { user_id: id, item_id: "50" }));
  expect400(
    "props key 100k chars",
    await post(url, { user_id: "u", item_id: "50", props: { ["k".repeat(100_000)]: 1 } }),
  );
  const proto = await http(url, "/v1/events", {
    method: "POST",
    body: '{"user_id":"u","item_id":"50","__proto__":{"x":1}}',
    key: WRITE,
  });
  record("__proto__ body: coded 400", proto.status === 400 && errorShaped(proto), JSON.stringify(proto.body));
  const odd: Array<[string, RequestInit & { key?: string }]> = [
    ["/v1/users/%E0%A4%A/sequence", { key: READ }],
    ["/v1/nope", { key: READ }],
    ["/v1/events", { method: "PUT", body: "{}", key: WRITE }],
    ["/v1/events", { method: "POST", body: "user=u", headers: { "content-type": "text/plain" }, key: WRITE }],
    ["/v1/events", { method: "POST", body: "{", key: WRITE }],
    ["/v1/events", { method: "POST", body: "[]", key: WRITE }],
    ["/v1/users/u/events?limit=abc", { key: READ }],
    ["/v1/users/u/recommendations?k=-5", { key: READ }],
    ["/v1/admin/model", { method: "POST", body: '{"version":"../../etc"}', key: WRITE }],
  ];
  for (const [path, init] of odd) {
    const r = await http(url, path, init);
    record(
      `error shape ${init.method ?? "GET"} ${path}`,
      r.status >= 400 && r.status < 500 && errorShaped(r),
      `${r.status} ${JSON.stringify(r.body).slice(0, 160)}`,
    );
  }
}

async function hotSwap(url: string): Promise<void> {
  const activate = (version: string) =>
    http(url, "/v1/admin/model", { method: "POST", body: JSON.stringify({ version }), key: WRITE });
  const served = async () =>
    ((await http(url, "/v1/model", { key: READ })).body as { version?: string }).version;
  const current = () => readFileSync(join(registry, "current"), "utf8").trim();
  for (const bad of ["v2", "v3"]) {
    const r = await activate(bad);
    const refused =
      r.status >= 400 && errorShaped(r) && (r.body as { code: string }).code !== "SR_ERR_INTERNAL";
    record(
      `damaged ${bad} refused with a coded reason`,
      refused,
      `${r.status} ${JSON.stringify(r.body).slice(0, 200)}`,
      refused ? undefined : "silent_loads",
    );
    const s = await served();
    record(
      `after refusing ${bad}: served and current still v1`,
      s === "v1" && current() === "v1",
      `served ${s}, current ${current()}`,
    );
  }
  const ok = await activate("v4");
  const s = await served();
  record(
    "a valid swap after failed ones",
    ok.status === 200 && s === "v4" && current() === "v4",
    `${ok.status} served ${s} current ${current()}`,
  );
}

async function damagedFiles(): Promise<void> {
  // --model given a training run directory serves that run.
  try {
    const s = await serve(["--model", runDir, "--data", dataDir, ...keyArgs]);
    await waitReady(s.url);
    const m = (await http(s.url, "/v1/model", { key: READ })).body as { name?: string };
    const ready = JSON.stringify((await http(s.url, "/readyz")).body);
    record(
      "--model <run dir> serves the run",
      m.name === "sasrec" && ready.includes("sasrec"),
      `${m.name} ${ready.slice(0, 200)}`,
    );
    await s.stop();
  } catch (err) {
    record("--model <run dir> serves the run", false, String(err).slice(0, 200));
  }
  // Checkpoints: evaluate on a truncated best.safetensors must fail with a coded error naming the file.
  const damaged = join(work, "run-damaged");
  cpSync(runDir, damaged, { recursive: true });
  const best = spawnSync("find", [damaged, "-name", "best*.safetensors"], { encoding: "utf8" })
    .stdout.trim()
    .split("\n")[0];
  if (best) {
    truncateSync(best, Math.floor(statSync(best).size / 2));
    const r = run(["evaluate", damaged]);
    const named = r.status !== 0 && /SR_ERR_/.test(r.stderr) && r.stderr.includes("safetensors");
    record(
      "evaluate on a truncated checkpoint",
      named,
      `exit ${r.status}: ${(r.stdout + r.stderr).slice(-200)}`,
      named ? undefined : "silent_loads",
    );
  } else record("evaluate on a truncated checkpoint", false, "no best checkpoint found in the run");
  // Database files: a 0-byte file and a foreign SQLite database are refused at start.
  const empty = join(work, "empty.db");
  writeFileSync(empty, "");
  const foreign = join(work, "foreign.db");
  spawnSync("python3", [
    "-c",
    `import sqlite3; c=sqlite3.connect(${JSON.stringify(foreign)}); c.execute('create table orders(id int)'); c.commit()`,
  ]);
  for (const [name, args] of [
    ["0-byte database", ["--db", empty]],
    ["foreign database", ["--db", foreign]],
    ["mistyped --model", ["--model", join(work, "no-such-run")]],
  ] as const) {
    try {
      const s = await serve([...args, ...keyArgs]);
      await s.stop();
      record(name, false, "the service started", "silent_loads");
    } catch (err) {
      record(name, /SR_ERR_/.test(String(err)), String(err).slice(0, 200));
    }
  }
}

/** Concurrent single-event posts (retried with the same event_id on a 503); returns the acknowledged ids by user. */
let ackedSoFar = 0;

/** The raw ids of a prepared vocabulary (`dense<TAB>raw` rows after a header line). */
const rawIds = (tsv: string) =>
  readFileSync(tsv, "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => line.split("\t")[1]);

async function load(
  server: Server,
  users: number,
  perUser: number,
  during: () => Promise<void>,
  onRefused: () => void = () => {},
) {
  ackedSoFar = 0;
  const url = server.url;
  const acked = new Map<string, Set<string>>();
  const items = rawIds(join(dataDir, "items.tsv")).slice(1, 200);
  const t0 = Date.now() - 3_600_000;
  const worker = async (u: number) => {
    const user = `load-${u}`;
    acked.set(user, new Set());
    for (let i = 0; i < perUser; i++) {
      const event = {
        user_id: user,
        item_id: items[(u * 7 + i) % items.length],
        ts: t0 + i * 1000,
        event_id: `${user}-${i}`,
      };
      for (let attempt = 0; attempt < 200; attempt++) {
        if (server.exited()) return;
        const r = await post(url, event).catch(() => undefined);
        if (r?.status === 200) {
          acked.get(user)!.add(event.event_id);
          ackedSoFar++;
          break;
        }
        // Only an outage (503), a rate limit or a lost connection is worth retrying; any other answer is a bug.
        if (r && r.status !== 503 && r.status !== 429) {
          record(
            `load event ${event.event_id} answered`,
            false,
            `${r.status} ${JSON.stringify(r.body).slice(0, 160)}`,
          );
          break;
        }
        onRefused();
        await new Promise((res) => setTimeout(res, 50));
      }
    }
  };
  await Promise.all([...Array.from({ length: users }, (_, u) => worker(u)), during()]);
  return acked;
}

async function lostEvents(
  url: string,
  acked: Map<string, Set<string>>,
  checkSequences: boolean,
): Promise<number> {
  let lost = 0;
  for (const [user, ids] of acked) {
    const events = (await http(url, `/v1/users/${user}/events?limit=1000`, { key: READ })).body as {
      events?: Array<{ event_id: string }>;
    };
    const stored = new Set(events.events?.map((e) => e.event_id));
    for (const id of ids) if (!stored.has(id)) lost++;
    if (checkSequences) {
      const seq = (await http(url, `/v1/users/${user}/sequence`, { key: READ })).body as { items?: string[] };
      lost += Math.max(0, ids.size - (seq.items?.length ?? 0));
    }
  }
  return lost;
}

async function redisOutage(): Promise<void> {
  const port = await freePort();
  const startRedis = () =>
    spawnSync("redis-server", [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--daemonize",
      "yes",
      "--dir",
      work,
    ]);
  startRedis();
  await new Promise((r) => setTimeout(r, 300));
  const db = join(work, "outage.db");
  const s = await serve([
    "--db",
    db,
    "--redis",
    `redis://127.0.0.1:${port}`,
    "--model",
    registry,
    "--data",
    dataDir,
    ...keyArgs,
  ]);
  await waitReady(s.url);
  // Users seeded from the dataset: their sequences must come back after Redis restarts empty.
  const seeded = rawIds(join(dataDir, "users.tsv")).slice(1, 11);
  const before = new Map<string, string>();
  for (const u of seeded)
    before.set(u, JSON.stringify((await http(s.url, `/v1/users/${u}/sequence`, { key: READ })).body));
  let refused = 0;
  const acked = await load(
    s,
    20,
    150,
    async () => {
      // Stop Redis once the load is well under way, so writes are in flight when it goes.
      while (ackedSoFar < 300) await new Promise((r) => setTimeout(r, 50));
      spawnSync("redis-cli", ["-p", String(port), "shutdown", "nosave"]);
      await new Promise((r) => setTimeout(r, 4000));
      startRedis();
    },
    () => {
      refused++;
    },
  );
  await new Promise((r) => setTimeout(r, 3000)); // the rebuild of an emptied Redis
  record(
    "Redis outage hit writes in flight",
    refused > 0,
    "no write was refused: the outage missed the load",
  );
  const lost = await lostEvents(s.url, acked, true);
  totals.acked_lost += lost;
  record(
    "Redis stopped and restarted under load: acknowledged = stored = in sequences",
    lost === 0,
    `${lost} lost`,
  );
  let wiped = 0;
  for (const u of seeded) {
    const after = JSON.stringify((await http(s.url, `/v1/users/${u}/sequence`, { key: READ })).body);
    if (after !== before.get(u)) wiped++;
  }
  record(
    "seeded sequences rebuilt after Redis restarted empty",
    wiped === 0,
    `${wiped} of ${seeded.length} differ`,
  );
  record("Redis outage: the service stayed up", !s.exited(), "the server exited", "crashes");
  await s.stop();
  spawnSync("redis-cli", ["-p", String(port), "shutdown", "nosave"]);
}

async function killUnderLoad(): Promise<void> {
  const db = join(work, "kill.db");
  const args = ["--db", db, "--model", registry, "--data", dataDir, ...keyArgs];
  const s = await serve(args);
  await waitReady(s.url);
  const acked = await load(s, 20, 1000, async () => {
    await new Promise((r) => setTimeout(r, 3000));
    await s.stop("SIGKILL");
  });
  const again = await serve(args);
  await waitReady(again.url);
  const lost = await lostEvents(again.url, acked, false);
  totals.acked_lost += lost;
  record(
    "kill -9 under load: every acknowledged event stored",
    lost === 0,
    `${lost} of ${[...acked.values()].reduce((a, s) => a + s.size, 0)} lost`,
  );
  await again.stop();
}

try {
  setup();
  const main = await serve([
    "--db",
    join(work, "main.db"),
    "--model",
    registry,
    "--data",
    dataDir,
    ...keyArgs,
  ]);
  await waitReady(main.url);
  await hostileRequests(main.url);
  await hotSwap(main.url);
  record("main service survived every request", !main.exited(), "the server exited", "crashes");
  await main.stop();
  await damagedFiles();
  await redisOutage();
  await killUnderLoad();
} finally {
  if (existsSync(work)) rmSync(work, { recursive: true, force: true });
}
console.log(JSON.stringify({ ...totals, failed }));
