// Every Redis failure as one coded error: a refused or dropped connection, a timeout, ioredis giving up
// (MaxRetriesPerRequestError), a failed command inside a MULTI or pipeline — all SR_ERR_REDIS, which the
// service answers with 503 and Retry-After. A Redis that was reset under us (its epoch key changed, see
// redis-store.ts) is a RedisResetError, still SR_ERR_REDIS should it reach a client.
import { SeqrankError } from "../../util/errors.js";

type ExecResult = [error: Error | null, result: unknown][];

/** The reply our scripts give when the epoch key is not the one the caller applies under. */
export const EPOCH_REPLY = "SR_EPOCH";

export class RedisResetError extends SeqrankError {
  constructor() {
    super("SR_ERR_REDIS", "Redis was reset (its epoch key changed); sequences are being rebuilt");
  }
}

/** Any error from ioredis as SR_ERR_REDIS (a RedisResetError for our scripts' epoch reply). */
export function redisError(err: unknown): SeqrankError {
  if (err instanceof SeqrankError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (message.startsWith(EPOCH_REPLY)) return new RedisResetError();
  return new SeqrankError("SR_ERR_REDIS", `Redis failed: ${message}`);
}

/** Awaits one Redis command, mapping any failure to SR_ERR_REDIS. */
export async function redisCall<T>(pending: Promise<T>): Promise<T> {
  try {
    return await pending;
  } catch (err) {
    throw redisError(err);
  }
}

/** Runs a queued MULTI or pipeline and surfaces the first per-command error (ioredis only reports them inline). */
export async function execOrThrow(pending: Promise<ExecResult | null>): Promise<ExecResult> {
  const results = await redisCall(pending);
  if (!results) throw new SeqrankError("SR_ERR_REDIS", "Redis transaction was aborted");
  const failed = results.find(([e]) => e);
  if (failed) throw redisError(failed[0]);
  return results;
}
