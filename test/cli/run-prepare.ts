// Test helper: runs `seqrank prepare …args` in a child process (its stdout is the command's stdout).
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const datasetsDir = join(repoRoot, "..", "shared", "datasets");

// The command registered on its own program.
const runner = `import { Command } from "commander";
import { registerPrepare } from ${JSON.stringify(join(repoRoot, "src", "cli", "prepare.ts"))};
const program = new Command("seqrank");
registerPrepare(program);
program.parseAsync(process.argv.slice(1), { from: "user" }).catch((e) => { console.error(e.code + ": " + e.message); process.exit(1); });`;

/** Returns the stdout lines (the last one is the JSON summary), or rejects with stderr. */
export async function runPrepare(...args: string[]): Promise<string[]> {
  const child = spawnSync(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "-e", runner, "--", "prepare", ...args],
    { cwd: repoRoot, encoding: "utf8" },
  );
  if (child.status !== 0) throw new Error(child.stderr);
  return child.stdout.trimEnd().split("\n");
}
