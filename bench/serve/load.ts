// Child process of bench/serve.ts: autocannon at a fixed overall rate against one URL pattern, from a
// process of its own. argv: <baseUrl> <pathTemplate with {user}> <rate> <seconds> <users>. Last line: JSON.
import { createRequire } from "node:module";

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
let n = 0;
const result = await autocannon({
  url,
  connections: 32,
  overallRate: Number(rate),
  duration: Number(seconds),
  requests: [
    {
      setupRequest: (req: Record<string, unknown>) => {
        n = (n * 7919 + 104_729) % Number(users); // a fixed pseudo-random walk over the users
        return { ...req, path: template.replace("{user}", String(n + 1)) };
      },
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
  })}\n`,
);
