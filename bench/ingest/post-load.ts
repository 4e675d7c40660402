// Child process of bench/ingest.ts: POST /v1/events load over keep-alive connections, each event with its own
// event_id. Open loop (rate > 0): request i is due at t0 + i / rate whatever the server does, and its latency
// counts from that due time, so queueing in a slow server (or a late client) is not hidden. Closed loop
// (rate 0): every connection sends its next request when the previous one is answered (capacity). Every
// connection is opened before the clock starts.
// argv[2]: JSON of LoadSpec. Last stdout line: JSON with latency percentiles, acknowledged events, errors,
// and this process's CPU use, own lag (how late requests left) and event-loop delay (which also delays
// reading answers: a latency no better than it is the generator's, not the server's). With `ackFile`, the
// acknowledged event ids are written there (one a line) for the acked_lost check.
import { writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { uniformSource } from "../../src/graph/init.js";

export interface LoadSpec {
  url: string;
  key: string;
  /** Requests per second (open loop), or 0 for a closed loop. */
  rate: number;
  seconds: number;
  /** Events per request (1: a single-event body, else {"events": [...]}). */
  batch: number;
  connections: number;
  /** event_ids are `<idPrefix>-<request>-<event>`: unique per run. */
  idPrefix: string;
  users: number;
  items: number;
  ackFile?: string;
}

const spec = JSON.parse(process.argv[2]) as LoadSpec;
const TIMEOUT_MS = 5000;
const agent = new Agent({ keepAlive: true, maxSockets: spec.connections });
const { hostname, port } = new URL(spec.url);
const headers = { "content-type": "application/json", "x-api-key": spec.key };
const random = uniformSource(11);
const pick = (n: number) => String(1 + Math.floor(random() * n));
const maxRequests = spec.rate > 0 ? Math.round(spec.rate * spec.seconds) : Number.MAX_SAFE_INTEGER;
const latencies: number[] = [];
const lags: number[] = [];
const acked: string[] = [];
let errors = 0;

function body(slot: number): { json: string; ids: string[] } {
  const events = Array.from({ length: spec.batch }, (_, j) => ({
    user_id: `u${pick(spec.users)}`,
    item_id: pick(spec.items),
    type: "view",
    event_id: `${spec.idPrefix}-${slot}-${j}`,
  }));
  const json = JSON.stringify(spec.batch === 1 ? events[0] : { events });
  return { json, ids: events.map((e) => e.event_id) };
}

/** Sends request `slot`; `since` is when its latency starts (its due time, or its send time). */
function send(slot: number, since: number): Promise<void> {
  const { json, ids } = body(slot);
  return new Promise((resolve) => {
    const req = request(
      { agent, hostname, port, path: "/v1/events", method: "POST", headers, timeout: TIMEOUT_MS },
      (res) => {
        res.resume();
        res.on("end", () => {
          latencies.push(performance.now() - since);
          if (res.statusCode === 200) acked.push(...ids);
          else errors++;
          resolve();
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => {
      errors++;
      latencies.push(performance.now() - since);
      resolve();
    });
    req.end(json);
  });
}

async function openLoop(t0: number): Promise<void> {
  const pending: Array<Promise<void>> = [];
  let sent = 0;
  await new Promise<void>((resolve) => {
    // Wake about every millisecond and send every request that is due by now.
    const tick = () => {
      const now = performance.now();
      while (sent < maxRequests && t0 + (sent * 1000) / spec.rate <= now) {
        const dueAt = t0 + (sent * 1000) / spec.rate;
        lags.push(now - dueAt);
        pending.push(send(sent++, dueAt));
      }
      if (sent < maxRequests) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  await Promise.all(pending);
}

async function closedLoop(t0: number): Promise<void> {
  const end = t0 + spec.seconds * 1000;
  let next = 0;
  const worker = async () => {
    while (performance.now() < end) await send(next++, performance.now());
  };
  await Promise.all(Array.from({ length: spec.connections }, worker));
}

/** Opens every connection first (GET /healthz on each), so no measured request waits for a connect. */
async function connect(): Promise<void> {
  const opened = Array.from(
    { length: spec.connections },
    () =>
      new Promise<void>((resolve, reject) => {
        const req = request({ agent, hostname, port, path: "/healthz" }, (res) => {
          res.resume();
          res.on("end", resolve);
        });
        req.on("error", reject);
        req.end();
      }),
  );
  await Promise.all(opened);
}

await connect();
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await (spec.rate > 0 ? openLoop(t0) : closedLoop(t0));
const elapsedS = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
loopDelay.disable();
agent.destroy();
if (spec.ackFile) writeFileSync(spec.ackFile, acked.length > 0 ? `${acked.join("\n")}\n` : "");

const sortedNumbers = (xs: number[]) => Float64Array.from(xs).sort();
const at = (sorted: Float64Array, p: number) =>
  sorted.length === 0
    ? 0
    : Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] * 100) / 100;
const lat = sortedNumbers(latencies);
const lag = sortedNumbers(lags);
process.stdout.write(
  `${JSON.stringify({
    requests: latencies.length,
    acked_events: acked.length,
    errors,
    events_per_s: Math.round(acked.length / elapsedS),
    p50_ms: at(lat, 0.5),
    p99_ms: at(lat, 0.99),
    p999_ms: at(lat, 0.999),
    max_ms: at(lat, 1),
    seconds: Math.round(elapsedS * 100) / 100,
    client_lag_p99_ms: at(lag, 0.99),
    client_max_lag_ms: at(lag, 1),
    client_loop_delay_p99_ms: Math.round(loopDelay.percentile(99) / 1e4) / 100,
    client_loop_delay_max_ms: Math.round(loopDelay.max / 1e4) / 100,
    client_cpu_pct: Math.round(((cpu.user + cpu.system) / 1000 / (elapsedS * 1000)) * 1000) / 10,
  })}\n`,
);
