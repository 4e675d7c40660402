// `seqrank start`'s background training. The parent serves at once and forks the same CLI entry with the
// hidden `start-train` command, niced and on few ONNX Runtime threads so the service keeps a core: the child
// trains SASRec (resuming its checkpoints), evaluates Pop on the same test split, exports SASRec into the
// registry and activates it; the service, following the registry's `current`, hot-swaps it in. Progress comes
// back over the IPC channel as messages; the child's own output goes to a log file.
import { type ChildProcess, fork } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { setPriority } from "node:os";
import { dirname, join } from "node:path";
import type { Command } from "commander";
import { type RunResult, readRunResult } from "../eval/index.js";
import type { FitConfig } from "../train/fit.js";
import { runNextItem } from "../train/run.js";
import { exportRun } from "./export.js";

/** What the child is asked to do (the hidden command's one argument, as JSON). */
export interface TrainJob {
  dataset: string;
  /** The SASRec run directory (an unfinished one resumes; a finished one is only exported). */
  runDir: string;
  /** Where Pop's evaluation run is written. */
  popDir: string;
  registry: string;
  version: string;
  fit: Partial<FitConfig>;
}

/** Test metrics of one run, as the results table shows them. */
export interface RunSummary {
  name: string;
  test: Record<string, number>;
  bestEpoch: number | null;
  epochsRun?: number;
  seconds?: number;
}

export type TrainMessage =
  | { kind: "resume"; epoch: number }
  | {
      kind: "step";
      epoch: number;
      step: number;
      stepsPerEpoch: number;
      loss: number;
      tokensPerSecond: number;
    }
  | { kind: "epoch"; epoch: number; loss: number; seconds: number; valid: Record<string, number> }
  | { kind: "phase"; phase: string }
  | { kind: "done"; version: string; sasrec: RunSummary; pop: RunSummary };

const summary = (run: RunResult): RunSummary => ({
  name: run.name,
  test: run.test,
  bestEpoch: run.bestEpoch,
  epochsRun: run.timings.epochsRun,
  seconds: run.timings.total,
});

/** Step messages sent at most this often (an epoch has hundreds of steps). */
const STEP_MS = 250;

async function trainInChild(job: TrainJob, send: (m: TrainMessage) => void): Promise<void> {
  let lastStep = 0;
  const sasrec = existsSync(join(job.runDir, "results.json"))
    ? readRunResult(job.runDir)
    : await runNextItem(
        {
          dataset: job.dataset,
          out: job.runDir,
          model: "sasrec",
          modelConfig: { loss: { kind: "ce" } },
          fit: job.fit,
          seed: 42,
        },
        {
          onResume: (r) => send({ kind: "resume", epoch: r.epoch }),
          onStep: (p) => {
            const now = performance.now();
            if (now - lastStep < STEP_MS && p.step !== p.stepsPerEpoch) return;
            lastStep = now;
            send({ kind: "step", ...p });
          },
          onEpoch: (r) =>
            send({ kind: "epoch", epoch: r.epoch, loss: r.loss, seconds: r.seconds, valid: r.valid }),
        },
      );
  send({ kind: "phase", phase: "evaluating Pop on the test split" });
  const pop = existsSync(join(job.popDir, "results.json"))
    ? readRunResult(job.popDir)
    : await runNextItem({ dataset: job.dataset, out: job.popDir, model: "pop" });
  send({ kind: "phase", phase: `exporting SASRec into the registry as ${job.version}` });
  await exportRun(job.runDir, job.registry, job.version);
  send({ kind: "done", version: job.version, sasrec: summary(sasrec), pop: summary(pop) });
}

/** The hidden `start-train` command the parent forks (not for direct use). */
export function registerStartTrain(program: Command): void {
  program
    .command("start-train <job>", { hidden: true })
    .description("seqrank start's background training (internal)")
    .action(async (json: string) => {
      const send = (m: TrainMessage) => process.send?.(m);
      // The parent gone (killed, closed): stop training; the next start resumes from the checkpoints.
      process.on("disconnect", () => process.exit(0));
      await trainInChild(JSON.parse(json) as TrainJob, send);
      process.disconnect?.();
    });
}

export interface BackgroundTraining {
  child: ChildProcess;
  /** Resolves with the results once the version is exported and activated; rejects if the child fails. */
  done: Promise<Extract<TrainMessage, { kind: "done" }>>;
}

/**
 * Forks the running CLI entry (bin/seqrank.js, dist/cli/index.js, or a .ts entry under `--import tsx`: the
 * same node flags are passed on) with `start-train`; `onMessage` sees every progress message.
 */
export function trainInBackground(
  job: TrainJob,
  logFile: string,
  onMessage: (m: TrainMessage) => void,
): BackgroundTraining {
  mkdirSync(dirname(logFile), { recursive: true });
  const log = openSync(logFile, "a");
  const child = fork(process.argv[1]!, ["start-train", JSON.stringify(job)], {
    stdio: ["ignore", log, log, "ipc"],
  });
  closeSync(log); // the child has its own copy
  try {
    if (child.pid !== undefined) setPriority(child.pid, 10);
  } catch {
    // not permitted here: it still runs on its own threads
  }
  const stop = () => child.kill("SIGTERM");
  process.on("exit", stop);
  const done = new Promise<Extract<TrainMessage, { kind: "done" }>>((resolve, reject) => {
    let finished = false;
    child.on("message", (m: TrainMessage) => {
      onMessage(m);
      if (m.kind !== "done") return;
      finished = true;
      resolve(m);
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      process.off("exit", stop);
      if (!finished)
        reject(new Error(`background training stopped (${signal ?? `exit ${code}`}); see ${logFile}`));
    });
  });
  return { child, done };
}
