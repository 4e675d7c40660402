// User sequences in Redis: one sorted set per user, scored by event time (unix ms, -inf when unknown), each
// member the timeline entry itself (timeline.ts) — equal scores sort by member bytes, so ties follow the
// entry's order (arrival order), exactly as in the SQLite copy. Applying entries is a merge (ZADD NX + trim to the newest), so it
// is idempotent: a retry, a repair and a rebuild can re-apply whatever they like.
// Both scripts first check the epoch key (see redis-store.ts): a Redis that restarted empty, or was reset,
// answers SR_EPOCH instead of silently serving or extending a sequence that lost its history.
import type { Redis } from "ioredis";
import { EPOCH_REPLY, execOrThrow, redisCall } from "./redis-exec.js";
import { entryItem, entryTs, type TimelineEntry } from "./timeline.js";

/** KEYS: timeline, users set, epoch. ARGV: epoch, max length, user id, then score/member pairs. */
const APPLY = `if redis.call('GET', KEYS[3]) ~= ARGV[1] then return redis.error_reply('${EPOCH_REPLY}') end
local added = {}
for i = 4, #ARGV, 2 do added[#added + 1] = redis.call('ZADD', KEYS[1], 'NX', ARGV[i], ARGV[i + 1]) end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[2]) + 1))
redis.call('SADD', KEYS[2], ARGV[3])
for k = 1, #added do
  if added[k] == 1 and not redis.call('ZSCORE', KEYS[1], ARGV[3 + 2 * k]) then added[k] = 0 end
end
return added`;

/** KEYS: timeline, epoch. ARGV: epoch. */
const READ = `if redis.call('GET', KEYS[2]) ~= ARGV[1] then return redis.error_reply('${EPOCH_REPLY}') end
return redis.call('ZRANGE', KEYS[1], 0, -1)`;

interface TimelineCommands {
  srApplyTimeline(timeline: string, users: string, epoch: string, ...args: string[]): Promise<number[]>;
  srReadTimeline(timeline: string, epochKey: string, epoch: string): Promise<string[]>;
}

export class RedisTimelines {
  private readonly scripts: TimelineCommands;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly maxLength: number,
  ) {
    redis.defineCommand("srApplyTimeline", { numberOfKeys: 3, lua: APPLY });
    redis.defineCommand("srReadTimeline", { numberOfKeys: 2, lua: READ });
    this.scripts = redis as unknown as TimelineCommands;
  }

  key = (userId: string) => `${this.prefix}timeline:${userId}`;
  usersKey = () => `${this.prefix}users`;
  epochKey = () => `${this.prefix}epoch`;

  /**
   * Merges each user's entries into their sorted set under `epoch`, in one pipeline. Returns, per user, the
   * members that were missing and are now in the sequence.
   */
  async apply(batch: Array<[string, TimelineEntry[]]>, epoch: string): Promise<Map<string, Set<string>>> {
    const todo = batch.filter(([, entries]) => entries.length > 0);
    const out = new Map<string, Set<string>>();
    if (todo.length === 0) return out;
    const p = this.redis.pipeline() as unknown as TimelineCommands & { exec: Redis["exec"] };
    for (const [userId, entries] of todo) {
      const args = entries.flatMap((e) => [String(entryTs(e) ?? "-inf"), e]);
      p.srApplyTimeline(
        this.key(userId),
        this.usersKey(),
        this.epochKey(),
        epoch,
        String(this.maxLength),
        userId,
        ...args,
      );
    }
    const results = await execOrThrow(p.exec());
    todo.forEach(([userId, entries], i) => {
      const added = results[i][1] as number[];
      out.set(userId, new Set(entries.filter((_, k) => added[k] === 1)));
    });
    return out;
  }

  async read(userId: string, epoch: string): Promise<string[]> {
    const members = await redisCall(this.scripts.srReadTimeline(this.key(userId), this.epochKey(), epoch));
    return members.map(entryItem);
  }

  /** Every user's items in pages (SSCAN: a user may appear twice; pages are about `pageSize` users). */
  async *pages(pageSize: number): AsyncIterable<Array<[string, string[]]>> {
    let cursor = "0";
    do {
      const scan = this.redis.sscan(this.usersKey(), cursor, "COUNT", pageSize);
      const [next, users] = await redisCall(scan);
      cursor = next;
      if (users.length === 0) continue;
      const p = this.redis.pipeline();
      for (const userId of users) p.zrange(this.key(userId), "0", "-1");
      const results = await execOrThrow(p.exec());
      yield users.map((userId, i) => [userId, (results[i][1] as string[]).map(entryItem)]);
    } while (cursor !== "0");
  }

  /** Sequences an earlier version kept as lists under <p>seq:<user> (oldest first), in pages. */
  async *legacyPages(pageSize: number): AsyncIterable<Array<[string, string[]]>> {
    let cursor = "0";
    do {
      const scan = this.redis.sscan(this.usersKey(), cursor, "COUNT", pageSize);
      const [next, users] = await redisCall(scan);
      cursor = next;
      const p = this.redis.pipeline();
      for (const userId of users) p.lrange(`${this.prefix}seq:${userId}`, "0", "-1");
      const results = users.length > 0 ? await execOrThrow(p.exec()) : [];
      yield users.map((userId, i) => [userId, results[i][1] as string[]]);
    } while (cursor !== "0");
  }

  /** Removes the user's sequence; returns whether there was one. */
  async delete(userId: string): Promise<boolean> {
    const results = await execOrThrow(
      this.redis.multi().del(this.key(userId)).srem(this.usersKey(), userId).exec(),
    );
    return Number(results[0][1]) === 1;
  }

  count(): Promise<number> {
    return redisCall(this.redis.scard(this.usersKey()));
  }
}
