// Events, catalogue and the durable copy of every sequence in the (shared or local) SQLite file; user
// sequences and caches in Redis, so every replica sees a user's newest behaviour and shares cached results.
// Redis holds nothing the SQLite files cannot rebuild. Keys all start with the configured prefix:
//   <p>timeline:<user> sorted set of the sequence (redis-timeline.ts)   <p>users set of users with one
//   <p>epoch random token naming this Redis's contents                  <p>forget (pub/sub) deleted users
//   <p>cache:<key> cached value (PX ttl)   <p>ucache:<user> set of cache keys tagged with the user
//   <p>deltas stream of interaction deltas (redis-delta-log.ts): live co-visitation and popularity
//
// Every Redis failure is SR_ERR_REDIS (503). Appending events commits to SQLite first, then to the
// sequences in Redis; how those stay complete through outages and resets is in redis-sequences.ts.
// Each replica may keep its own SQLite file, so a user deletion is also published: every replica deletes the
// user from its own file (replicas that are down then miss it; sharing one SQLite file avoids that).
import { Redis } from "ioredis";
import { SeqrankError } from "../../util/errors.js";
import { SqliteBackedStore, sqliteEventLog } from "./base-store.js";
import type { EventLog } from "./event-log.js";
import { RedisCache } from "./redis-cache.js";
import { RedisDeltaLog } from "./redis-delta-log.js";
import { redisCall } from "./redis-exec.js";
import { RedisSequences } from "./redis-sequences.js";
import { SqliteTables } from "./sqlite-tables.js";
import type { UserDeletion } from "./store.js";

export interface RedisStoreOptions {
  sqlitePath: string;
  redisUrl: string;
  prefix: string;
  maxSequenceLength: number;
  /** Interaction deltas kept in the shared stream (approximately; the oldest are trimmed first). */
  deltaLogLength?: number;
}

/** About 100 MB of Redis memory at ~100 bytes a delta. */
const DEFAULT_DELTA_LOG_LENGTH = 1_000_000;
/** A Redis that hangs (paused, overloaded) fails a command after this long instead of holding the request. */
const COMMAND_TIMEOUT_MS = 3000;

export class RedisStore extends SqliteBackedStore {
  readonly kind = "redis" as const;
  readonly events: EventLog;
  readonly sequences: RedisSequences;
  readonly cache: RedisCache;
  readonly deltas: RedisDeltaLog;

  private constructor(
    tables: SqliteTables,
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    private readonly prefix: string,
    maxSequenceLength: number,
    deltaLogLength: number,
  ) {
    super(tables);
    this.deltas = new RedisDeltaLog(redis, `${prefix}deltas`, deltaLogLength);
    this.sequences = new RedisSequences(tables, redis, prefix, maxSequenceLength);
    this.events = sqliteEventLog(tables, (outcomes, fresh) => this.sequences.applyAppended(outcomes, fresh));
    this.cache = new RedisCache(redis, prefix);
  }

  static async open(opts: RedisStoreOptions): Promise<RedisStore> {
    const redis = new Redis(opts.redisUrl, {
      lazyConnect: true,
      maxRetriesPerRequest: 2,
      commandTimeout: COMMAND_TIMEOUT_MS,
    });
    try {
      await redis.connect();
    } catch (err) {
      redis.disconnect();
      throw new SeqrankError("SR_ERR_REDIS", `cannot connect to Redis: ${(err as Error).message}`);
    }
    const tables = new SqliteTables(opts.sqlitePath, opts.maxSequenceLength);
    const subscriber = redis.duplicate();
    // Connection errors surface on the commands (SR_ERR_REDIS) and in the readiness probe; without a
    // listener ioredis would print each reconnect attempt.
    for (const r of [redis, subscriber]) r.on("error", () => {});
    const forget = `${opts.prefix}forget`;
    const deltaLogLength = opts.deltaLogLength ?? DEFAULT_DELTA_LOG_LENGTH;
    const store = new RedisStore(
      tables,
      redis,
      subscriber,
      opts.prefix,
      opts.maxSequenceLength,
      deltaLogLength,
    );
    await redisCall(subscriber.subscribe(forget));
    subscriber.on("message", (channel: string, userId: string) => {
      if (channel !== forget || !tables.db.open) return;
      tables.deleteUser(userId);
      store.sequences.forgetUser(userId);
    });
    await store.sequences.start();
    // After a reconnect: notice a reset at once, and repair what failed during the outage.
    redis.on("ready", () => {
      store.sequences.reconcile().catch(() => {}); // Redis away again: the next operation retries
    });
    return store;
  }

  override async deleteUser(userId: string): Promise<UserDeletion> {
    this.sequences.forgetUser(userId);
    const deletion = await super.deleteUser(userId);
    await redisCall(this.redis.publish(`${this.prefix}forget`, userId));
    return deletion;
  }

  protected deleteSharedSequence(userId: string): Promise<boolean> {
    return this.sequences.delete(userId);
  }

  protected countUsers(): Promise<number> {
    return this.sequences.count();
  }

  override isOpen(): boolean {
    return super.isOpen() && this.redis.status === "ready";
  }

  override async close(): Promise<void> {
    await this.sequences.close();
    await super.close();
    for (const r of [this.subscriber, this.redis]) await r.quit().catch(() => r.disconnect());
  }
}
