import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Command } from "commander";
import { registerCompare } from "../../src/cli/compare.js";
import {
  compareRuns,
  formatComparison,
  type RunResultInput,
  readRunResult,
  renderComparisonHtml,
  writeRunReport,
} from "../../src/eval/index.js";
import type { SeqrankError } from "../../src/util/errors.js";

const root = mkdtempSync(join(tmpdir(), "seqrank-report-"));
after(() => rmSync(root, { recursive: true, force: true }));

const trained: RunResultInput = {
  name: "sasrec-ce",
  model: "SASRec",
  dataset: "amazon-beauty",
  config: { d: 64, blocks: 2, loss: "ce" },
  maskSeen: true,
  bestEpoch: 2,
  valid: { "NDCG@10": 0.061, "HR@10": 0.1 },
  test: { "NDCG@10": 0.054, "HR@10": 0.0875, LogLoss: 0.4 },
  history: [
    { epoch: 1, loss: 8.1, valid: { "NDCG@10": 0.04 }, seconds: 30 },
    { epoch: 2, loss: 7.2, valid: { "NDCG@10": 0.061 }, seconds: 29 },
    { epoch: 3, loss: 6.9, valid: { "NDCG@10": 0.058 }, seconds: 29 },
  ],
  timings: { train: 88, evalTest: 1.3 },
  popularityBias: {
    training: [0.5, 0.2, 0.1, 0.05, 0.05, 0.04, 0.03, 0.01, 0.01, 0.01],
    recommended: new Array(10).fill(0.1),
  },
};
const baseline: RunResultInput = {
  name: "pop",
  model: "Pop",
  dataset: "amazon-beauty",
  maskSeen: true,
  valid: { "NDCG@10": 0.006 },
  test: { "NDCG@10": 0.0056, "HR@10": 0.012, LogLoss: 0.3 },
};

test("writeRunReport writes results.json with metric keys and a self-contained HTML page", () => {
  const dir = join(root, "sasrec");
  const { resultsPath, htmlPath } = writeRunReport(dir, trained);
  const saved = JSON.parse(readFileSync(resultsPath, "utf8"));
  assert.equal(saved.test["NDCG@10"], 0.054);
  assert.equal(saved.valid["HR@10"], 0.1);
  assert.equal(saved.history.length, 3);
  assert.deepEqual(Object.keys(saved.history[0]), ["epoch", "loss", "valid", "seconds"]);
  assert.equal(typeof saved.createdAt, "string");
  assert.deepEqual(readRunResult(dir), saved);

  const html = readFileSync(htmlPath, "utf8");
  assert.match(html, /^<!doctype html>/);
  assert.equal((html.match(/<svg /g) ?? []).length, 3); // loss, valid NDCG@10, popularity deciles
  assert.match(html, /Training loss/);
  assert.match(html, /Validation NDCG@10/);
  assert.match(html, /Popularity bias/);
  assert.match(html, /<td>NDCG@10<\/td><td>0\.0610<\/td><td>0\.0540<\/td>/);
  assert.doesNotMatch(html, /<script|<link|src=|href=|url\(/); // nothing external
});

test("compareRuns lines runs up side by side with direction-aware best values", () => {
  writeRunReport(join(root, "pop"), baseline);
  const table = compareRuns([join(root, "sasrec"), join(root, "pop")]);
  assert.deepEqual(
    table.runs.map((r) => r.name),
    ["sasrec-ce", "pop"],
  );
  const row = (m: string) => table.rows.find((r) => r.metric === m)!;
  assert.deepEqual(row("NDCG@10"), { metric: "NDCG@10", values: [0.054, 0.0056], best: 0 });
  assert.equal(row("LogLoss").best, 1); // lower is better
  assert.deepEqual(table.warnings, []);
  const valid = compareRuns([join(root, "sasrec"), join(root, "pop")], "valid");
  assert.deepEqual(valid.rows.find((r) => r.metric === "HR@10")!.values, [0.1, null]);
  assert.equal(valid.rows.find((r) => r.metric === "HR@10")!.best, null);

  const text = formatComparison(table).split("\n");
  assert.match(text[0], /test metric\s+sasrec-ce\s+pop/);
  assert.match(text[1], /NDCG@10\s+0\.0540\*\s+0\.0056/);
  assert.match(renderComparisonHtml(table), /<td class="best">0\.0540<\/td>/);
});

test("comparisons warn about different datasets or masking", () => {
  writeRunReport(join(root, "toys-unmasked"), { ...baseline, dataset: "amazon-toys", maskSeen: false });
  const table = compareRuns([join(root, "pop"), join(root, "toys-unmasked")]);
  assert.equal(table.warnings.length, 2);
});

test("reading a missing or malformed results.json fails with a coded error", () => {
  assert.throws(
    () => readRunResult(join(root, "nope")),
    (e: SeqrankError) => e.code === "SR_ERR_REPORT_MISSING",
  );
  const bad = join(root, "bad");
  writeRunReport(bad, baseline);
  writeFileSync(join(bad, "results.json"), JSON.stringify({ name: "x" }));
  assert.throws(
    () => readRunResult(bad),
    (e: SeqrankError) => e.code === "SR_ERR_REPORT_INVALID",
  );
});

test("`seqrank compare` prints a table, writes HTML and ends with one JSON line", async () => {
  const program = new Command("seqrank").exitOverride();
  registerCompare(program);
  const html = join(root, "compare.html");
  const printed: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => printed.push(chunk) > 0) as typeof process.stdout.write;
  try {
    await program.parseAsync(["compare", join(root, "sasrec"), join(root, "pop"), "--html", html], {
      from: "user",
    });
  } finally {
    process.stdout.write = write;
  }
  const lines = printed.join("").trim().split("\n");
  const last = JSON.parse(lines[lines.length - 1]);
  assert.deepEqual(last.runs, ["sasrec-ce", "pop"]);
  assert.equal(last.best["NDCG@10"], "sasrec-ce");
  assert.equal(last.html, html);
  assert.match(lines[0], /test metric/);
  assert.match(readFileSync(html, "utf8"), /Run comparison \(test\)/);
});
