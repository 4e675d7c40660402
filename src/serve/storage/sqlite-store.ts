// Everything in one embedded SQLite file: events, catalogue and user sequences (the sequence update commits
// in the same transaction as its events) and the interaction delta log, plus an in-process cache. The
// default store.
import { appendResult, freshFlags, SqliteBackedStore } from "./base-store.js";
import { MemoryCache } from "./memory-cache.js";
import { SqliteDeltaLog } from "./sqlite-delta-log.js";
import { SqliteTables } from "./sqlite-tables.js";
import type { AppendResult, NewEvent, SeedSequence } from "./store.js";
import { entryItem } from "./timeline.js";

export interface SqliteStoreOptions {
  path: string;
  maxSequenceLength: number;
  cacheEntries: number;
}

export class SqliteStore extends SqliteBackedStore {
  readonly kind = "sqlite" as const;
  readonly deltas: SqliteDeltaLog;
  private readonly cache: MemoryCache;

  constructor(opts: SqliteStoreOptions) {
    super(new SqliteTables(opts.path, opts.maxSequenceLength));
    this.cache = new MemoryCache(opts.cacheEntries);
    this.deltas = new SqliteDeltaLog(this.tables);
  }

  async appendEvents(events: NewEvent[]): Promise<AppendResult> {
    return appendResult(freshFlags(await this.tables.insertEvents(events)));
  }

  async sequence(userId: string): Promise<string[]> {
    return this.tables.sequenceItems(userId);
  }

  async *sequences(pageSize = 1000): AsyncIterable<Array<[string, string[]]>> {
    for await (const page of this.tables.sequencePages(pageSize))
      yield page.map(([userId, entries]) => [userId, entries.map(entryItem)]);
  }

  async seedSequences(sequences: Iterable<SeedSequence>): Promise<number> {
    return this.tables.seedSequences(sequences).length;
  }

  async cacheGet(key: string): Promise<string | undefined> {
    return this.cache.get(key);
  }

  async cacheSet(key: string, value: string, ttlMs: number, userId?: string): Promise<void> {
    this.cache.set(key, value, ttlMs, userId);
  }

  async cacheDropUser(userId: string): Promise<number> {
    return this.cache.dropUser(userId);
  }

  protected async deleteSharedSequence(): Promise<boolean> {
    return false; // the sequence lives in the SQLite file only
  }

  protected async countUsers(): Promise<number> {
    return this.tables.countSequences();
  }
}
