// `npm run results`: writes docs/results.md from bench/results/*.json — one section per results file with what
// the benchmark measures (BENCHMARKS below), the command that made it and a table of every field it saved. The
// page is the data, nothing added: test/bench/results-page.test.ts regenerates it and compares it with the
// committed file, so a new result without `npm run results` fails the tests.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const benchDir = dirname(fileURLToPath(import.meta.url));
export const RESULTS_DIR = join(benchDir, "results");
export const RESULTS_PAGE = join(benchDir, "..", "docs", "results.md");

/** What each benchmark measures, one line (the header comment of bench/<name>.ts says it in full). */
export const BENCHMARKS: Record<string, string> = {
  engine:
    "A SASRec training step compiled to one ONNX graph: a full amazon-beauty epoch as length streams against " +
    "one padded block, a dense batch-128 step and a matmul ceiling.",
  faults:
    "The hardening attack from outside against real `seqrank` processes: hostile requests, damaged models and " +
    "database files, a failed hot swap, Redis restarted and kill -9 under load (all zero is the goal).",
  incremental:
    "Incremental training against a full retrain of SASRec-CE on amazon-beauty after new events: test " +
    "NDCG@10 / HR@10 and training time of each.",
  ingest:
    "Event ingest over HTTP into `seqrank serve`: the highest sustained rate at p99 ≤ 20 ms, capacity, batches " +
    "and kill -9 (acknowledged events lost), against group commit off and a server that stores nothing.",
  int8:
    "The int8 serving options of an amazon-beauty SASRec: NDCG@10 / HR@10 with exact and ANN retrieval, user " +
    "vector cosine against float32, and encoder latency per call.",
  prepare:
    "`seqrank prepare` end to end (DuckDB cleaning and dataset build) on synthetic e-commerce logs of 2M and " +
    "20M events: wall time, throughput and peak RSS.",
  quality:
    "SASRec-CE and BERT4Rec on every benchmark dataset with the standard protocol: test NDCG@10 / HR@10 " +
    "against the published anchors.",
  "ranker-replay":
    "The served learned ranker replayed on the test users of its run: the NDCG@10 gain of re-ranking as " +
    "served and as scored offline, and the time of one rank() call.",
  ranking:
    "The CTR rankers: taobao cart and buy, single- and multi-task (DeepFM, shared-bottom, MMoE), and an " +
    "amazon-beauty SASRec top 100 re-ranked by the learned rankers against the retrieval order.",
  search:
    "Top-10 product-search latency of seqrank's engine against @orama/orama on the same seeded synthetic " +
    "catalogue, index build time and size.",
  semantic:
    "Search on amazon-beauty titles: recall@10 of the title tower, BM25 and their RRF fusion, and of the " +
    "BM25-neighbour fallback leg, with search latency.",
  serve:
    "The HTTP service under open-loop load: recommendation latency, CPU and GC per request, event-to-change " +
    "latency, HTTP search, the learned ranker in the live path, and ANN int8 against f32.",
};

type Value = string | number | boolean | null | Value[] | { [key: string]: Value };
type Row = [field: string, value: string];

const isObject = (v: Value): v is { [key: string]: Value } =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** A value as a table cell: `|` escaped, on one line. */
function cell(v: Value): string {
  const text = typeof v === "string" ? v : JSON.stringify(v);
  return text.replaceAll("\\", "\\\\").replaceAll("|", "\\|").replaceAll("\n", " ");
}

const table = (header: string[], rows: string[][]) =>
  [
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ]
    .join("\n")
    .concat("\n");

/** An object's fields as rows; nested objects flatten to dotted names. */
function fieldRows(object: { [key: string]: Value }, prefix = ""): Row[] {
  return Object.entries(object).flatMap(([key, value]): Row[] =>
    isObject(value) ? fieldRows(value, `${prefix}${key}.`) : [[`${prefix}${key}`, cell(value)]],
  );
}

/** An array of objects as one table: a column per field, in first-seen order; missing fields empty. */
function listTable(rows: { [key: string]: Value }[]): string {
  const flat = rows.map((r) => new Map(fieldRows(r)));
  const columns = [...new Set(flat.flatMap((r) => [...r.keys()]))];
  return table(
    columns.map(cell),
    flat.map((r) => columns.map((c) => r.get(c) ?? "")),
  );
}

const isList = (v: Value): v is { [key: string]: Value }[] =>
  Array.isArray(v) && v.length > 0 && v.every(isObject);

/** One results file: its description, command, the scalar fields as one table, then nested ones. */
export function resultSection(name: string, result: { [key: string]: Value }): string {
  const description = BENCHMARKS[name];
  if (!description)
    throw new Error(`bench/results/${name}.json has no description: add "${name}" to BENCHMARKS`);
  const scalars: Row[] = [];
  const nested: string[] = [];
  for (const [key, value] of Object.entries(result)) {
    if (isList(value)) nested.push(`### ${key}\n\n${listTable(value)}`);
    else if (isObject(value)) nested.push(`### ${key}\n\n${table(["field", "value"], fieldRows(value))}`);
    else scalars.push([key, cell(value)]);
  }
  const measured = typeof result.measured_at === "string" ? ` · measured ${result.measured_at}` : "";
  return [
    `## ${name}\n`,
    `${description}\n`,
    `Command: \`npm run bench -- ${name}\`${measured} · source [bench/${name}.ts](../bench/${name}.ts) · ` +
      `data [bench/results/${name}.json](../bench/results/${name}.json)\n`,
    table(["field", "value"], scalars),
    ...nested,
  ].join("\n");
}

/** The whole page from every `*.json` in `dir`, in name order. */
export function renderResultsPage(dir = RESULTS_DIR): string {
  const names = readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -5))
    .sort();
  const results = names.map((name) => JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8")));
  const index = table(
    ["benchmark", "measures", "measured"],
    names.map((name, i) => [
      `[${name}](#${name})`,
      cell(BENCHMARKS[name] ?? ""),
      cell(results[i].measured_at ?? ""),
    ]),
  );
  return [
    "# Benchmark results\n",
    "Generated by `npm run results` (bench/results-page.ts) from `bench/results/*.json`, the JSON line each " +
      "benchmark printed last; do not edit by hand. To refresh a section, run its command, then " +
      "`npm run results`. What each benchmark does, flag by flag, is the header comment of its source file.\n",
    index,
    ...names.map((name, i) => resultSection(name, results[i])),
  ].join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(RESULTS_PAGE, renderResultsPage());
  console.log(JSON.stringify({ written: RESULTS_PAGE }));
}
