// Everything in one embedded SQLite file: events, catalogue and user sequences (the sequence update commits
// in the same transaction as its events) and the interaction delta log, plus an in-process cache. The
// default store.
import { appendResult, appendsByUser, SqliteBackedStore } from "./base-store.js";
import { MemoryCache } from "./memory-cache.js";
import { SqliteDeltaLog } from "./sqlite-delta-log.js";
import { SqliteTables } from "./sqlite-tables.js";
import type { AppendResult, NewEvent } from "./store.js";

export interface SqliteStoreOptions {
  path: string;
  maxSequenceLength: number;
  cacheEntries: number;
}

export class SqliteStore extends SqliteBackedStore {
  readonly kind = "sqlite" as const;
  readonly deltas: SqliteDeltaLog;
  private readonly cache: MemoryCache;
  private readonly stmts;

  constructor(opts: SqliteStoreOptions) {
    super(new SqliteTables(opts.path), opts.maxSequenceLength);
    this.cache = new MemoryCache(opts.cacheEntries);
    this.deltas = new SqliteDeltaLog(this.tables.db);
    const db = this.tables.db;
    this.stmts = {
      get: db.prepare("SELECT items FROM sequences WHERE user_id = ?").pluck(),
      page: db
        .prepare("SELECT user_id, items FROM sequences WHERE user_id > ? ORDER BY user_id LIMIT ?")
        .raw(),
      put: db.prepare("INSERT OR REPLACE INTO sequences (user_id, items) VALUES (?, ?)"),
      seed: db.prepare("INSERT OR IGNORE INTO sequences (user_id, items) VALUES (?, ?)"),
      delete: db.prepare("DELETE FROM sequences WHERE user_id = ?"),
      count: db.prepare("SELECT count(*) FROM sequences").pluck(),
      hasMarker: db.prepare("SELECT 1 FROM markers WHERE name = ?").pluck(),
      setMarker: db.prepare("INSERT OR IGNORE INTO markers (name) VALUES (?)"),
    };
  }

  async appendEvents(events: NewEvent[]): Promise<AppendResult> {
    const inserted = this.tables.insertEvents(events, (fresh) => {
      for (const [userId, items] of appendsByUser(fresh)) {
        const seq = this.read(userId);
        seq.push(...items);
        this.stmts.put.run(userId, JSON.stringify(this.trimmed(seq)));
      }
    });
    return appendResult(events, inserted);
  }

  async sequence(userId: string): Promise<string[]> {
    return this.read(userId);
  }

  async *sequences(pageSize = 1000): AsyncIterable<Array<[string, string[]]>> {
    let after = "";
    for (;;) {
      const rows = this.stmts.page.all(after, pageSize) as Array<[string, string]>;
      if (rows.length === 0) return;
      yield rows.map(([userId, items]) => [userId, JSON.parse(items)]);
      after = rows[rows.length - 1][0];
    }
  }

  async seedSequences(sequences: Iterable<[string, string[]]>): Promise<number> {
    const run = this.tables.db.transaction(() => {
      let n = 0;
      for (const [userId, items] of sequences)
        n += this.stmts.seed.run(userId, JSON.stringify(this.trimmed(items))).changes;
      return n;
    });
    return run();
  }

  async hasMarker(name: string): Promise<boolean> {
    return this.stmts.hasMarker.get(name) !== undefined;
  }

  async setMarker(name: string): Promise<void> {
    this.stmts.setMarker.run(name);
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

  protected async deleteSequence(userId: string): Promise<boolean> {
    return this.stmts.delete.run(userId).changes === 1;
  }

  protected async countUsers(): Promise<number> {
    return this.stmts.count.get() as number;
  }

  private read(userId: string): string[] {
    const json = this.stmts.get.get(userId) as string | undefined;
    return json === undefined ? [] : JSON.parse(json);
  }
}
