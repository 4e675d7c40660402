// `seqrank tune <dataset> --model sasrec --space '<json>' --out <dir>`: random search with successive halving;
// prints a results table (best first) and, last, the JSON of all trials.
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { loadDataset } from "../data/cache.js";
import { NEURAL_MODELS } from "../models/registry.js";
import { trainDataFrom } from "../train/train-data.js";
import { SearchSpaceSchema, tune } from "../train/tune.js";
import { parseConfig, parseConfigJson } from "../util/config-issues.js";
import { SeqrankError } from "../util/errors.js";
import { printResultLine } from "../util/result-line.js";
import { resolveDataset } from "./train.js";

interface TuneFlags {
  model: string;
  space: string;
  out: string;
  trials: number;
  minEpochs: number;
  rungs: number;
  seed: number;
  threads?: number;
  limit?: number;
}

async function tuneAction(datasetArg: string, flags: TuneFlags): Promise<void> {
  const factory = NEURAL_MODELS[flags.model];
  if (!factory) throw new SeqrankError("SR_ERR_CLI_ARG", `unknown model "${flags.model}"`);
  const space = parseConfig(SearchSpaceSchema, parseConfigJson(flags.space, "--space"), "--space");
  const data = trainDataFrom(loadDataset(resolveDataset(datasetArg)));
  const out = resolve(flags.out);
  const trials = await tune(
    factory,
    data,
    space,
    { fit: { threads: flags.threads, limitSequences: flags.limit ?? 0 } },
    { trials: flags.trials, minEpochs: flags.minEpochs, rungs: flags.rungs, seed: flags.seed },
    out,
    (t) =>
      process.stderr.write(
        `trial ${t.id} · ${t.epochs} epochs · valid NDCG@10 ${t.validNdcg10.toFixed(4)} · ${JSON.stringify(t.params)}\n`,
      ),
  );
  console.log("trial  epochs  valid NDCG@10  test NDCG@10  params");
  for (const t of trials) {
    console.log(
      `${String(t.id).padStart(5)}  ${String(t.epochs).padStart(6)}  ${t.validNdcg10.toFixed(4).padStart(13)}  ${(t.test?.["NDCG@10"] ?? 0).toFixed(4).padStart(12)}  ${JSON.stringify(t.params)}`,
    );
  }
  writeFileSync(join(out, "tune.json"), JSON.stringify(trials, null, 2));
  printResultLine({ command: "tune", model: flags.model, dataset: data.name, best: trials[0], trials });
}

export function registerTune(program: Command): void {
  program
    .command("tune")
    .description("hyperparameter search: random configurations, successive halving on valid NDCG@10")
    .argument("<dataset>", "prepared dataset directory or preset name")
    .option("--model <name>", "neural model", "sasrec")
    .requiredOption(
      "--space <json>",
      'search space, e.g. \'{"dropout":[0.1,0.3,0.5],"fit.lr":{"min":3e-4,"max":3e-3,"log":true}}\'',
    )
    .requiredOption("--out <dir>", "directory for trial checkpoints and tune.json")
    .option("--trials <n>", "configurations sampled", Number, 12)
    .option("--min-epochs <n>", "epochs of the first rung (×3 per rung)", Number, 3)
    .option("--rungs <n>", "halving rounds", Number, 3)
    .option("--seed <n>", "sampling seed", Number, 1)
    .option("--threads <n>", "ONNX Runtime threads", Number)
    .option("--limit <n>", "train on the first n sequences only", Number)
    .action(tuneAction);
}
