// `seqrank evaluate <run dir>`: re-evaluates a trained run's best weights (full ranking, leave-one-out), with
// seen-item masking switchable and the cut-offs of your choice.
import type { Command } from "commander";
import { evaluateFullRanking } from "../eval/index.js";
import { tensor } from "../graph/session.js";
import { compileScorer } from "../train/fit.js";
import { loadRun } from "../train/run-dir.js";
import { printResultLine } from "../util/result-line.js";

interface EvaluateFlags {
  split: "valid" | "test";
  maskSeen: boolean;
  ks: string;
  threads?: number;
}

async function evaluateAction(dir: string, flags: EvaluateFlags): Promise<void> {
  const { model, data, run } = loadRun(dir);
  const runner = await compileScorer(model, flags.threads);
  const params = Object.fromEntries(
    [...model.store.entries].map(([name, e]) => [name, tensor(e.value, e.shape)]),
  );
  const evalData = data[flags.split];
  const width = model.nItems + 1;
  const result = await evaluateFullRanking(
    async (rows, out) => {
      const scores = await runner.run({
        ...params,
        ...model.scoreFeeds(
          Array.from(rows, (r) => evalData.histories[r]),
          evalData.contexts && Array.from(rows, (r) => evalData.contexts?.[r]),
        ),
      });
      out.set((scores.scores.data as Float32Array).subarray(0, rows.length * width));
    },
    evalData,
    { maskSeen: flags.maskSeen, ks: flags.ks.split(",").map(Number) as [number, ...number[]] },
  );
  await runner.release();
  printResultLine({
    run: run.name,
    dataset: run.dataset,
    split: flags.split,
    maskSeen: flags.maskSeen,
    users: result.users,
    metrics: result.metrics,
  });
}

export function registerEvaluate(program: Command): void {
  program
    .command("evaluate")
    .description("re-evaluate a trained run's best weights (full ranking over all items)")
    .argument("<run>", "run directory written by seqrank train")
    .option("--split <part>", "valid | test", "test")
    .option("--no-mask-seen", "rank items the user has already interacted with too")
    .option("--ks <list>", "cut-offs", "5,10,20")
    .option("--threads <n>", "ONNX Runtime threads", Number)
    .action(evaluateAction);
}
