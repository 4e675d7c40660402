// The delta log as one Redis stream shared by every replica (stream ids are the cursors). Each replica follows
// it with a blocking XREAD on a connection of its own, so another replica's deltas reach it about one round
// trip after they are appended. The stream is capped (MAXLEN ~ maxLength): a replica that starts later
// replays only the newest deltas.
import type { Redis } from "ioredis";
import type { DeltaLog, DeltaPage, InteractionDelta } from "./delta-log.js";
import { execOrThrow, redisCall } from "./redis-exec.js";

/** How long one XREAD blocks before it is reissued, and the pause after a Redis error before retrying. */
const BLOCK_MS = 5000;
const RETRY_MS = 1000;
/** The blocking read's own command timeout: longer than it blocks. */
const COMMAND_MARGIN_MS = 2000;

export class RedisDeltaLog implements DeltaLog {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly maxLength: number,
  ) {}

  async append(deltas: InteractionDelta[]): Promise<void> {
    if (deltas.length === 0) return;
    const p = this.redis.pipeline();
    for (const d of deltas) p.xadd(this.key, "MAXLEN", "~", this.maxLength, "*", "d", JSON.stringify(d));
    await execOrThrow(p.exec());
  }

  async after(cursor: string, limit: number): Promise<DeltaPage> {
    const start = cursor === "" ? "-" : `(${cursor}`;
    const entries = await redisCall(this.redis.xrange(this.key, start, "+", "COUNT", limit));
    return {
      deltas: entries.map(([, fields]) => JSON.parse(fields[1]) as InteractionDelta),
      cursor: entries.length > 0 ? entries[entries.length - 1][0] : cursor,
    };
  }

  watch(cursor: () => string, onAppend: () => Promise<void>): () => Promise<void> {
    const conn = this.redis.duplicate({ commandTimeout: BLOCK_MS + COMMAND_MARGIN_MS });
    conn.on("error", () => {}); // the loop below retries; the store's probe reports Redis away
    let stopped = false;
    const loop = (async () => {
      while (!stopped) {
        try {
          const woke = await conn.xread("BLOCK", BLOCK_MS, "STREAMS", this.key, cursor() || "0");
          if (woke && !stopped) await onAppend();
        } catch {
          // Redis away (the store's readiness probe reports it) or stopping: retry until stopped.
          if (!stopped) await new Promise((r) => setTimeout(r, RETRY_MS));
        }
      }
    })();
    return async () => {
      stopped = true;
      conn.disconnect();
      await loop;
    };
  }
}
