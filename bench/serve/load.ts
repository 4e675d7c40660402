// Child process of bench/serve.ts: open-loop load at a constant arrival rate, like wrk2. Request i is due at
// t0 + i / rate whatever the server does, and its latency is counted from that due time, so a slow server
// (or a late client) cannot hide queueing (no coordinated omission). Each request asks for a user drawn
// uniformly from all users. argv: <baseUrl> <pathTemplate with {user}> <rate> <seconds> <users>
// [connections]. Last stdout line: JSON with percentiles, achieved rate, errors, this process's CPU use and
// its own lag (how late each request left after its due time: a latency percentile no better than the
// lag's says the generator, not the server, limits the measurement) and its event loop's delay p99 (which
// also delays reading responses).
import { Agent, request } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { uniformSource } from "../../src/graph/init.js";

const [url, template, rateArg, secondsArg, usersArg, connectionsArg = "64"] = process.argv.slice(2);
const rate = Number(rateArg);
const total = Math.round(rate * Number(secondsArg));
const users = Number(usersArg);
const connections = Number(connectionsArg);
const TIMEOUT_MS = 5000;

const agent = new Agent({ keepAlive: true, maxSockets: connections });
const { hostname, port } = new URL(url);
const random = uniformSource(7);
const latencies = new Float64Array(total);
const lags = new Float64Array(total);
let sent = 0;
let done = 0;
let errors = 0;

function fire(dueAt: number, slot: number, onDone: () => void): void {
  const path = template.replace("{user}", String(1 + Math.floor(random() * users)));
  const req = request({ agent, hostname, port, path, timeout: TIMEOUT_MS }, (res) => {
    if (res.statusCode !== 200) errors++;
    res.resume();
    res.on("end", () => {
      latencies[slot] = performance.now() - dueAt;
      onDone();
    });
  });
  req.on("timeout", () => req.destroy(new Error("timeout")));
  req.on("error", () => {
    errors++;
    latencies[slot] = performance.now() - dueAt;
    onDone();
  });
  req.end();
}

const cpu0 = process.cpuUsage();
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
const t0 = performance.now() + 50;
await new Promise<void>((resolve) => {
  const finish = () => {
    if (++done === total) resolve();
  };
  // Wake about every millisecond and send every request that is due by now.
  const tick = () => {
    const now = performance.now();
    while (sent < total && t0 + (sent * 1000) / rate <= now) {
      const dueAt = t0 + (sent * 1000) / rate;
      lags[sent] = now - dueAt;
      fire(dueAt, sent++, finish);
    }
    if (sent < total) setTimeout(tick, 1);
  };
  setTimeout(tick, 50);
});
const elapsedS = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
loopDelay.disable();
const lifetime = process.cpuUsage();
agent.destroy();

const percentile = (sorted: Float64Array, p: number) =>
  Math.round(sorted[Math.min(total - 1, Math.floor(p * total))] * 100) / 100;
const sorted = latencies.sort();
const at = (p: number) => percentile(sorted, p);
lags.sort();
process.stdout.write(
  `${JSON.stringify({
    p50_ms: at(0.5),
    p90_ms: at(0.9),
    p99_ms: at(0.99),
    p999_ms: at(0.999),
    max_ms: at(1),
    rps: Math.round((total / elapsedS) * 10) / 10,
    requests: total,
    errors,
    connections,
    client_lag_p99_ms: percentile(lags, 0.99),
    client_max_lag_ms: percentile(lags, 1),
    client_loop_delay_p99_ms: Math.round(loopDelay.percentile(99) / 1e4) / 100,
    client_cpu_pct: Math.round(((cpu.user + cpu.system) / 1000 / (elapsedS * 1000)) * 1000) / 10,
    client_cpu_s: Math.round((lifetime.user + lifetime.system) / 1e4) / 100, // since start (startup included)
  })}\n`,
);
