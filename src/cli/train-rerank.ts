// `seqrank train <dataset> --task rerank --retriever <run dir> --model deepfm [--fusion gated] --out <dir>`:
// turns its flags into the config of runRerank (src/train/rerank: re-ranks a trained sequence model's top-k
// candidates with a CTR ranker over the fused features, writes results.json, model.onnx and checkpoints/,
// resumes an existing run) and prints the summary JSON last (test metrics of the retrieval order and of the
// re-ranked lists, over all test users).
import { resolve } from "node:path";
import { runRerank } from "../train/rerank/run-rerank.js";
import { defined } from "../util/defined.js";
import { SeqrankError } from "../util/errors.js";
import { printResultLine } from "../util/result-line.js";
import { type CtrTrainFlags, ctrModelConfig } from "./train-ctr.js";
import { printResume } from "./train-progress.js";

export interface RerankTrainFlags extends CtrTrainFlags {
  /** Run directory of the frozen sequence model (seqrank train --task next-item). */
  retriever?: string;
  /** Candidates per user (default 100). */
  candidates?: number;
  /** Share of the validation-target queries held out for early stopping. */
  holdout?: number;
}

export async function trainRerankAction(datasetDir: string, flags: RerankTrainFlags): Promise<void> {
  if (!flags.retriever) {
    throw new SeqrankError("SR_ERR_CLI_ARG", "--task rerank needs --retriever <run dir of a sequence model>");
  }
  const out = resolve(flags.out);
  const { summary } = await runRerank(
    {
      retriever: flags.retriever,
      dataset: datasetDir,
      candidates: flags.candidates,
      holdout: flags.holdout,
      model: flags.model,
      modelConfig: ctrModelConfig(flags),
      features: { drop: flags.drop?.split(",").map((s) => s.trim()) ?? [] },
      fit: defined({
        epochs: flags.epochs,
        patience: flags.patience,
        lr: flags.lr,
        batchQueries: flags.batch,
        maxSeconds: flags.maxSeconds,
      }),
      limitUsers: flags.limit,
      seed: flags.seed,
      threads: flags.threads,
      out,
    },
    {
      onResume: printResume,
      onEpoch: (e) => {
        const v = e.valid;
        process.stderr.write(
          `epoch ${e.epoch}: loss ${e.loss.toFixed(4)} (${e.seconds.toFixed(1)} s) held-out NDCG@10 ${v["NDCG@10"].toFixed(4)} HR@10 ${v["HR@10"].toFixed(4)}\n`,
        );
      },
    },
  );
  printResultLine({ command: "train", task: "rerank", ...summary, out });
}
