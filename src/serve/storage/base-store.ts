// What both stores share: the SQLite file holds the event log, the catalogue, the markers and every user's
// sequence (updated in the event's transaction). Subclasses decide where sequences are read from and where
// caches live.
import type { DeltaLog } from "./delta-log.js";
import type { InsertOutcome, SqliteTables } from "./sqlite-tables.js";
import type {
  AppendResult,
  CatalogItem,
  ItemInput,
  NewEvent,
  SeedSequence,
  Store,
  StoredEvent,
  StoreStats,
  UserDeletion,
} from "./store.js";

export abstract class SqliteBackedStore implements Store {
  abstract readonly kind: Store["kind"];
  abstract readonly deltas: DeltaLog;
  protected closed = false;

  constructor(protected readonly tables: SqliteTables) {}

  abstract appendEvents(events: NewEvent[]): Promise<AppendResult>;
  abstract sequence(userId: string): Promise<string[]>;
  abstract sequences(pageSize?: number): AsyncIterable<Array<[string, string[]]>>;
  abstract seedSequences(sequences: Iterable<SeedSequence>): Promise<number>;
  abstract cacheGet(key: string): Promise<string | undefined>;
  abstract cacheSet(key: string, value: string, ttlMs: number, userId?: string): Promise<void>;
  abstract cacheDropUser(userId: string): Promise<number>;
  /** Removes the user's sequence outside the SQLite file; returns whether there was one. */
  protected abstract deleteSharedSequence(userId: string): Promise<boolean>;
  protected abstract countUsers(): Promise<number>;

  userKey(userId: string): string {
    return userId;
  }

  async userEvents(userId: string, limit: number): Promise<StoredEvent[]> {
    return this.tables.userEvents(userId, limit);
  }

  async hasMarker(name: string): Promise<boolean> {
    return this.tables.hasMarker(name);
  }

  async setMarker(name: string): Promise<void> {
    this.tables.setMarker(name);
  }

  async deleteUser(userId: string): Promise<UserDeletion> {
    const deleted = this.tables.deleteUser(userId);
    const shared = await this.deleteSharedSequence(userId);
    const caches = await this.cacheDropUser(userId);
    return { events: deleted.events, sequence: deleted.sequence || shared, caches };
  }

  async getItem(id: string): Promise<CatalogItem | undefined> {
    return this.tables.getItem(id);
  }

  async putItem(item: ItemInput): Promise<boolean> {
    return this.tables.putItems([item]) === 1;
  }

  async putItems(items: ItemInput[]): Promise<number> {
    return this.tables.putItems(items);
  }

  async deleteItem(id: string): Promise<boolean> {
    return this.tables.deleteItem(id);
  }

  items(pageSize = 1000): AsyncIterable<CatalogItem[]> {
    return this.tables.itemPages(pageSize);
  }

  async stats(): Promise<StoreStats> {
    return { ...this.tables.counts(), users: await this.countUsers() };
  }

  isOpen(): boolean {
    return !this.closed && this.tables.db.open;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.tables.close();
  }
}

/** The result of an append from its per-event outcomes and which of them were applied now. */
export function appendResult(fresh: boolean[]): AppendResult {
  const inserted = fresh.filter(Boolean).length;
  return { inserted, duplicates: fresh.length - inserted, fresh };
}

/** Whether each outcome's event was written by this append. */
export const freshFlags = (outcomes: InsertOutcome[]): boolean[] => outcomes.map((o) => o.fresh);
