// What both stores share: the event log and the catalogue live in the SQLite file. Subclasses decide where
// user sequences and caches live.
import type { DeltaLog } from "./delta-log.js";
import type { SqliteTables } from "./sqlite-tables.js";
import type {
  AppendResult,
  CatalogItem,
  ItemInput,
  NewEvent,
  Store,
  StoredEvent,
  StoreStats,
  UserDeletion,
} from "./store.js";

export abstract class SqliteBackedStore implements Store {
  abstract readonly kind: Store["kind"];
  abstract readonly deltas: DeltaLog;
  protected closed = false;

  constructor(
    protected readonly tables: SqliteTables,
    protected readonly maxSequenceLength: number,
  ) {}

  abstract appendEvents(events: NewEvent[]): Promise<AppendResult>;
  abstract sequence(userId: string): Promise<string[]>;
  abstract sequences(pageSize?: number): AsyncIterable<Array<[string, string[]]>>;
  abstract seedSequences(sequences: Iterable<[string, string[]]>): Promise<number>;
  abstract hasMarker(name: string): Promise<boolean>;
  abstract setMarker(name: string): Promise<void>;
  abstract cacheGet(key: string): Promise<string | undefined>;
  abstract cacheSet(key: string, value: string, ttlMs: number, userId?: string): Promise<void>;
  abstract cacheDropUser(userId: string): Promise<number>;
  /** Removes the user's sequence; returns whether there was one. */
  protected abstract deleteSequence(userId: string): Promise<boolean>;
  protected abstract countUsers(): Promise<number>;

  userKey(userId: string): string {
    return userId;
  }

  async userEvents(userId: string, limit: number): Promise<StoredEvent[]> {
    return this.tables.userEvents(userId, limit);
  }

  async deleteUser(userId: string): Promise<UserDeletion> {
    const events = this.tables.deleteUserEvents(userId);
    const sequence = await this.deleteSequence(userId);
    const caches = await this.cacheDropUser(userId);
    return { events, sequence, caches };
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

  /** Appends items to a sequence and keeps its newest `maxSequenceLength`. */
  protected trimmed(items: string[]): string[] {
    return items.length > this.maxSequenceLength ? items.slice(-this.maxSequenceLength) : items;
  }
}

/** The result of appending `events` of which `inserted` (the same objects) were new. */
export function appendResult(events: NewEvent[], inserted: NewEvent[]): AppendResult {
  const written = new Set(inserted);
  return {
    inserted: inserted.length,
    duplicates: events.length - inserted.length,
    fresh: events.map((e) => written.has(e)),
  };
}

/** Groups inserted events by user, in arrival order: user → item ids to append. */
export function appendsByUser(events: NewEvent[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of events) {
    const items = out.get(e.userId);
    if (items) items.push(e.itemId);
    else out.set(e.userId, [e.itemId]);
  }
  return out;
}
