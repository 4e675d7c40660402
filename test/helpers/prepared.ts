// Prepares a shared dataset once per test process into a temp dir through the real `seqrank prepare` CLI.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const cache = new Map<string, string>();

export function preparedDataset(preset: string): string {
  let dir = cache.get(preset);
  if (dir && existsSync(join(dir, "meta.json"))) return dir;
  dir = join(mkdtempSync(join(tmpdir(), "seqrank-data-")), preset);
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", join(repoRoot, "src/cli/index.ts"), "prepare", preset, "--out", dir],
    {
      cwd: repoRoot,
      encoding: "utf8",
    },
  );
  if (r.status !== 0) throw new Error(`prepare ${preset} failed: ${r.stderr}`);
  cache.set(preset, dir);
  return dir;
}

import { loadDataset } from "../../src/data/cache.js";
import type { EvalData } from "../../src/eval/index.js";
import { type TrainData, trainDataFrom } from "../../src/train/train-data.js";

/** The first n users of a prepared preset: their training sequences and their valid/test targets. */
export function firstUsers(preset: string, n: number): TrainData {
  const full = trainDataFrom(loadDataset(preparedDataset(preset)));
  const part = (e: EvalData): EvalData => ({
    ...e,
    users: e.users.slice(0, n),
    histories: e.histories.slice(0, n),
    targets: e.targets.slice(0, n),
  });
  return { ...full, sequences: full.sequences.slice(0, n), valid: part(full.valid), test: part(full.test) };
}
