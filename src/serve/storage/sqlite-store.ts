// Everything in one embedded SQLite file: events, catalogue and user sequences (the sequence update commits
// in the same transaction as its events) and the interaction delta log, plus an in-process cache. The
// default store.
import { SqliteBackedStore, sqliteEventLog } from "./base-store.js";
import type { Cache } from "./cache.js";
import type { EventLog } from "./event-log.js";
import { MemoryCache } from "./memory-cache.js";
import type { Sequences } from "./sequences.js";
import { SqliteDeltaLog } from "./sqlite-delta-log.js";
import { SqliteTables } from "./sqlite-tables.js";
import { entryItem } from "./timeline.js";

export interface SqliteStoreOptions {
  path: string;
  maxSequenceLength: number;
  cacheEntries: number;
}

export class SqliteStore extends SqliteBackedStore {
  readonly kind = "sqlite" as const;
  readonly events: EventLog;
  readonly sequences: Sequences;
  readonly cache: Cache;
  readonly deltas: SqliteDeltaLog;

  constructor(opts: SqliteStoreOptions) {
    const tables = new SqliteTables(opts.path, opts.maxSequenceLength);
    super(tables);
    this.events = sqliteEventLog(tables);
    this.sequences = sqliteSequences(tables);
    this.cache = memoryCache(new MemoryCache(opts.cacheEntries));
    this.deltas = new SqliteDeltaLog(tables);
  }

  protected async deleteSharedSequence(): Promise<boolean> {
    return false; // the sequence lives in the SQLite file only
  }

  protected async countUsers(): Promise<number> {
    return this.tables.countSequences();
  }
}

/** The sequences read from the SQLite file. */
function sqliteSequences(tables: SqliteTables): Sequences {
  return {
    get: async (userId) => tables.sequenceItems(userId),
    key: (userId) => userId,
    async *pages(pageSize = 1000) {
      for await (const page of tables.sequencePages(pageSize))
        yield page.map(([userId, entries]): [string, string[]] => [userId, entries.map(entryItem)]);
    },
    seed: async (sequences) => tables.seedSequences(sequences).length,
  };
}

/** The in-process cache behind the Cache contract. */
function memoryCache(cache: MemoryCache): Cache {
  return {
    get: async (key) => cache.get(key),
    set: async (key, value, ttlMs, userId) => cache.set(key, value, ttlMs, userId),
    dropUser: async (userId) => cache.dropUser(userId),
  };
}
