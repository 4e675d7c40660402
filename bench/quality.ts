// `npm run bench -- quality [--only beauty,toys] [--runs runs/quality]`: the acceptance runs of the sequence-models
// issue — SASRec-CE (and BERT4Rec on amazon-beauty-bert4rec) on every benchmark dataset with the standard protocol,
// each a `seqrank train` child process (an interrupted run resumes), compared with the published anchors.
// Hours on 2 cores; the last line is JSON with test NDCG@10 / HR@10 per run and whether it beats its anchor.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { printResultLine } from "../src/util/result-line.js";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const runsDir = resolve(arg("runs") ?? join(repoRoot, "runs", "quality"));

// Each entry is one `seqrank train` command of the README results table; `anchor: null` marks comparison runs.
const SEGMENTS = '{"segments":{"count":4,"pool":"attention"}}';
const RUNS: { key: string; dataset: string; model: string; anchor: number | null; extra: string[] }[] = [
  {
    key: "beauty-bert4rec-sasrec",
    dataset: "amazon-beauty-bert4rec",
    model: "sasrec",
    anchor: 0.0327,
    extra: ["--patience", "5"],
  },
  {
    key: "beauty-bert4rec-bert4rec",
    dataset: "amazon-beauty-bert4rec",
    model: "bert4rec",
    anchor: 0.0187,
    extra: ["--epochs", "50", "--schedule", "cosine", "--patience", "20"],
  },
  { key: "beauty", dataset: "amazon-beauty", model: "sasrec", anchor: 0.053, extra: [] },
  { key: "sports", dataset: "amazon-sports", model: "sasrec", anchor: 0.0323, extra: [] },
  { key: "toys", dataset: "amazon-toys", model: "sasrec", anchor: 0.058, extra: [] },
  {
    key: "ml1m",
    dataset: "movielens-1m-sasrec-seq",
    model: "sasrec",
    anchor: 0.18,
    extra: ["--max-len", "200"],
  },
  {
    key: "ml1m-truncate-50",
    dataset: "movielens-1m-sasrec-seq",
    model: "sasrec",
    anchor: null,
    extra: ["--max-len", "50", "--dropout", "0.2", "--patience", "5"],
  },
  {
    key: "ml1m-segments-4x50",
    dataset: "movielens-1m-sasrec-seq",
    model: "sasrec",
    anchor: null,
    extra: ["--max-len", "50", "--dropout", "0.2", "--patience", "5", "--config", SEGMENTS],
  },
];
const only = arg("only")?.split(",");
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [join(repoRoot, "bin", "seqrank.js"), ...args], {
    cwd: repoRoot,
    stdio: ["ignore", "ignore", "inherit"],
  });

const results: Record<string, unknown> = {};
for (const r of RUNS.filter((r) => !only || only.includes(r.key))) {
  const data = join(repoRoot, "data", r.dataset);
  if (!existsSync(join(data, "meta.json"))) cli("prepare", r.dataset, "--out", data);
  const out = join(runsDir, r.key);
  const t = performance.now();
  const loss = r.model === "sasrec" ? ["--loss", "ce"] : []; // the others have a loss of their own
  cli("train", data, "--model", r.model, ...loss, "--out", out, "--no-progress", ...r.extra);
  const run = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
  results[r.key] = {
    dataset: r.dataset,
    model: r.model,
    test_ndcg10: run.test["NDCG@10"],
    test_hr10: run.test["HR@10"],
    anchor_ndcg10: r.anchor,
    beats_anchor: r.anchor === null ? null : run.test["NDCG@10"] >= r.anchor,
    best_epoch: run.bestEpoch,
    epochs_run: run.timings.epochsRun,
    train_seconds_to_best: run.timings.toBestEpoch,
    wall_seconds: (performance.now() - t) / 1000,
  };
  process.stderr.write(`${r.key}: ${JSON.stringify(results[r.key])}\n`);
}
printResultLine({ benchmark: "quality", runs: results });
