// `seqrank compare <dir…>`: side-by-side metrics of saved runs (each dir holds a results.json),
// printed as a text table and written as a self-contained HTML page.
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { compareRuns, formatComparison, renderComparisonHtml } from "../eval/index.js";
import { SeqrankError } from "../util/errors.js";
import { printResultLine } from "../util/result-line.js";

export function registerCompare(program: Command): void {
  program
    .command("compare")
    .description("compare saved runs side by side (reads <dir>/results.json)")
    .argument("<dirs...>", "run directories")
    .option("--split <split>", "which metrics to compare: test or valid", "test")
    .option("--html <file>", "where to write the HTML comparison", "compare.html")
    .action((dirs: string[], opts: { split: string; html: string }) => {
      if (opts.split !== "test" && opts.split !== "valid") {
        throw new SeqrankError("SR_ERR_CLI_ARG", `--split must be test or valid, got "${opts.split}"`);
      }
      const table = compareRuns(dirs, opts.split);
      const html = resolve(opts.html);
      writeFileSync(html, renderComparisonHtml(table));
      console.log(formatComparison(table));
      const best: Record<string, string> = {};
      for (const row of table.rows) if (row.best !== null) best[row.metric] = table.runs[row.best].name;
      printResultLine({
        command: "compare",
        split: table.split,
        runs: table.runs.map((r) => r.name),
        html,
        best,
        warnings: table.warnings,
      });
    });
}
