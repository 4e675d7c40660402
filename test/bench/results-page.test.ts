// docs/results.md is generated from bench/results/*.json (bench/results-page.ts): regenerated here in memory, it
// must equal the committed page, and every results file must have its one-line description.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  BENCHMARKS,
  RESULTS_DIR,
  RESULTS_PAGE,
  renderResultsPage,
  resultSection,
} from "../../bench/results-page.js";

test("docs/results.md is what `npm run results` makes from bench/results/*.json", () => {
  assert.equal(
    readFileSync(RESULTS_PAGE, "utf8"),
    renderResultsPage(),
    "docs/results.md is stale: run `npm run results` and commit it",
  );
});

test("every results file has a description and a section with its command and every value", () => {
  for (const file of readdirSync(RESULTS_DIR).filter((f) => f.endsWith(".json"))) {
    const name = file.slice(0, -5);
    assert.ok(BENCHMARKS[name], `${name} has a description`);
    assert.ok(readdirSync(join(RESULTS_DIR, "..")).includes(`${name}.ts`), `bench/${name}.ts exists`);
  }
  const section = resultSection("search", { docs: 100, search_p95_ms: 2.5, note: "a|b", runs: [{ k: 1 }] });
  assert.match(section, /^## search\n/);
  assert.match(section, /Command: `npm run bench -- search`/);
  assert.match(section, /\| docs \| 100 \|/);
  assert.match(section, /\| note \| a\\\|b \|/);
  assert.match(section, /### runs\n\n\| k \|\n\|---\|\n\| 1 \|/);
  assert.throws(() => resultSection("no-such-bench", {}), /add "no-such-bench" to BENCHMARKS/);
});
