// `seqrank start` with no model registered answers at once with Pop of the dataset, trains SASRec in the
// background (a tiny budget here), hot-swaps it in and prints the results table; the request logs go to
// runs/seqrank.log, not the terminal. Run as `npm start` runs it: bin/seqrank.js, in a fresh working directory.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { readVocabTsv } from "../../src/data/vocab.js";
import { preparedDataset, repoRoot } from "../helpers/prepared.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(200);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

interface ModelInfo {
  name: string;
  version: string;
  source: string;
}

test("seqrank start serves Pop within 60 s, trains SASRec in the background and hot-swaps it in", async (t) => {
  const data = preparedDataset("amazon-beauty");
  const cwd = mkdtempSync(join(tmpdir(), "seqrank-start-"));
  t.after(() => rmSync(cwd, { recursive: true, force: true }));
  mkdirSync(join(cwd, "data"));
  symlinkSync(data, join(cwd, "data", "amazon-beauty"));
  const user = readVocabTsv(join(data, "users.tsv")).values[1];

  const spawned = performance.now();
  const child = spawn(
    process.execPath,
    [join(repoRoot, "bin", "seqrank.js"), "start", "--port", "0", "--epochs", "1", "--limit", "256"],
    { cwd, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (b) => {
    stdout += b;
  });
  child.stderr.on("data", (b) => {
    stderr += b;
  });
  const exited = new Promise((r) => child.on("exit", r));
  t.after(async () => {
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
  });

  const url = await until("the listening line", 60_000, async () => {
    if (child.exitCode !== null) throw new Error(`start exited ${child.exitCode}: ${stderr}`);
    const line = stdout.split("\n").find((l) => l.startsWith("{"));
    return line ? (JSON.parse(line).listening as string) : undefined;
  });
  const recs = await until("a first recommendation", 60_000, async () => {
    const res = await fetch(`${url}/v1/users/${user}/recommendations?k=10`).catch(() => undefined);
    return res?.status === 200 ? ((await res.json()) as { items: unknown[] }) : undefined;
  });
  const firstAnswer = performance.now() - spawned;
  assert.ok(recs.items.length > 0, "Pop recommends items");
  assert.ok(firstAnswer < 60_000, `first 200 after ${Math.round(firstAnswer)} ms`);
  assert.match(
    stderr.split("\n")[0],
    /^listening on http:\/\/127\.0\.0\.1:\d+\/ .*SASRec trains in the background/,
  );

  const model = async () => (await (await fetch(`${url}/v1/model`)).json()) as ModelInfo;
  const before = await model();
  assert.equal(before.name, "pop");
  assert.equal(before.source, "none");

  const after = await until("the trained model swapped in", 600_000, async () => {
    const m = await model();
    return m.name !== "pop" ? m : undefined;
  });
  const swappedAt = performance.now() - spawned;
  assert.equal(after.version, "v1");
  assert.equal(after.source, "registry");
  assert.match(after.name, /sasrec/);
  t.diagnostic(
    `first 200 after ${Math.round(firstAnswer)} ms; SASRec swapped in after ${Math.round(swappedAt)} ms`,
  );

  // The table comes once the swap is seen; the recommendations still answer, now from SASRec.
  await until("the results table", 30_000, async () =>
    /\n\s+Pop\s+\d\.\d{4}/.test(stderr) ? true : undefined,
  );
  assert.match(stderr, /SASRec v1\s+\d\.\d{4}\s+\d\.\d{4}/);
  const res = await fetch(`${url}/v1/users/${user}/recommendations?k=10`);
  assert.equal(res.status, 200);

  // Request logs went to the file, none to the terminal.
  const log = readFileSync(join(cwd, "runs", "seqrank.log"), "utf8");
  assert.match(log, /"reqId"/);
  assert.doesNotMatch(stdout + stderr, /"reqId"|"responseTime"/);
  assert.ok(existsSync(join(cwd, "runs", "registry", "v1", "model.json")));

  child.kill("SIGTERM");
  assert.equal(await exited, 0);
});
