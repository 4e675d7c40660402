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
