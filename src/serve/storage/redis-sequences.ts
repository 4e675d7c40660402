// User sequences in Redis (RedisStore): a merge of the sequences in the SQLite file, kept complete through
// outages and resets (see redis-store.ts).
// Outages: an append commits to SQLite first; if Redis then fails, the users are remembered and repaired
// from the file once Redis answers again, and a retry of the same event ids re-applies the user's sequence
// from the file (the retry then counts the events it completed).
// Resets: the epoch key vanishes with a Redis that restarts empty. Scripts check it, so the first operation
// after a reset notices; this process adopts a new epoch, rebuilds every sequence of its SQLite file in the
// background, and meanwhile repairs each user from the file before reading them — answers stay complete.
// The file records the epoch it was last fully copied into, so a process that starts on a reset Redis
// rebuilds before serving.
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { RedisResetError, redisCall } from "./redis-exec.js";
import { RedisTimelines } from "./redis-timeline.js";
import type { SeedSequence, Sequences } from "./sequences.js";
import type { InsertOutcome, SqliteTables } from "./sqlite-tables.js";
import { seededPart, type TimelineEntry } from "./timeline.js";

/** Users per pipeline when rebuilding from the SQLite file. */
const REBUILD_PAGE = 500;
/** store_meta name of the epoch whose Redis holds every sequence of this file. */
const MIRRORED_EPOCH = "redis_epoch";

export class RedisSequences implements Sequences {
  private readonly timelines: RedisTimelines;
  /** The epoch this process applies under; sequences are complete under it once `synced`. */
  private epoch = "";
  private synced = false;
  private rebuilding: Promise<void> | null = null;
  private resyncing: Promise<void> | null = null;
  /** Users whose sequence write failed: repaired from the file before their next read, or on reconnect. */
  private readonly dirty = new Set<string>();
  private closed = false;

  constructor(
    private readonly tables: SqliteTables,
    private readonly redis: Redis,
    prefix: string,
    maxSequenceLength: number,
  ) {
    this.timelines = new RedisTimelines(redis, prefix, maxSequenceLength);
  }

  /** Adopts Redis's epoch and, when the file is not complete in it yet, rebuilds before resolving. */
  async start(): Promise<void> {
    await this.resync();
    await this.rebuilding;
  }

  async get(userId: string): Promise<string[]> {
    return this.withEpoch(async (epoch) => {
      if (!this.synced || this.dirty.has(userId)) await this.repair([userId], epoch);
      return this.timelines.read(userId, epoch);
    });
  }

  key(userId: string): string {
    return userId;
  }

  async *pages(pageSize = 1000): AsyncIterable<Array<[string, string[]]>> {
    await this.reconcile();
    if (!this.synced) await this.rebuild();
    yield* this.timelines.pages(pageSize);
  }

  async seed(sequences: Iterable<SeedSequence>): Promise<number> {
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

  /**
   * Puts the events an append just committed to the file into the users' sequences, and marks as `fresh`
   * the duplicates whose sequence write this append completed. When Redis fails the users are repaired
   * later (and the error is thrown).
   */
  async applyAppended(outcomes: InsertOutcome[], fresh: boolean[]): Promise<void> {
    const batch = this.appliedBatch(outcomes);
    try {
      const added = await this.withEpoch((epoch) => this.timelines.apply(batch, epoch));
      this.countCompleted(outcomes, fresh, added);
    } catch (err) {
      for (const [userId] of batch) this.dirty.add(userId);
      throw err;
    }
    this.repairDirtyInBackground();
  }

  /** The user was deleted (here or by another replica): nothing left to repair. */
  forgetUser(userId: string): void {
    this.dirty.delete(userId);
  }

  /** Removes the user's sequence from Redis; returns whether there was one. */
  delete(userId: string): Promise<boolean> {
    return this.timelines.delete(userId);
  }

  /** Users with a sequence in Redis. */
  count(): Promise<number> {
    return this.timelines.count();
  }

  /** Waits for a rebuild in progress; none continues after. */
  async close(): Promise<void> {
    await this.rebuilding?.catch(() => {});
    this.closed = true;
  }

  /** Checks the epoch (a reset starts a rebuild) and repairs the users whose writes failed. */
  async reconcile(): Promise<void> {
    const epoch = await redisCall(this.redis.get(this.timelines.epochKey()));
    if (epoch !== this.epoch) await this.resync();
    else if (!this.synced) this.rebuild().catch(() => {});
    await this.repair([...this.dirty], this.epoch);
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
}
