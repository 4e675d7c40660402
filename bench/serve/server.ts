// Child process of bench/serve.ts: the service with the recommender, on 127.0.0.1 (random port).
// argv: <dataDir> <modelDir> <catalogFile> <sqlitePath> [logLevel=info]. Prints {"listening": url} once
// /readyz would answer 200 (user vectors warmed). Logs go to stderr.
// On stdin, "reset" starts a measurement window and "stats" ends it, printing {"stats": …}: the GC pauses
// (count, total and longest, minor and major) and the event loop's delay percentiles within the window, so
// the parent can attribute latency tails to pauses in this process.

import { constants, monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { recommender } from "../../src/serve/plugins/recommender.js";
import { startServer } from "../../src/serve/server.js";

const [dataDir, modelDir, catalogFile, sqlitePath, logLevel = "info"] = process.argv.slice(2);
const server = await startServer({
  config: {
    port: 0,
    dataDir,
    modelDir,
    catalogFile,
    storage: { sqlitePath },
    logLevel: logLevel as "info",
    auth: { keys: [{ key: "bench-write-key-0123", scopes: ["read", "write"] }], publicReads: true },
    limits: { rateLimit: { enabled: false } },
  },
  plugins: [recommender({ pollMs: 0 })],
});
while (!server.app.readiness.status().ready) await new Promise((r) => setTimeout(r, 50));

/** GC pauses by kind: minor = scavenges, major = mark-compact (incremental marking steps are not pauses). */
const gc = { minor: [] as number[], major: [] as number[] };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = (e as unknown as { detail: { kind: number } }).detail.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) gc.minor.push(e.duration);
    else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.major.push(e.duration);
  }
}).observe({ entryTypes: ["gc"] });
const loopDelay = monitorEventLoopDelay({ resolution: 1 });

const round = (x: number) => Math.round(x * 100) / 100;
const summary = (ms: number[]) => ({
  count: ms.length,
  total_ms: round(ms.reduce((a, b) => a + b, 0)),
  max_ms: round(Math.max(0, ...ms)),
});
createInterface({ input: process.stdin }).on("line", (line) => {
  if (line === "reset") {
    gc.minor.length = 0;
    gc.major.length = 0;
    loopDelay.reset();
    loopDelay.enable();
  } else if (line === "stats") {
    loopDelay.disable();
    const stats = {
      gc_minor: summary(gc.minor),
      gc_major: summary(gc.major),
      loop_delay_p99_ms: round(loopDelay.percentile(99) / 1e6),
      loop_delay_max_ms: round(loopDelay.max / 1e6),
      heap_used_mb: round(process.memoryUsage().heapUsed / 2 ** 20),
    };
    process.stdout.write(`${JSON.stringify({ stats })}\n`);
  }
});
process.stdout.write(`${JSON.stringify({ listening: server.url })}\n`);
