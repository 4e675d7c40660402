// Test helper: reads a shared `user item item …` sequences file straight into CSR arrays (row = line).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CsrSequences } from "../../src/eval/index.js";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const datasetsDir = join(repoRoot, "..", "shared", "datasets");

export function readSequences(dataset: string): CsrSequences {
  const lines = readFileSync(join(datasetsDir, dataset, "sequences.txt"), "utf8")
    .trim()
    .split("\n");
  const offsets = new Int32Array(lines.length + 1);
  const items: number[] = [];
  let nItems = 0;
  lines.forEach((line, row) => {
    const ids = line.trim().split(" ");
    for (let p = 1; p < ids.length; p++) {
      const item = Number(ids[p]);
      items.push(item);
      if (item > nItems) nItems = item;
    }
    offsets[row + 1] = items.length;
  });
  return { offsets, items: Int32Array.from(items), nItems };
}
