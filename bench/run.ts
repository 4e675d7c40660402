// `npm run bench -- <name> [args]`: runs bench/<name>.ts, whose last stdout line is one JSON object,
// and saves that object to bench/results/<name>.json (`npm run results` then rebuilds docs/results.md).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const benchDir = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(benchDir)
  .filter((f) => f.endsWith(".ts") && f !== "run.ts" && f !== "results-page.ts")
  .map((f) => f.slice(0, -3));
const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name> [args]\nbenchmarks: ${available.join(", ")}`);
  process.exit(2);
}
const child = spawnSync(process.execPath, ["--import", "tsx", join(benchDir, `${name}.ts`), ...args], {
  stdio: ["inherit", "pipe", "inherit"],
  encoding: "utf8",
  maxBuffer: 1 << 28,
});
process.stdout.write(child.stdout);
if (child.status !== 0) process.exit(child.status ?? 1);
const lines = child.stdout.trim().split("\n");
const result = JSON.parse(lines[lines.length - 1]);
const resultsDir = join(benchDir, "results");
if (!existsSync(resultsDir)) mkdirSync(resultsDir);
writeFileSync(
  join(resultsDir, `${name}.json`),
  `${JSON.stringify({ ...result, measured_at: new Date().toISOString() }, null, 2)}\n`,
);
