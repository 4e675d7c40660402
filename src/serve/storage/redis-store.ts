// Events and catalogue in the (shared or local) SQLite file; user sequences and caches in Redis, so every
// replica sees a user's newest behaviour and shares cached results. Keys all start with the configured prefix:
//   <p>seq:<user> list of item ids (oldest first)   <p>users set of users with a sequence
//   <p>cache:<key> cached value (PX ttl)            <p>ucache:<user> set of cache keys tagged with the user
//   <p>marker:<name> one-time markers               <p>forget (pub/sub channel) deleted users
//   <p>deltas stream of interaction deltas (redis-delta-log.ts): live co-visitation and popularity
// Each replica may keep its own SQLite file, so a user deletion is also published: every replica deletes the
// user's events from its own file (replicas that are down then miss it; sharing one SQLite file avoids that).
import { Redis } from "ioredis";
import { SeqrankError } from "../../util/errors.js";
import { appendResult, appendsByUser, SqliteBackedStore } from "./base-store.js";
import { RedisDeltaLog } from "./redis-delta-log.js";
import { execOrThrow } from "./redis-exec.js";
import { SqliteTables } from "./sqlite-tables.js";
import type { AppendResult, NewEvent, UserDeletion } from "./store.js";

export interface RedisStoreOptions {
  sqlitePath: string;
  redisUrl: string;
  prefix: string;
  maxSequenceLength: number;
  /** Interaction deltas kept in the shared stream (approximately; the oldest are trimmed first). */
  deltaLogLength?: number;
}

/** Seeds a sequence only when the user has none, atomically. */
const SEED_SCRIPT = `if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('RPUSH', KEYS[1], unpack(ARGV, 2))
redis.call('SADD', KEYS[2], ARGV[1])
return 1`;

const SEED_CHUNK = 500;
/** About 100 MB of Redis memory at ~100 bytes a delta. */
const DEFAULT_DELTA_LOG_LENGTH = 1_000_000;

export class RedisStore extends SqliteBackedStore {
  readonly kind = "redis" as const;
  readonly deltas: RedisDeltaLog;

  private constructor(
    tables: SqliteTables,
    maxSequenceLength: number,
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    private readonly prefix: string,
    deltaLogLength: number,
  ) {
    super(tables, maxSequenceLength);
    this.deltas = new RedisDeltaLog(redis, `${prefix}deltas`, deltaLogLength);
  }

  static async open(opts: RedisStoreOptions): Promise<RedisStore> {
    const redis = new Redis(opts.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
    try {
      await redis.connect();
    } catch (err) {
      redis.disconnect();
      throw new SeqrankError("SR_ERR_REDIS", `cannot connect to Redis: ${(err as Error).message}`);
    }
    const tables = new SqliteTables(opts.sqlitePath);
    const subscriber = redis.duplicate();
    const forget = `${opts.prefix}forget`;
    await subscriber.subscribe(forget);
    subscriber.on("message", (channel: string, userId: string) => {
      if (channel === forget && tables.db.open) tables.deleteUserEvents(userId);
    });
    const deltaLogLength = opts.deltaLogLength ?? DEFAULT_DELTA_LOG_LENGTH;
    return new RedisStore(tables, opts.maxSequenceLength, redis, subscriber, opts.prefix, deltaLogLength);
  }

  async appendEvents(events: NewEvent[]): Promise<AppendResult> {
    const inserted = this.tables.insertEvents(events);
    const byUser = appendsByUser(inserted);
    if (byUser.size > 0) {
      const p = this.redis.multi();
      for (const [userId, items] of byUser) {
        const key = this.seqKey(userId);
        p.rpush(key, ...items).ltrim(key, -this.maxSequenceLength, -1);
        p.sadd(this.usersKey(), userId);
      }
      await execOrThrow(p.exec());
    }
    return appendResult(events, inserted);
  }

  async sequence(userId: string): Promise<string[]> {
    return this.redis.lrange(this.seqKey(userId), 0, -1);
  }

  async *sequences(pageSize = 1000): AsyncIterable<Array<[string, string[]]>> {
    let cursor = "0";
    do {
      const [next, users] = await this.redis.sscan(this.usersKey(), cursor, "COUNT", pageSize);
      cursor = next;
      if (users.length === 0) continue;
      const p = this.redis.pipeline();
      for (const userId of users) p.lrange(this.seqKey(userId), 0, -1);
      const results = await execOrThrow(p.exec());
      yield users.map((userId, i) => [userId, results[i][1] as string[]]);
    } while (cursor !== "0");
  }

  async seedSequences(sequences: Iterable<[string, string[]]>): Promise<number> {
    let seeded = 0;
    let p = this.redis.pipeline();
    let queued = 0;
    const flush = async () => {
      const results = await execOrThrow(p.exec());
      for (const [, r] of results) seeded += Number(r);
      p = this.redis.pipeline();
      queued = 0;
    };
    for (const [userId, items] of sequences) {
      if (items.length === 0) continue;
      p.eval(SEED_SCRIPT, 2, this.seqKey(userId), this.usersKey(), userId, ...this.trimmed(items));
      if (++queued === SEED_CHUNK) await flush();
    }
    if (queued > 0) await flush();
    return seeded;
  }

  async hasMarker(name: string): Promise<boolean> {
    return (await this.redis.exists(this.markerKey(name))) === 1;
  }

  async setMarker(name: string): Promise<void> {
    await this.redis.set(this.markerKey(name), "1");
  }

  async cacheGet(key: string): Promise<string | undefined> {
    return (await this.redis.get(this.cacheKey(key))) ?? undefined;
  }

  async cacheSet(key: string, value: string, ttlMs: number, userId?: string): Promise<void> {
    const p = this.redis.multi().set(this.cacheKey(key), value, "PX", ttlMs);
    if (userId !== undefined) {
      // The tag set lives as long as its longest-lived entry (NX sets the first TTL, GT extends it).
      const tags = this.userCacheKey(userId);
      p.sadd(tags, key).pexpire(tags, ttlMs, "NX").pexpire(tags, ttlMs, "GT");
    }
    await execOrThrow(p.exec());
  }

  async cacheDropUser(userId: string): Promise<number> {
    const tags = this.userCacheKey(userId);
    const keys = await this.redis.smembers(tags);
    await this.redis.del(tags, ...keys.map((k) => this.cacheKey(k)));
    return keys.length;
  }

  override async deleteUser(userId: string): Promise<UserDeletion> {
    const deletion = await super.deleteUser(userId);
    await this.redis.publish(`${this.prefix}forget`, userId);
    return deletion;
  }

  protected async deleteSequence(userId: string): Promise<boolean> {
    const results = await execOrThrow(
      this.redis.multi().del(this.seqKey(userId)).srem(this.usersKey(), userId).exec(),
    );
    return Number(results[0][1]) === 1;
  }

  protected async countUsers(): Promise<number> {
    return this.redis.scard(this.usersKey());
  }

  override isOpen(): boolean {
    return super.isOpen() && this.redis.status === "ready";
  }

  override async close(): Promise<void> {
    await super.close();
    for (const r of [this.subscriber, this.redis]) await r.quit().catch(() => r.disconnect());
  }

  private seqKey = (userId: string) => `${this.prefix}seq:${userId}`;
  private usersKey = () => `${this.prefix}users`;
  private markerKey = (name: string) => `${this.prefix}marker:${name}`;
  private cacheKey = (key: string) => `${this.prefix}cache:${key}`;
  private userCacheKey = (userId: string) => `${this.prefix}ucache:${userId}`;
}
