// What both stores share: the SQLite file holds the event log, the catalogue, the markers and every user's
// sequence (updated in the event's transaction). Subclasses decide how events are appended, where sequences
// are read from and where caches live.
import type { Cache } from "./cache.js";
import type { Catalogue } from "./catalogue.js";
import type { DeltaLog } from "./delta-log.js";
import type { AppendResult, EventLog } from "./event-log.js";
import type { Markers } from "./markers.js";
import type { Sequences } from "./sequences.js";
import type { InsertOutcome, SqliteTables } from "./sqlite-tables.js";
import type { Store, StoreStats, UserDeletion } from "./store.js";

export abstract class SqliteBackedStore implements Store {
  abstract readonly kind: Store["kind"];
  abstract readonly events: EventLog;
  abstract readonly sequences: Sequences;
  abstract readonly cache: Cache;
  abstract readonly deltas: DeltaLog;
  readonly catalogue: Catalogue;
  readonly markers: Markers;
  protected closed = false;

  constructor(protected readonly tables: SqliteTables) {
    this.catalogue = sqliteCatalogue(tables);
    this.markers = sqliteMarkers(tables);
  }

  /** Removes the user's sequence outside the SQLite file; returns whether there was one. */
  protected abstract deleteSharedSequence(userId: string): Promise<boolean>;
  protected abstract countUsers(): Promise<number>;

  async deleteUser(userId: string): Promise<UserDeletion> {
    const deleted = this.tables.deleteUser(userId);
    const shared = await this.deleteSharedSequence(userId);
    const caches = await this.cache.dropUser(userId);
    return { events: deleted.events, sequence: deleted.sequence || shared, caches };
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

/**
 * The event log in the SQLite file. Inserting the events also extends the users' sequences in the file, in
 * the same transaction; `complete`, when given, then finishes the append elsewhere (RedisStore: the
 * sequences in Redis) and may mark duplicates it completed as fresh.
 */
export function sqliteEventLog(
  tables: SqliteTables,
  complete?: (outcomes: InsertOutcome[], fresh: boolean[]) => Promise<void>,
): EventLog {
  return {
    append: async (events) => {
      const outcomes = await tables.insertEvents(events);
      const fresh = freshFlags(outcomes);
      if (complete) await complete(outcomes, fresh);
      return appendResult(fresh);
    },
    ofUser: async (userId, limit) => tables.userEvents(userId, limit),
  };
}

/** The catalogue in the SQLite file. */
function sqliteCatalogue(tables: SqliteTables): Catalogue {
  return {
    get: async (id) => tables.getItem(id),
    put: async (item) => tables.putItems([item]) === 1,
    putMany: async (items) => tables.putItems(items),
    delete: async (id) => tables.deleteItem(id),
    pages: (pageSize = 1000) => tables.itemPages(pageSize),
  };
}

/** The markers in the SQLite file. */
function sqliteMarkers(tables: SqliteTables): Markers {
  return {
    has: async (name) => tables.hasMarker(name),
    set: async (name) => {
      tables.setMarker(name);
    },
  };
}

/** The result of an append from which of its events were applied now. */
function appendResult(fresh: boolean[]): AppendResult {
  const inserted = fresh.filter(Boolean).length;
  return { inserted, duplicates: fresh.length - inserted, fresh };
}

/** Whether each outcome's event was written by this append. */
const freshFlags = (outcomes: InsertOutcome[]): boolean[] => outcomes.map((o) => o.fresh);
