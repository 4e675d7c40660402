// The results.json of one run: what every training or evaluation run writes, and what `compare` reads back.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { SeqrankError } from "../../util/errors.js";

const MetricValues = z.record(z.string(), z.number());

export const EpochRecordSchema = z.object({
  epoch: z.number().int().nonnegative(),
  loss: z.number(),
  /** Validation metrics after this epoch, keyed like "NDCG@10". */
  valid: MetricValues,
  seconds: z.number().nonnegative(),
  /** Learning rate of the epoch's last step (schedules change it step by step). */
  lr: z.number().nonnegative().optional(),
});
export type EpochRecord = z.infer<typeof EpochRecordSchema>;

export const RunResultSchema = z.object({
  /** Label shown in reports and comparisons. */
  name: z.string().min(1),
  model: z.string().min(1),
  dataset: z.string().min(1),
  config: z.record(z.string(), z.unknown()).default({}),
  /** Whether seen items were masked when ranking (results with and without masking are not comparable). */
  maskSeen: z.boolean(),
  /** Epoch whose model produced `valid` and `test` (best validation NDCG@10); null when nothing was trained. */
  bestEpoch: z.number().int().nonnegative().nullable().default(null),
  valid: MetricValues,
  test: MetricValues,
  history: z.array(EpochRecordSchema).default([]),
  /** Wall-clock seconds per phase, e.g. { train: 812.4, evalTest: 1.3 }. */
  timings: z.record(z.string(), z.number()).default({}),
  /** From popularityDeciles(): where top-k recommendations land vs training interactions. */
  popularityBias: z.object({ training: z.array(z.number()), recommended: z.array(z.number()) }).optional(),
  createdAt: z.string().default(() => new Date().toISOString()),
});
export type RunResult = z.infer<typeof RunResultSchema>;
export type RunResultInput = z.input<typeof RunResultSchema>;

export const RESULTS_FILE = "results.json";
export const REPORT_FILE = "report.html";

export function readRunResult(dir: string): RunResult {
  const path = join(dir, RESULTS_FILE);
  if (!existsSync(path)) throw new SeqrankError("SR_ERR_REPORT_MISSING", `no ${RESULTS_FILE} in ${dir}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new SeqrankError("SR_ERR_REPORT_INVALID", `${path} is not valid JSON: ${(err as Error).message}`);
  }
  return parseRunResult(raw, path);
}

/** Validates a run against RunResultSchema (filling defaults); `where` names the source in the error. */
export function parseRunResult(raw: unknown, where: string): RunResult {
  const parsed = RunResultSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SeqrankError(
      "SR_ERR_REPORT_INVALID",
      `${where}: ${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
  }
  return parsed.data;
}
