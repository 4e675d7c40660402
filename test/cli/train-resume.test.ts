import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadSafetensors } from "../../src/graph/checkpoint.js";
import { preparedDataset, repoRoot } from "../helpers/prepared.js";

const data = preparedDataset("amazon-beauty");
const args = (out: string) => [
  "--import",
  "tsx",
  join(repoRoot, "src/cli/index.ts"),
  "train",
  data,
  "--model",
  "sasrec",
  "--out",
  out,
  "--epochs",
  "3",
  "--limit",
  "1500",
  "--threads",
  "1",
  "--no-progress",
];
const history = (out: string) =>
  (
    JSON.parse(readFileSync(join(out, "results.json"), "utf8")).history as { epoch: number; loss: number }[]
  ).map((h) => h.loss);

test("seqrank train killed with SIGKILL after its first checkpoint resumes and ends exactly like an uninterrupted run", async () => {
  const straight = mkdtempSync(join(tmpdir(), "seqrank-straight-"));
  assert.equal(spawnSync(process.execPath, args(straight), { cwd: repoRoot }).status, 0);

  const killed = mkdtempSync(join(tmpdir(), "seqrank-killed-"));
  const child = spawn(process.execPath, args(killed), { cwd: repoRoot, stdio: "ignore" });
  const checkpoint = join(killed, "checkpoints", "last.safetensors");
  while (!existsSync(checkpoint)) await new Promise((r) => setTimeout(r, 100));
  child.kill("SIGKILL");
  await new Promise((r) => child.on("exit", r));
  assert.ok(!existsSync(join(killed, "results.json")), "the run was killed before finishing");
  const epochsBefore = JSON.parse(loadSafetensors(checkpoint).metadata.progress).epoch;
  assert.ok(epochsBefore >= 1 && epochsBefore < 3);

  assert.equal(spawnSync(process.execPath, args(killed), { cwd: repoRoot }).status, 0);
  assert.deepEqual(history(killed), history(straight));
});
