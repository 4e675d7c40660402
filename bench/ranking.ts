// Ranking benchmark (the rankers of src/models/ctr). Three tasks, each in one run with its in-run baseline:
//   movielens-1m CTR (seeded random 8:1:1), under both protocols: recbole (rating-3 rows deleted, the
//     protocol of RecBole's DCN-V2 anchor, AUC 0.8998) and threshold (every rating, 3 is a negative). LR, FM
//     and DeepFM on the profile / movie features, then DeepFM with the sequence features (the liked /
//     disliked training histories, target-attended) and a DCN-V2 cross network; every run trains until 3
//     epochs pass without a better validation AUC (test at the best epoch);
//   taobao-userbehavior-sample: cart and buy from the pv history; DeepFM, a shared-bottom network and MMoE
//     each trained on one task and on both (multi-task), 3 seeds each;
//   ctr-samples: Criteo / Avazu / MovieLens format smoke runs (FM), too small for accuracy;
//   rerank (only with --only rerank: about an hour, needs a trained run): amazon-beauty SASRec top-100
//     re-ranked by the fused rankers (bench/ranking/rerank.ts), against the retrieval order.
// Flags: --epochs N (movielens cap, default 100: LR at Adam 1e-3 peaks near epoch 70), --threads N,
// --limit-users N (movielens, 0 = all), --protocol recbole|threshold (movielens, default both), --only <task>,
// --retriever <run dir> (rerank, default runs/beauty-sasrec-ce).
import { existsSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type RunCtrOptions, runCtr } from "../src/train/ctr/index.js";
import { printResultLine } from "../src/util/result-line.js";
import { RERANK_COLUMNS, rerankBench } from "./ranking/rerank.js";

const args = process.argv.slice(2);
const option = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const epochs = Number(option("epochs", "100"));
const threads = Number(option("threads", String(cpus().length)));
const limitUsers = Number(option("limit-users", "0"));
const only = option("only", "");
const datasetsDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "shared", "datasets");

type Row = Record<string, number | string>;
const round = (x: number) => Math.round(x * 10_000) / 10_000;

async function run(label: string, opts: Omit<RunCtrOptions, "datasetsDir">): Promise<Row> {
  const { result, summary } = await runCtr(
    { datasetsDir, ...opts },
    {
      onEpoch: (e) =>
        process.stderr.write(
          `${label} epoch ${e.epoch}: loss ${e.loss.toFixed(4)} ${e.seconds.toFixed(0)} s valid ${JSON.stringify(e.valid)}\n`,
        ),
    },
  );
  const row: Row = {
    run: label,
    bestEpoch: summary.bestEpoch,
    trainSeconds: Math.round(summary.trainSeconds),
    secondsPerEpoch: Math.round(summary.trainSeconds / result.history.length),
  };
  for (const [k, v] of Object.entries(summary.test)) row[k] = round(v);
  return row;
}

/** One row of "mean ± sd" per numeric column over seeded runs of the same variant. */
function meanSd(label: string, runs: Row[]): Row {
  const row: Row = { run: label };
  for (const key of Object.keys(runs[0])) {
    const xs = runs.map((r) => r[key]).filter((x): x is number => typeof x === "number");
    if (xs.length !== runs.length) continue;
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
    row[key] =
      key === "bestEpoch" || key === "trainSeconds" || key === "secondsPerEpoch"
        ? Math.round(mean)
        : `${mean.toFixed(4)} ± ${sd.toFixed(4)}`;
  }
  return row;
}

function table(title: string, rows: Row[], cols: string[]): void {
  console.log(`\n### ${title}\n\n| ${cols.join(" | ")} |\n|${cols.map(() => "---").join("|")}|`);
  for (const r of rows) console.log(`| ${cols.map((c) => r[c] ?? "").join(" | ")} |`);
}

const result: Record<string, unknown> = { epochs, threads, limitUsers };

if (!only || only === "movielens") {
  // One setting for every model: Adam 1e-3, batch 4096 (1024 for the sequence row, selected on validation AUC),
  // at most `epochs` epochs, stop after 3 without a better validation AUC. The recbole protocol (the anchor's)
  // runs every model with 3 seeds (mean ± sd); the threshold protocol one seed.
  const fit = { epochs, lr: 0.001, batchSize: 4096, threads, patience: 3 };
  const protocols = option("protocol", "recbole,threshold").split(",") as ("recbole" | "threshold")[];
  const movielens: Record<string, Row[]> = {};
  for (const protocol of protocols) {
    const ml = { dataset: "movielens-1m", protocol, limitUsers, fit };
    const noHistory = { ...ml, historyLen: 0 };
    const variants: [string, Omit<RunCtrOptions, "datasetsDir">][] = [
      ["lr", { ...noHistory, model: "lr" }],
      ["fm", { ...noHistory, model: "fm" }],
      ["deepfm", { ...noHistory, model: "deepfm" }],
      [
        "deepfm + sequence features (attended liked/disliked) + cross",
        {
          ...ml,
          model: "deepfm",
          modelConfig: { history: "attention", cross: 2, dim: 32 },
          fit: { ...fit, batchSize: 1024 },
        },
      ],
    ];
    const seeds = protocol === "recbole" ? [1, 2, 3] : [1];
    const rows: Row[] = [];
    for (const [label, opts] of variants) {
      const runs: Row[] = [];
      for (const seed of seeds) {
        runs.push(
          await run(`${protocol} ${label} (seed ${seed})`, {
            ...opts,
            initSeed: seed,
            fit: { ...(opts.fit ?? fit), seed },
          }),
        );
      }
      rows.push(seeds.length > 1 ? meanSd(label, runs) : { ...runs[0], run: label });
    }
    const title = `movielens-1m CTR, ${protocol} protocol (test split${seeds.length > 1 ? ", 3 seeds: mean ± sd" : ""})`;
    table(title, rows, ["run", "AUC", "GAUC", "LogLoss", "bestEpoch", "secondsPerEpoch", "trainSeconds"]);
    movielens[protocol] = rows;
  }
  result.movielens1m = movielens;
}

if (!only || only === "taobao") {
  // Each ranker predicts cart only, buy only, or both (multi-task) with the same bottom; every variant runs
  // with 3 seeds (initialisation and batch order), reported as mean ± standard deviation of the test metrics.
  const fit = { epochs: 15, lr: 0.002, batchSize: 512, threads, patience: 3 };
  const tb = { dataset: "taobao-userbehavior-sample", fit };
  const shared = { model: "mmoe", modelConfig: { bottom: "shared" } };
  const variants: [string, Omit<RunCtrOptions, "datasetsDir" | "dataset">][] = [
    ["deepfm: cart only", { model: "deepfm", tasks: ["cart"] }],
    ["deepfm: buy only", { model: "deepfm", tasks: ["buy"] }],
    ["shared-bottom: cart only", { ...shared, tasks: ["cart"] }],
    ["shared-bottom: buy only", { ...shared, tasks: ["buy"] }],
    ["shared-bottom: cart + buy", { ...shared, tasks: ["cart", "buy"] }],
    ["mmoe: cart only", { model: "mmoe", tasks: ["cart"] }],
    ["mmoe: buy only", { model: "mmoe", tasks: ["buy"] }],
    ["mmoe: cart + buy", { model: "mmoe", tasks: ["cart", "buy"] }],
  ];
  const rows: Row[] = [];
  for (const [label, opts] of variants) {
    const runs: Row[] = [];
    for (const seed of [1, 2, 3]) {
      const r = await run(`${label} (seed ${seed})`, {
        ...tb,
        ...opts,
        initSeed: seed,
        fit: { ...fit, seed },
      });
      // Single-task runs report AUC / GAUC of their one task: name them like the multi-task ones.
      if (opts.tasks?.length === 1) for (const k of ["AUC", "GAUC"]) r[`${opts.tasks[0]}.${k}`] = r[k];
      runs.push(r);
    }
    rows.push(meanSd(label, runs));
  }
  table("taobao-userbehavior-sample (test split, 3 seeds: mean ± sd)", rows, [
    "run",
    "cart.AUC",
    "cart.GAUC",
    "buy.AUC",
    "buy.GAUC",
    "bestEpoch",
    "trainSeconds",
  ]);
  result.taobao = rows;
}

if (!only || only === "samples") {
  const rows: Row[] = [];
  for (const s of ["criteo", "avazu", "movielens"]) {
    const fit = { epochs: 3, batchSize: 64, threads };
    rows.push(
      await run(s, { dataset: `ctr-samples/${s}`, model: "fm", fit, features: { hashBuckets: 1000 } }),
    );
  }
  table("ctr-samples (format smoke runs; 10-20 test rows, not accuracy)", rows, ["run", "AUC", "LogLoss"]);
  result.samples = rows;
}

if (only === "rerank") {
  const rows = await rerankBench(option("retriever", "runs/beauty-sasrec-ce"), threads);
  table("amazon-beauty: SASRec-CE top-100 re-ranked (test, all users)", rows, RERANK_COLUMNS);
  result.rerank = rows;
}

// bench/run.ts rewrites bench/results/ranking.json whole: sections not run this time keep their last saved
// results, and `measuredAt` says when each section was measured (the flags above are this run's).
const savedPath = join(dirname(fileURLToPath(import.meta.url)), "results", "ranking.json");
const saved = existsSync(savedPath) ? JSON.parse(readFileSync(savedPath, "utf8")) : {};
const measuredAt: Record<string, string> = {};
for (const section of ["movielens1m", "taobao", "samples", "rerank"]) {
  if (section in result) measuredAt[section] = new Date().toISOString();
  else if (section in saved) {
    result[section] = saved[section];
    measuredAt[section] = saved.measuredAt?.[section] ?? saved.measured_at;
  }
}
result.measuredAt = measuredAt;

printResultLine(result);
