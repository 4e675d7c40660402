// Child process of bench/serve.ts, for comparison with load.ts: autocannon at a fixed `overallRate`. autocannon
// gives each of its connections rate / connections requests per second and sends them back to back as soon as
// each second starts, so the server sees 32-way bursts, not a steady rate; its latency histogram also adds
// coordinated-omission samples at a 1 ms interval. argv as load.ts. Last line: JSON.
import { createRequire } from "node:module";
import { uniformSource } from "../../src/graph/init.js";

interface AutocannonResult {
  latency: { p50: number; p90: number; p99: number; max: number; average: number };
  requests: { average: number; total: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

const [url, template, rate, seconds, users] = process.argv.slice(2);
const random = uniformSource(7);
const CONNECTIONS = 32;
const result = await autocannon({
  url,
  connections: CONNECTIONS,
  overallRate: Number(rate),
  duration: Number(seconds),
  requests: [
    {
      setupRequest: (req: Record<string, unknown>) => ({
        ...req,
        path: template.replace("{user}", String(1 + Math.floor(random() * Number(users)))),
      }),
    },
  ],
});
process.stdout.write(
  `${JSON.stringify({
    p50_ms: result.latency.p50,
    p90_ms: result.latency.p90,
    p99_ms: result.latency.p99,
    max_ms: result.latency.max,
    rps: Math.round((result.requests.total / result.duration) * 10) / 10,
    requests: result.requests.total,
    errors: result.errors + result.timeouts + result.non2xx,
    connections: CONNECTIONS,
  })}\n`,
);
