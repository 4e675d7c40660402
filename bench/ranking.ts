// Ranking benchmark (src/ranking). Three tasks, each in one run with its in-run baseline:
//   movielens-1m CTR (rating ≥ 4, seeded random 8:1:1): LR vs FM vs DeepFM, all with the same features
//     (profile, movie id / genres / year, and the liked / disliked training histories), plus DeepFM without
//     the histories (ablation);
//   taobao-userbehavior-sample: cart and buy from the pv history, single-task DeepFM per task vs multi-task
//     shared-bottom and MMoE;
//   ctr-samples: Criteo / Avazu / MovieLens format smoke runs (FM), too small for accuracy;
//   rerank (only with --only rerank: about an hour, needs a trained run): amazon-beauty SASRec top-100
//     re-ranked by the fused rankers (bench/ranking/rerank.ts), against the retrieval order.
// Flags: --epochs N (movielens, default 4), --threads N, --limit-users N (movielens, 0 = all), --only <task>,
// --retriever <run dir> (rerank, default runs/beauty-sasrec-ce).
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type RunCtrOptions, runCtr } from "../src/ranking/index.js";
import { printResultLine } from "../src/util/result-line.js";
import { RERANK_COLUMNS, rerankBench } from "./ranking/rerank.js";

const args = process.argv.slice(2);
const option = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const epochs = Number(option("epochs", "4"));
const threads = Number(option("threads", String(cpus().length)));
const limitUsers = Number(option("limit-users", "0"));
const only = option("only", "");
const datasetsDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "shared", "datasets");

type Row = Record<string, number | string>;
const round = (x: number) => Math.round(x * 10_000) / 10_000;

async function run(label: string, opts: Omit<RunCtrOptions, "datasetsDir">): Promise<Row> {
  const { summary } = await runCtr({ datasetsDir, ...opts }, undefined, {
    onEpoch: (e) =>
      process.stderr.write(
        `${label} epoch ${e.epoch}: loss ${e.loss.toFixed(4)} ${e.seconds.toFixed(0)} s valid ${JSON.stringify(e.valid)}\n`,
      ),
  });
  const row: Row = {
    run: label,
    bestEpoch: summary.bestEpoch,
    trainSeconds: Math.round(summary.trainSeconds),
  };
  for (const [k, v] of Object.entries(summary.test)) row[k] = round(v);
  return row;
}

function table(title: string, rows: Row[], cols: string[]): void {
  console.log(`\n### ${title}\n\n| ${cols.join(" | ")} |\n|${cols.map(() => "---").join("|")}|`);
  for (const r of rows) console.log(`| ${cols.map((c) => r[c] ?? "").join(" | ")} |`);
}

const result: Record<string, unknown> = { epochs, threads, limitUsers };

if (!only || only === "movielens") {
  const fit = { epochs, lr: 0.002, batchSize: 2048, threads, patience: 2 };
  const ml = { dataset: "movielens-1m", limitUsers, fit };
  const rows = [
    await run("lr", { ...ml, model: "lr", fit: { ...fit, lr: 0.01 } }),
    await run("fm", { ...ml, model: "fm" }),
    await run("deepfm", { ...ml, model: "deepfm" }),
    await run("deepfm (no history)", { ...ml, model: "deepfm", features: { drop: ["liked", "disliked"] } }),
  ];
  table("movielens-1m CTR (test split)", rows, [
    "run",
    "AUC",
    "GAUC",
    "LogLoss",
    "bestEpoch",
    "trainSeconds",
  ]);
  result.movielens1m = rows;
}

if (!only || only === "taobao") {
  const fit = { epochs: 6, lr: 0.002, batchSize: 512, threads, patience: 2 };
  const tb = { dataset: "taobao-userbehavior-sample", fit };
  const rows = [
    await run("deepfm: cart only", { ...tb, model: "deepfm", tasks: ["cart"] }),
    await run("deepfm: buy only", { ...tb, model: "deepfm", tasks: ["buy"] }),
    await run("din: cart only", { ...tb, model: "din", tasks: ["cart"] }),
    await run("shared-bottom: cart + buy", { ...tb, model: "mmoe", modelConfig: { bottom: "shared" } }),
    await run("mmoe: cart + buy", { ...tb, model: "mmoe" }),
  ];
  table("taobao-userbehavior-sample (test split)", rows, [
    "run",
    "cart.AUC",
    "cart.GAUC",
    "buy.AUC",
    "buy.GAUC",
    "AUC",
    "GAUC",
    "LogLoss",
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

printResultLine(result);
