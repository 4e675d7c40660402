// `seqrank train <preset|prepared dir> --model … --out <dir>`: trains and evaluates one model with the
// leave-one-out full-ranking protocol, writes results.json + report.html, and prints the results JSON last.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import { BASELINE_MODELS } from "../models/registry.js";
import type { FitHooks } from "../train/fit.js";
import { runNextItem } from "../train/run.js";
import { ScheduleSchema } from "../train/schedule.js";
import { parseConfigJson } from "../util/config-issues.js";
import { defined } from "../util/defined.js";
import { SeqrankError } from "../util/errors.js";
import { printResultLine } from "../util/result-line.js";
import { trainCtrAction } from "./train-ctr.js";
import { checkTrainFlags, lossChoices, modelsOf } from "./train-flags.js";
import { printResume } from "./train-progress.js";
import { type RerankTrainFlags, trainRerankAction } from "./train-rerank.js";

interface TrainFlags {
  model: string;
  loss?: string;
  out: string;
  epochs?: number;
  patience?: number;
  lr?: number;
  batch?: number;
  maxLen?: number;
  dim?: number;
  blocks?: number;
  heads?: number;
  dropout?: number;
  negatives?: number;
  seed: number;
  threads?: number;
  limit?: number;
  bucketPool?: number;
  maxSeconds?: number;
  schedule?: string;
  warmup?: number;
  config?: string;
  progress: boolean;
}

const num = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new SeqrankError("SR_ERR_CLI_ARG", `expected a number, got "${v}"`);
  return n;
};

/** A prepared dataset directory, or data/<preset> for a preset name (prepared by `seqrank prepare`). */
export function resolveDataset(arg: string): string {
  const direct = resolve(arg);
  if (existsSync(join(direct, "meta.json"))) return direct;
  const byPreset = resolve("data", arg);
  if (existsSync(join(byPreset, "meta.json"))) return byPreset;
  throw new SeqrankError(
    "SR_ERR_NO_DATASET",
    `no prepared dataset at ${arg} or data/${arg}: run "seqrank prepare ${arg} --out data/${arg}" first`,
  );
}

/** Model config from --config and the flags: only the flags given override the model's defaults. */
function modelConfig(flags: TrainFlags): Record<string, unknown> {
  const cfg = (flags.config ? parseConfigJson(flags.config, "--config") : {}) as Record<string, unknown>;
  Object.assign(
    cfg,
    defined({
      maxLen: flags.maxLen,
      dim: flags.dim,
      blocks: flags.blocks,
      heads: flags.heads,
      dropout: flags.dropout,
    }),
  );
  if (flags.model !== "sasrec") return Object.assign(cfg, defined({ loss: flags.loss }));
  // SASRec's loss is an object: --loss sets its kind, --negatives its negatives.
  if (flags.loss !== undefined || flags.negatives !== undefined)
    cfg.loss = {
      ...((cfg.loss as object) ?? {}),
      ...defined({ kind: flags.loss, negatives: flags.negatives }),
    };
  return cfg;
}

/** Progress on stderr: a bar per epoch (with `bar`), a line per epoch, resume notices. */
export function progressHooks(bar: boolean): FitHooks {
  const progress = bar
    ? new SingleBar({
        format: "epoch {epoch} [{bar}] {value}/{total} · loss {loss} · {tps} tok/s · ETA {eta}s",
        stream: process.stderr,
      })
    : undefined;
  return {
    onResume: printResume,
    onStep: (p) => {
      if (!progress) return;
      if (p.step === 1) progress.start(p.stepsPerEpoch, 0, { epoch: p.epoch, loss: "-", tps: 0 });
      progress.update(p.step, {
        epoch: p.epoch,
        loss: p.loss.toFixed(4),
        tps: Math.round(p.tokensPerSecond),
      });
      if (p.step === p.stepsPerEpoch) progress.stop();
    },
    onEpoch: (r) => {
      const v = r.valid["NDCG@10"];
      process.stderr.write(
        `epoch ${r.epoch}: loss ${r.loss.toFixed(4)} · ${r.seconds.toFixed(1)} s${v === undefined ? "" : ` · valid NDCG@10 ${v.toFixed(4)} HR@10 ${r.valid["HR@10"].toFixed(4)}`}\n`,
      );
    },
  };
}

// Rankers have no "sasrec": each task has its own default model.
const DEFAULT_MODEL: Record<string, string> = { "next-item": "sasrec", ctr: "deepfm", rerank: "deepfm" };

export async function trainAction(
  datasetArg: string,
  given: Omit<TrainFlags & RerankTrainFlags, "model"> & { task: string; model?: string },
): Promise<void> {
  const flags = { ...given, model: given.model ?? DEFAULT_MODEL[given.task] ?? "sasrec" };
  checkTrainFlags(flags.task, flags.model, flags);
  if (flags.task === "ctr") return trainCtrAction(datasetArg, flags);
  if (flags.task === "rerank") return trainRerankAction(resolveDataset(datasetArg), flags);
  const dataset = resolveDataset(datasetArg);
  if ((BASELINE_MODELS as readonly string[]).includes(flags.model)) {
    const modelConfig = (flags.config ? parseConfigJson(flags.config, "--config") : {}) as Record<
      string,
      unknown
    >;
    printResultLine(await runNextItem({ dataset, out: flags.out, model: flags.model, modelConfig }));
    return;
  }
  const schedule = ScheduleSchema.safeParse({ kind: flags.schedule, warmupSteps: flags.warmup });
  if (!schedule.success)
    throw new SeqrankError(
      "SR_ERR_CLI_ARG",
      `--schedule "${flags.schedule ?? "constant"}" --warmup ${flags.warmup ?? 0}: expected constant | linear | cosine and whole steps ≥ 0`,
    );
  const fitConfig = {
    epochs: flags.epochs,
    patience: flags.patience,
    lr: flags.lr,
    batchSize: flags.batch,
    seed: flags.seed,
    threads: flags.threads,
    limitSequences: flags.limit,
    bucketPool: flags.bucketPool,
    maxSeconds: flags.maxSeconds,
    schedule: schedule.data,
  };
  const run = await runNextItem(
    {
      dataset,
      out: flags.out,
      model: flags.model,
      modelConfig: modelConfig(flags),
      fit: defined(fitConfig),
      seed: flags.seed,
    },
    progressHooks(flags.progress),
  );
  printResultLine(run);
}

export function registerTrain(program: Command): void {
  program
    .command("train")
    .description("train and evaluate a model (leave-one-out, full ranking, seen items masked)")
    .argument("<dataset>", "prepared dataset directory, or a preset name prepared into data/<preset>")
    .option(
      "--task <kind>",
      "next-item (sequence models) | ctr (rankers: see src/models/ctr) | rerank (a ranker over a sequence model's candidates)",
      "next-item",
    )
    .option(
      "--model <name>",
      `${modelsOf("next-item").join(" | ")}; with --task ctr or rerank: ${modelsOf("ctr").join(" | ")} (default: sasrec; deepfm for ctr and rerank)`,
    )
    .option("--loss <kind>", `the model's loss (default: the model's own) — ${lossChoices()}`)
    .requiredOption(
      "--out <dir>",
      "run directory: results.json, report.html, checkpoints/ (an existing run resumes)",
    )
    .option("--epochs <n>", "most epochs (default 200)", num)
    .option("--patience <n>", "validations without improvement before stopping (default 10)", num)
    .option("--lr <rate>", "peak learning rate (default 1e-3)", num)
    .option("--batch <n>", "batch size (default 128)", num)
    .option("--max-len <n>", "longest input sequence (default 50)", num)
    .option("--dim <n>", "embedding size (default 64)", num)
    .option("--blocks <n>", "transformer blocks (default 2)", num)
    .option("--heads <n>", "attention heads", num)
    .option("--dropout <p>", "dropout rate", num)
    .option("--negatives <n>", "negatives per sequence for sampled / gbce", num)
    .option("--seed <n>", "random seed", num, 42)
    .option("--threads <n>", "ONNX Runtime intra-op threads (default: cores)", num)
    .option("--bucket-pool <n>", "batches per length-sorted pool (default 1 = random batches)", num)
    .option("--limit <n>", "train on the first n sequences only (quick runs)", num)
    .option("--max-seconds <s>", "stop training after this many seconds (checked between epochs)", num)
    .option(
      "--schedule <kind>",
      `learning rate over --epochs: ${ScheduleSchema.shape.kind.removeDefault().options.join(" | ")} (decay to 0 at the last epoch; default constant)`,
    )
    .option("--warmup <steps>", "steps of linear learning-rate warm-up from 0 (default 0)", num)
    .option("--config <json>", "model config as JSON (merged under the flags)")
    .option("--tasks <list>", "ctr: label names, e.g. cart,buy")
    .option("--fusion <kind>", "ctr: concat | weighted-sum | gated")
    .option("--bottom <kind>", "ctr, mmoe: mmoe | shared")
    .option("--drop <list>", "ctr: feature columns to leave out")
    .option("--history-len <n>", "ctr: history items per row", num)
    .option(
      "--protocol <name>",
      "ctr, movielens-1m: threshold (every rating) | recbole (rating-3 rows deleted)",
    )
    .option("--weight-decay <x>", "ctr: L2 penalty on weight matrices and embeddings", num)
    .option(
      "--plateau-decay <factor>",
      "ctr: multiply the learning rate by this after each epoch without a better validation AUC (default 1)",
      num,
    )
    .option("--retriever <run>", "rerank: run directory of the frozen sequence model")
    .option("--candidates <k>", "rerank: candidates per user (default 100)", num)
    .option(
      "--holdout <share>",
      "rerank: share of validation queries held out for early stopping (default 0.1)",
      num,
    )
    .option("--datasets <dir>", "ctr: folder holding the shared datasets")
    .option("--no-progress", "no progress bar")
    .action(trainAction);
}
