// `seqrank train <dataset> --task ctr --model lr|fm|deepfm|hybrid-mf|din|mmoe --out <dir>`: turns its flags
// into the config of runCtr (src/train/ctr: trains one ranker, writes results.json, model.onnx and
// checkpoints/, resumes an existing run), shows its progress, and prints the results JSON last (test.AUC,
// test.GAUC, test.LogLoss of the first task; <task>.<metric> for each task of a multi-task model).
import { resolve } from "node:path";
import { SingleBar } from "cli-progress";
import { OptimizerConfigSchema } from "../graph/optim.js";
import { runCtr } from "../train/ctr/run-ctr.js";
import { parseConfigJson } from "../util/config-issues.js";
import { defined } from "../util/defined.js";
import { SeqrankError } from "../util/errors.js";
import { printResultLine } from "../util/result-line.js";
import { printResume } from "./train-progress.js";

export interface CtrTrainFlags {
  model: string;
  out: string;
  /** hybrid-mf: bce | bpr | warp. */
  loss?: string;
  /** Comma-separated label names (taobao: cart,buy). */
  tasks?: string;
  epochs?: number;
  patience?: number;
  lr?: number;
  batch?: number;
  dim?: number;
  dropout?: number;
  negatives?: number;
  seed?: number;
  threads?: number;
  /** Keep only the first N users. */
  limit?: number;
  maxSeconds?: number;
  /** Model config as JSON (overridden by the single flags). */
  config?: string;
  /** concat | weighted-sum | gated */
  fusion?: string;
  /** mmoe: mmoe | shared */
  bottom?: string;
  /** Comma-separated feature columns to leave out (e.g. liked,disliked). */
  drop?: string;
  historyLen?: number;
  /** movielens-1m: threshold (every rating, ≥ 4 positive) | recbole (rating-3 rows deleted, no zip). */
  protocol?: string;
  /** L2 penalty on the weight matrices and embedding tables (added to the gradient). */
  weightDecay?: number;
  /** Learning-rate factor after an epoch without a better validation AUC. */
  plateauDecay?: number;
  datasets?: string;
  progress?: boolean;
}

const list = (s: string | undefined) =>
  s
    ?.split(",")
    .map((t) => t.trim())
    .filter(Boolean);

/** The ranker's config from --config JSON and the single flags (also used by --task rerank). */
export function ctrModelConfig(flags: CtrTrainFlags): Record<string, unknown> {
  const cfg = (flags.config ? parseConfigJson(flags.config, "--config") : {}) as Record<string, unknown>;
  Object.assign(
    cfg,
    defined({
      dim: flags.dim,
      dropout: flags.dropout,
      negatives: flags.negatives,
      bottom: flags.bottom,
      loss: flags.loss,
    }),
  );
  if (flags.fusion) cfg.fusion = { ...((cfg.fusion as object) ?? {}), kind: flags.fusion };
  return cfg;
}

const PROTOCOLS = ["threshold", "recbole"] as const;

function protocolOf(flag: string | undefined): (typeof PROTOCOLS)[number] | undefined {
  if (flag === undefined) return undefined;
  const p = PROTOCOLS.find((x) => x === flag);
  if (!p)
    throw new SeqrankError("SR_ERR_CLI_ARG", `--protocol must be ${PROTOCOLS.join(" or ")}, got ${flag}`);
  return p;
}

export async function trainCtrAction(datasetOrDir: string, flags: CtrTrainFlags): Promise<void> {
  const out = resolve(flags.out);
  const bar = new SingleBar(
    { format: "epoch {epoch} {bar} {value}/{total} | loss {loss}", clearOnComplete: true, hideCursor: true },
    undefined,
  );
  const showProgress = flags.progress !== false && process.stderr.isTTY;
  let barEpoch = 0;
  const fit = {
    epochs: flags.epochs,
    patience: flags.patience,
    lr: flags.lr,
    batchSize: flags.batch,
    seed: flags.seed,
    threads: flags.threads,
    maxSeconds: flags.maxSeconds,
    plateauDecay: flags.plateauDecay,
    optimizer:
      flags.weightDecay === undefined
        ? undefined
        : OptimizerConfigSchema.parse({ weightDecay: flags.weightDecay }),
  };
  const { summary } = await runCtr(
    {
      dataset: datasetOrDir,
      model: flags.model,
      modelConfig: ctrModelConfig(flags),
      tasks: list(flags.tasks),
      features: { drop: list(flags.drop) ?? [] },
      fit: defined(fit),
      limitUsers: flags.limit,
      initSeed: flags.seed,
      historyLen: flags.historyLen,
      protocol: protocolOf(flags.protocol),
      datasetsDir: flags.datasets ? resolve(flags.datasets) : undefined,
      out,
    },
    {
      onResume: printResume,
      onStep: (p) => {
        if (!showProgress) return;
        if (p.epoch !== barEpoch) {
          if (barEpoch) bar.stop();
          bar.start(p.steps, 0, { epoch: p.epoch, loss: "" });
          barEpoch = p.epoch;
        }
        bar.update(p.step, { epoch: p.epoch, loss: p.loss.toFixed(4) });
      },
      onEpoch: (e) => {
        if (showProgress) bar.stop();
        barEpoch = 0;
        const v = Object.entries(e.valid)
          .map(
            ([t, m]) =>
              `${t} AUC ${m.AUC.toFixed(4)} GAUC ${m.GAUC.toFixed(4)} LogLoss ${m.LogLoss.toFixed(4)}`,
          )
          .join(" · ");
        process.stderr.write(
          `epoch ${e.epoch}: loss ${e.loss.toFixed(4)} (${e.seconds.toFixed(1)} s) valid ${v}\n`,
        );
      },
    },
  );
  printResultLine({ command: "train", task: "ctr", ...summary, out });
}
