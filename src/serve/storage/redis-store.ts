// Events, catalogue and the durable copy of every sequence in the (shared or local) SQLite file; user
// sequences and caches in Redis, so every replica sees a user's newest behaviour and shares cached results.
// Redis holds nothing the SQLite files cannot rebuild. Keys all start with the configured prefix:
//   <p>timeline:<user> sorted set of the sequence (redis-timeline.ts)   <p>users set of users with one
//   <p>epoch random token naming this Redis's contents                  <p>forget (pub/sub) deleted users
//   <p>cache:<key> cached value (PX ttl)   <p>ucache:<user> set of cache keys tagged with the user
//   <p>deltas stream of interaction deltas (redis-delta-log.ts): live co-visitation and popularity
//
// Outages: every Redis failure is SR_ERR_REDIS (503). An append commits to SQLite first; if Redis then fails,
// the users are remembered and repaired from the file once Redis answers again, and a retry of the same
// event ids re-applies the user's sequence from the file (the retry then counts the events it completed).
// Resets: the epoch key vanishes with a Redis that restarts empty. Scripts check it, so the first operation
// after a reset notices; this process adopts a new epoch, rebuilds every sequence of its SQLite file in the
// background, and meanwhile repairs each user from the file before reading them — answers stay complete.
// The file records the epoch it was last fully copied into, so a process that starts on a reset Redis
// rebuilds before serving.
// Each replica may keep its own SQLite file, so a user deletion is also published: every replica deletes the
// user from its own file (replicas that are down then miss it; sharing one SQLite file avoids that).
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { SeqrankError } from "../../util/errors.js";
import { appendResult, freshFlags, SqliteBackedStore } from "./base-store.js";
import { RedisDeltaLog } from "./redis-delta-log.js";
import { execOrThrow, RedisResetError, redisCall } from "./redis-exec.js";
import { RedisTimelines } from "./redis-timeline.js";
import { type InsertOutcome, SqliteTables } from "./sqlite-tables.js";
import type { AppendResult, NewEvent, SeedSequence, UserDeletion } from "./store.js";
import { seededPart, type TimelineEntry } from "./timeline.js";

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
/** Users per pipeline when rebuilding from the SQLite file. */
const REBUILD_PAGE = 500;
/** store_meta name of the epoch whose Redis holds every sequence of this file. */
const MIRRORED_EPOCH = "redis_epoch";

export class RedisStore extends SqliteBackedStore {
  readonly kind = "redis" as const;
  readonly deltas: RedisDeltaLog;
  private readonly timelines: RedisTimelines;
  /** The epoch this process applies under; sequences are complete under it once `synced`. */
  private epoch = "";
  private synced = false;
  private rebuilding: Promise<void> | null = null;
  private resyncing: Promise<void> | null = null;
  /** Users whose sequence write failed: repaired from the file before their next read, or on reconnect. */
  private readonly dirty = new Set<string>();

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
    this.timelines = new RedisTimelines(redis, prefix, maxSequenceLength);
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
      store.dirty.delete(userId);
    });
    await store.resync();
    await store.rebuilding;
    // After a reconnect: notice a reset at once, and repair what failed during the outage.
    redis.on("ready", () => {
      store.reconcile().catch(() => {}); // Redis away again: the next operation retries
    });
    return store;
  }

  async appendEvents(events: NewEvent[]): Promise<AppendResult> {
    const outcomes = await this.tables.insertEvents(events);
    const fresh = freshFlags(outcomes);
    const batch = this.appliedBatch(outcomes);
    try {
      const added = await this.withEpoch((epoch) => this.timelines.apply(batch, epoch));
      this.countCompleted(outcomes, fresh, added);
    } catch (err) {
      for (const [userId] of batch) this.dirty.add(userId);
      throw err;
    }
    this.repairDirtyInBackground();
    return appendResult(fresh);
  }

  /**
   * What to write to Redis: the new events of each user, or, for a user with a duplicate (a retry, maybe of
   * an event whose sequence write failed), the user's whole sequence from the file.
   */
  private appliedBatch(outcomes: InsertOutcome[]): Array<[string, TimelineEntry[]]> {
    const repair = new Set(outcomes.filter((o) => !o.fresh).map((o) => o.stored.userId));
    const batch = new Map<string, TimelineEntry[]>();
    for (const userId of repair) batch.set(userId, this.tables.sequence(userId));
    for (const o of outcomes) {
      if (!o.fresh || repair.has(o.stored.userId)) continue;
      const entries = batch.get(o.stored.userId);
      if (entries) entries.push(this.tables.entry(o.stored));
      else batch.set(o.stored.userId, [this.tables.entry(o.stored)]);
    }
    return [...batch];
  }

  /** A duplicate whose member was missing from Redis was stored but never applied: this append completed it. */
  private countCompleted(outcomes: InsertOutcome[], fresh: boolean[], added: Map<string, Set<string>>): void {
    const completed = (o: InsertOutcome) => added.get(o.stored.userId)?.delete(this.tables.entry(o.stored));
    for (const o of outcomes) if (o.fresh) completed(o); // written by this append: its copies are duplicates
    outcomes.forEach((o, i) => {
      if (!o.fresh && completed(o)) fresh[i] = true; // delete: a second copy stays a duplicate
    });
  }

  async sequence(userId: string): Promise<string[]> {
    return this.withEpoch(async (epoch) => {
      if (!this.synced || this.dirty.has(userId)) await this.repair([userId], epoch);
      return this.timelines.read(userId, epoch);
    });
  }

  async *sequences(pageSize = 1000): AsyncIterable<Array<[string, string[]]>> {
    await this.reconcile();
    if (!this.synced) await this.rebuild();
    yield* this.timelines.pages(pageSize);
  }

  async seedSequences(sequences: Iterable<SeedSequence>): Promise<number> {
    const seeded = this.tables.seedSequences(sequences);
    try {
      for (let i = 0; i < seeded.length; i += REBUILD_PAGE) {
        const page = seeded.slice(i, i + REBUILD_PAGE);
        await this.withEpoch((epoch) => this.timelines.apply(page, epoch));
      }
    } catch (err) {
      this.synced = false; // the next operation rebuilds from the file, which has the seeds
      this.tables.setMeta(MIRRORED_EPOCH, "");
      throw err;
    }
    return seeded.length;
  }

  async cacheGet(key: string): Promise<string | undefined> {
    return (await redisCall(this.redis.get(this.cacheKey(key)))) ?? undefined;
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
    const keys = await redisCall(this.redis.smembers(tags));
    await redisCall(this.redis.del(tags, ...keys.map((k) => this.cacheKey(k))));
    return keys.length;
  }

  override async deleteUser(userId: string): Promise<UserDeletion> {
    this.dirty.delete(userId);
    const deletion = await super.deleteUser(userId);
    await redisCall(this.redis.publish(`${this.prefix}forget`, userId));
    return deletion;
  }

  protected deleteSharedSequence(userId: string): Promise<boolean> {
    return this.timelines.delete(userId);
  }

  protected countUsers(): Promise<number> {
    return this.timelines.count();
  }

  override isOpen(): boolean {
    return super.isOpen() && this.redis.status === "ready";
  }

  override async close(): Promise<void> {
    await this.rebuilding?.catch(() => {});
    await super.close();
    for (const r of [this.subscriber, this.redis]) await r.quit().catch(() => r.disconnect());
  }

  /** Runs `fn` under the current epoch; after a reset, adopts the new epoch and runs it once more. */
  private async withEpoch<T>(fn: (epoch: string) => Promise<T>): Promise<T> {
    try {
      return await fn(this.epoch);
    } catch (err) {
      if (!(err instanceof RedisResetError)) throw err;
    }
    await this.resync();
    return fn(this.epoch);
  }

  /** Adopts the epoch Redis has (creating one on an empty Redis) and rebuilds if the file is not in it yet. */
  private resync(): Promise<void> {
    this.resyncing ??= (async () => {
      const epochKey = this.timelines.epochKey();
      const created = await redisCall(this.redis.set(epochKey, randomBytes(12).toString("base64url"), "NX"));
      if (created) await this.importLegacyLists();
      const epoch = await redisCall(this.redis.get(epochKey));
      if (epoch === null) throw new RedisResetError();
      if (epoch === this.epoch) return;
      this.epoch = epoch;
      this.synced = this.tables.getMeta(MIRRORED_EPOCH) === epoch;
      if (!this.synced) this.rebuild().catch(() => {}); // failures leave synced false: retried on demand
    })().finally(() => {
      this.resyncing = null;
    });
    return this.resyncing;
  }

  /**
   * An earlier version kept sequences only in Redis lists, live events appended: bring what was seeded into
   * the file (users without a sequence there; their events are in the file's event log).
   */
  private async importLegacyLists(): Promise<void> {
    for await (const page of this.timelines.legacyPages(REBUILD_PAGE))
      this.tables.seedSequences(
        page
          .map(([userId, items]): [string, string[]] => [
            userId,
            seededPart(items, this.tables.arrivalItems(userId)),
          ])
          .filter(([, items]) => items.length > 0),
      );
  }

  /** Copies every sequence of the file into Redis (a merge), then records the epoch as complete. */
  private rebuild(): Promise<void> {
    this.rebuilding ??= (async () => {
      const epoch = this.epoch;
      for await (const page of this.tables.sequencePages(REBUILD_PAGE)) {
        if (this.closed) return;
        await this.timelines.apply(page, epoch);
      }
      this.tables.setMeta(MIRRORED_EPOCH, epoch);
      if (this.epoch === epoch) this.synced = true;
    })().finally(() => {
      this.rebuilding = null;
    });
    return this.rebuilding;
  }

  /** Checks the epoch (a reset starts a rebuild) and repairs the users whose writes failed. */
  private async reconcile(): Promise<void> {
    const epoch = await redisCall(this.redis.get(this.timelines.epochKey()));
    if (epoch !== this.epoch) await this.resync();
    else if (!this.synced) this.rebuild().catch(() => {});
    await this.repair([...this.dirty], this.epoch);
  }

  private repairDirtyInBackground(): void {
    if (this.dirty.size > 0) this.repair([...this.dirty], this.epoch).catch(() => {});
  }

  /** Re-applies the users' sequences from the file; they are no longer dirty once it succeeded. */
  private async repair(users: string[], epoch: string): Promise<void> {
    for (let i = 0; i < users.length; i += REBUILD_PAGE) {
      const page = users.slice(i, i + REBUILD_PAGE);
      await this.timelines.apply(
        page.map((u) => [u, this.tables.sequence(u)]),
        epoch,
      );
      for (const u of page) this.dirty.delete(u);
    }
  }

  private cacheKey = (key: string) => `${this.prefix}cache:${key}`;
  private userCacheKey = (userId: string) => `${this.prefix}ucache:${userId}`;
}
