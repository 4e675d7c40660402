// Runs a queued MULTI or pipeline and surfaces the first per-command error (ioredis only reports them inline).
import { SeqrankError } from "../../util/errors.js";

type ExecResult = [error: Error | null, result: unknown][];

export async function execOrThrow(pending: Promise<ExecResult | null>): Promise<ExecResult> {
  const results = await pending;
  if (!results) throw new SeqrankError("SR_ERR_REDIS", "Redis transaction was aborted");
  const failed = results.find(([e]) => e);
  if (failed) throw new SeqrankError("SR_ERR_REDIS", `Redis command failed: ${failed[0]!.message}`);
  return results;
}
