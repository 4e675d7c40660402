// amazon-beauty re-ranking (src/train/rerank): the top-100 of the frozen SASRec-CE run in runs/beauty-sasrec-ce
// (`seqrank train data/amazon-beauty --model sasrec --loss ce --threads 1 --no-progress --out runs/beauty-sasrec-ce`)
// re-ranked by LR and by DeepFM with each fusion, plus two ablations of the concat DeepFM: without the frozen
// SASRec user/item vectors, and without the history signals. Every row carries its in-run baseline, the
// retrieval order of the same candidates, on all test users.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type RunRerankOptions, runRerank, SIGNALS } from "../../src/train/rerank/index.js";
import { loadRun } from "../../src/train/run-dir.js";

type Row = Record<string, number | string>;
const round = (x: number) => Math.round(x * 10_000) / 10_000;

export const RERANK_COLUMNS = [
  "run",
  "retrieval NDCG@10",
  "NDCG@10",
  "gain",
  "retrieval HR@10",
  "HR@10",
  "retrieval MRR@10",
  "MRR@10",
  "held-out NDCG@10",
  "bestEpoch",
  "trainSeconds",
];

export async function rerankBench(runDir: string, threads: number): Promise<Row[]> {
  if (!existsSync(join(runDir, "results.json"))) {
    throw new Error(`no retrieval run at ${runDir}: train it first (see bench/ranking/rerank.ts)`);
  }
  const { model, data } = loadRun(runDir);
  const variants: [string, RunRerankOptions][] = [
    ["lr", { model: "lr" }],
    ["deepfm concat", { model: "deepfm" }],
    ["deepfm weighted-sum", { model: "deepfm", modelConfig: { fusion: { kind: "weighted-sum" } } }],
    ["deepfm gated", { model: "deepfm", modelConfig: { fusion: { kind: "gated" } } }],
    [
      "deepfm concat, no SASRec vectors",
      { model: "deepfm", features: { drop: ["user_vector", "item_vector"] } },
    ],
    ["deepfm concat, no history signals", { model: "deepfm", features: { drop: [...SIGNALS] } }],
  ];
  const rows: Row[] = [];
  for (const [label, opts] of variants) {
    const { summary } = await runRerank(
      { retriever: { model, data }, ...opts, threads },
      {
        onEpoch: (e) =>
          process.stderr.write(
            `${label} epoch ${e.epoch}: loss ${e.loss.toFixed(4)} ${e.seconds.toFixed(0)} s held-out NDCG@10 ${e.valid["NDCG@10"].toFixed(4)}\n`,
          ),
      },
    );
    const { retrieval, reranked } = summary.test;
    rows.push({
      run: label,
      "retrieval NDCG@10": round(retrieval["NDCG@10"]),
      "NDCG@10": round(reranked["NDCG@10"]),
      gain: `${(100 * (reranked["NDCG@10"] / retrieval["NDCG@10"] - 1)).toFixed(1)}%`,
      "retrieval HR@10": round(retrieval["HR@10"]),
      "HR@10": round(reranked["HR@10"]),
      "retrieval MRR@10": round(retrieval["MRR@10"]),
      "MRR@10": round(reranked["MRR@10"]),
      "held-out NDCG@10": round(summary.heldOut.reranked["NDCG@10"]),
      bestEpoch: summary.bestEpoch,
      trainSeconds: Math.round(summary.trainSeconds),
      testUsers: summary.queries.test,
      trainQueries: summary.queries.train,
      recall100: round(summary.recall.test),
    });
  }
  return rows;
}
