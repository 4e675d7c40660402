// Which `seqrank train` flags each task and model reads: a flag given where nothing reads it is an error
// naming the flag and where it applies, never silently ignored (`--model bert4rec --loss sampled` trained
// a cross-entropy BERT4Rec without a word). Flags that become model config keys (--dim, --blocks, …) are
// checked against the chosen model's own config schema, so the table cannot drift from the models.
import { LossConfigSchema } from "../models/losses.js";
import { BASELINE_MODELS, CTR_MODELS, modelNames, NEURAL_MODELS } from "../models/registry.js";
import { configKeys, enumOptions } from "../util/config-issues.js";
import { SeqrankError } from "../util/errors.js";

export type TrainTask = "next-item" | "ctr" | "rerank";
export const TRAIN_TASKS: readonly TrainTask[] = ["next-item", "ctr", "rerank"];

/** Read by every task. */
const EVERY_TASK = ["task", "model", "out", "seed", "progress"];
/** The training loop's flags (not the fitted baselines'). */
const LOOP = ["epochs", "patience", "lr", "batch", "threads", "limit", "maxSeconds", "config"];

const TASK_FLAGS: Record<TrainTask, string[]> = {
  "next-item": [...LOOP, "bucketPool", "schedule", "warmup"],
  ctr: [...LOOP, "tasks", "drop", "historyLen", "protocol", "weightDecay", "plateauDecay", "datasets"],
  rerank: [...LOOP, "retriever", "candidates", "holdout", "drop"],
};

/** Flags that set a key of the model's config (the flag's own name): read only when the config has it. */
const MODEL_KEY_FLAGS: Record<TrainTask, string[]> = {
  "next-item": ["maxLen", "dim", "blocks", "heads", "dropout", "loss"],
  ctr: ["dim", "dropout", "fusion", "bottom", "negatives", "loss"],
  rerank: ["dim", "dropout", "fusion", "bottom", "negatives", "loss"],
};

/** "model: a | b" for every model whose config takes a loss (SASRec's is an object with a `kind`). */
export function lossChoices(): string {
  const out: string[] = [];
  for (const task of TRAIN_TASKS.slice(0, 2))
    for (const model of modelsOf(task)) {
      const options = lossOptions(task, model);
      if (options) out.push(`${model}: ${options.join(" | ")}`);
    }
  return out.join("; ");
}

function lossOptions(task: TrainTask, model: string): readonly string[] | undefined {
  if (task === "next-item" && model === "sasrec") return LossConfigSchema.shape.kind.removeDefault().options;
  const factory = task === "next-item" ? NEURAL_MODELS[model] : CTR_MODELS[model];
  return enumOptions(factory?.configSchema, "loss");
}

const dashed = (flag: string) => `--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** The models a task can train (the model table's, rerank's are ctr's), for errors and help texts. */
export function modelsOf(task: TrainTask): string[] {
  return modelNames(task === "next-item" ? "next-item" : "ctr");
}

/** The model's config keys, when its schema lists them (undefined: unknown, nothing is checked). */
function modelConfigKeys(task: TrainTask, model: string): string[] | undefined {
  if (task === "next-item") return configKeys(NEURAL_MODELS[model]?.configSchema);
  return configKeys(CTR_MODELS[model]?.configSchema);
}

/** The flags this task and model read. */
function flagsRead(task: TrainTask, model: string, given: Record<string, unknown>): Set<string> {
  const read = new Set(EVERY_TASK);
  if (task === "next-item" && (BASELINE_MODELS as readonly string[]).includes(model)) {
    if (model === "itemknn") read.add("config"); // the baselines are fitted, not trained
    return read;
  }
  for (const f of TASK_FLAGS[task]) read.add(f);
  const keys = modelConfigKeys(task, model);
  for (const flag of MODEL_KEY_FLAGS[task]) if (!keys || keys.includes(flag)) read.add(flag);
  // SASRec's loss is an object: --loss sets its kind, --negatives the negatives of the sampled losses.
  if (task === "next-item" && model === "sasrec" && (given.loss === "sampled" || given.loss === "gbce"))
    read.add("negatives");
  return read;
}

/** Where a flag does apply, for the error message. */
function appliesTo(flag: string): string {
  if (flag === "negatives") return "sasrec with --loss sampled or gbce, and --task ctr or rerank's hybrid-mf";
  const tasks = TRAIN_TASKS.filter((t) => TASK_FLAGS[t].includes(flag));
  if (tasks.length > 0) return tasks.map((t) => `--task ${t}`).join(", ");
  const models = TRAIN_TASKS.flatMap((t) =>
    MODEL_KEY_FLAGS[t].includes(flag)
      ? modelsOf(t)
          .filter((m) => modelConfigKeys(t, m)?.includes(flag))
          .map((m) => `${m} (--task ${t})`)
      : [],
  );
  return models.length > 0 ? [...new Set(models)].join(", ") : "no task";
}

/**
 * Throws SR_ERR_CLI_ARG for an unknown task or model, or for the first flag given (defined in `given`)
 * that this task and model do not read.
 */
export function checkTrainFlags(task: string, model: string, given: Record<string, unknown>): void {
  if (!(TRAIN_TASKS as readonly string[]).includes(task))
    throw new SeqrankError("SR_ERR_CLI_ARG", `--task "${task}": expected ${TRAIN_TASKS.join(" | ")}`);
  const t = task as TrainTask;
  if (!modelsOf(t).includes(model))
    throw new SeqrankError(
      "SR_ERR_CLI_ARG",
      `unknown model "${model}" for --task ${t}: ${modelsOf(t).join(", ")}`,
    );
  const read = flagsRead(t, model, given);
  for (const [flag, value] of Object.entries(given)) {
    if (value === undefined || read.has(flag)) continue;
    throw new SeqrankError(
      "SR_ERR_CLI_ARG",
      `${dashed(flag)} is not used by --task ${t} --model ${model}: it applies to ${appliesTo(flag)}`,
    );
  }
}
