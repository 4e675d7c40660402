// The SQLite file behind both stores: the event log, the catalogue, and every user's sequence (a timeline
// read from the user's events and seeds, sqlite-timelines.ts, so the file alone can rebuild everything
// derived from it).
// WAL + synchronous=FULL: a commit is fsync'd before it returns (event commits: before their promise
// resolves, the fsync off the event loop, wal-sync.ts), so an acknowledged event survives kill -9 and power
// loss; WAL lets several server processes share one file.
import { randomBytes } from "node:crypto";
import type Database from "better-sqlite3";
import { SeqrankError } from "../../util/errors.js";
import type { CatalogItem, ItemInput } from "./catalogue.js";
import type { NewEvent, StoredEvent } from "./event-log.js";
import type { SeedSequence } from "./sequences.js";
import { guarded, openDatabase } from "./sqlite-file.js";
import { SqliteTimelines } from "./sqlite-timelines.js";
import { eventEntry, newestEntries, seedEntries, type TimelineEntry } from "./timeline.js";
import { WalSync } from "./wal-sync.js";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT UNIQUE,
  user_id TEXT NOT NULL,
  item_id TEXT NOT NULL,
  type TEXT NOT NULL,
  ts INTEGER NOT NULL,
  props TEXT
);
-- A user's events in time order (ties by arrival), with their items: the sequence reads it alone.
CREATE INDEX IF NOT EXISTS events_by_user_time ON events (user_id, ts, seq, item_id);
DROP INDEX IF EXISTS events_by_user;
CREATE TABLE IF NOT EXISTS markers (name TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS store_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS items (
  id TEXT PRIMARY KEY,
  title TEXT,
  brand TEXT,
  category TEXT,
  price REAL,
  in_stock INTEGER NOT NULL,
  attributes TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
`;

interface EventRow {
  seq: number;
  event_id: string | null;
  user_id: string;
  item_id: string;
  type: string;
  ts: number;
  props: string | null;
}

interface ItemRow {
  id: string;
  title: string | null;
  brand: string | null;
  category: string | null;
  price: number | null;
  in_stock: number;
  attributes: string;
  updated_at: number;
}

/** One input event after an append: the stored row, and whether this append wrote it (false: an earlier one did). */
export interface InsertOutcome {
  stored: StoredEvent;
  fresh: boolean;
}

const toEvent = (r: EventRow): StoredEvent => ({
  seq: r.seq,
  eventId: r.event_id,
  userId: r.user_id,
  itemId: r.item_id,
  type: r.type,
  ts: r.ts,
  props: r.props === null ? null : JSON.parse(r.props),
});

const toItem = (r: ItemRow): CatalogItem => ({
  id: r.id,
  title: r.title,
  brand: r.brand,
  category: r.category,
  price: r.price,
  inStock: r.in_stock === 1,
  attributes: JSON.parse(r.attributes),
  updatedAt: r.updated_at,
});

/** The store boundary's own check: a time that is not integer ms would be stored as NULL or a float. */
function checkTimes(events: NewEvent[]): void {
  events.forEach((e, i) => {
    if (!Number.isSafeInteger(e.ts))
      throw new SeqrankError(
        "SR_ERR_VALIDATION",
        `ts of event ${i} must be an integer number of Unix milliseconds, got ${String(e.ts)}`,
      );
  });
}

export class SqliteTables {
  readonly db: Database.Database;
  /** Random id of this file, part of every event's timeline entry (replicas with files of their own). */
  readonly fileId: string;
  private readonly stmts;
  private readonly timelines: SqliteTimelines;
  private readonly walSync: WalSync | undefined;

  constructor(
    readonly path: string,
    private readonly maxSequenceLength: number,
  ) {
    this.db = openDatabase(path, (db) => db.exec(SCHEMA));
    const db = this.db;
    this.walSync = this.guard(() => WalSync.of(db, path));
    this.stmts = {
      // Only an event_id conflict is a duplicate; any other constraint failure throws.
      insertEvent: db.prepare(
        `INSERT INTO events (event_id, user_id, item_id, type, ts, props) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (event_id) DO NOTHING`,
      ),
      eventById: db.prepare("SELECT * FROM events WHERE event_id = ?"),
      userEvents: db.prepare(
        `SELECT * FROM (SELECT * FROM events WHERE user_id = ? ORDER BY ts DESC, seq DESC LIMIT ?)
         ORDER BY ts, seq`,
      ),
      deleteUserEvents: db.prepare("DELETE FROM events WHERE user_id = ?"),
      hasMarker: db.prepare("SELECT 1 FROM markers WHERE name = ?").pluck(),
      setMarker: db.prepare("INSERT OR IGNORE INTO markers (name) VALUES (?)"),
      getMeta: db.prepare("SELECT value FROM store_meta WHERE name = ?").pluck(),
      setMeta: db.prepare("INSERT OR REPLACE INTO store_meta (name, value) VALUES (?, ?)"),
      addMeta: db.prepare("INSERT OR IGNORE INTO store_meta (name, value) VALUES (?, ?)"),
      getItem: db.prepare("SELECT * FROM items WHERE id = ?"),
      putItem: db.prepare(
        `INSERT INTO items (id, title, brand, category, price, in_stock, attributes, updated_at)
         VALUES (@id, @title, @brand, @category, @price, @in_stock, @attributes, @updated_at)
         ON CONFLICT (id) DO UPDATE SET title = excluded.title, brand = excluded.brand,
           category = excluded.category, price = excluded.price, in_stock = excluded.in_stock,
           attributes = excluded.attributes, updated_at = excluded.updated_at`,
      ),
      deleteItem: db.prepare("DELETE FROM items WHERE id = ?"),
      itemsPage: db.prepare("SELECT * FROM items WHERE id > ? ORDER BY id LIMIT ?"),
      countEvents: db.prepare("SELECT count(*) AS n FROM events"),
      countItems: db.prepare("SELECT count(*) AS n FROM items"),
    };
    this.fileId = this.guard(() => {
      this.stmts.addMeta.run("file_id", randomBytes(6).toString("base64url"));
      return this.stmts.getMeta.get("file_id") as string;
    });
    this.timelines = this.guard(() => new SqliteTimelines(db, maxSequenceLength, this.fileId));
  }

  /** The timeline entry of a stored event. */
  entry(e: StoredEvent): TimelineEntry {
    return eventEntry(e.ts, e.seq, e.itemId, this.fileId);
  }

  /**
   * Inserts the events, in one transaction (one fsync however many events): the new ones are in their users'
   * sequences at their time from then on. Returns one outcome per input event, in order, once they are durable.
   */
  async insertEvents(events: NewEvent[]): Promise<InsertOutcome[]> {
    checkTimes(events);
    const insert = this.db.transaction(() => this.insertAll(events));
    if (!this.walSync) return this.guard(insert);
    return this.walSync.commit(this.db, () => this.guard(insert));
  }

  private insertAll(events: NewEvent[]): InsertOutcome[] {
    const outcomes: InsertOutcome[] = [];
    const users = new Set<string>();
    for (const e of events) {
      const props = e.props === null ? null : JSON.stringify(e.props);
      const r = this.stmts.insertEvent.run(e.eventId, e.userId, e.itemId, e.type, e.ts, props);
      if (r.changes === 0) {
        outcomes.push({ stored: toEvent(this.stmts.eventById.get(e.eventId) as EventRow), fresh: false });
        continue;
      }
      outcomes.push({ stored: { ...e, seq: Number(r.lastInsertRowid) }, fresh: true });
      users.add(e.userId);
    }
    for (const userId of users) this.timelines.addUser(userId);
    return outcomes;
  }

  /** The user's sequence, oldest first (empty when none). */
  sequence(userId: string): TimelineEntry[] {
    return this.guard(() => this.timelines.read(userId));
  }

  /** The item ids of the user's sequence, oldest first. */
  sequenceItems(userId: string): string[] {
    return this.guard(() => this.timelines.readItems(userId));
  }

  sequencePage(afterUser: string, limit: number): Array<[string, TimelineEntry[]]> {
    return this.guard(() => this.timelines.page(afterUser, limit));
  }

  async *sequencePages(pageSize: number): AsyncIterable<Array<[string, TimelineEntry[]]>> {
    let after = "";
    for (;;) {
      const page = this.sequencePage(after, pageSize);
      if (page.length === 0) return;
      yield page;
      after = page[page.length - 1][0];
    }
  }

  /** Stores the sequences of users who have none, in one transaction; returns those users with their entries. */
  seedSequences(sequences: Iterable<SeedSequence>): Array<[string, TimelineEntry[]]> {
    return this.guard(() =>
      this.db.transaction(() => {
        const seeded: Array<[string, TimelineEntry[]]> = [];
        for (const [userId, items, times] of sequences) {
          if (items.length === 0) continue;
          if (this.timelines.has(userId)) continue;
          const entries = newestEntries(seedEntries(items, times), this.maxSequenceLength);
          this.timelines.seed(userId, entries);
          seeded.push([userId, entries]);
        }
        return seeded;
      })(),
    );
  }

  countSequences(): number {
    return this.guard(() => this.timelines.count());
  }

  /** Removes the user's events and sequence in one transaction. */
  deleteUser(userId: string): { events: number; sequence: boolean } {
    return this.guard(() =>
      this.db.transaction(() => ({
        events: this.stmts.deleteUserEvents.run(userId).changes,
        sequence: this.timelines.delete(userId),
      }))(),
    );
  }

  /** The items of all the user's events in arrival order (for converting old layouts). */
  arrivalItems(userId: string): string[] {
    return this.guard(() => this.timelines.arrivalItems(userId));
  }

  userEvents(userId: string, limit: number): StoredEvent[] {
    return this.guard(() => (this.stmts.userEvents.all(userId, limit) as EventRow[]).map(toEvent));
  }

  hasMarker(name: string): boolean {
    return this.guard(() => this.stmts.hasMarker.get(name) !== undefined);
  }

  setMarker(name: string): void {
    this.guard(() => this.stmts.setMarker.run(name));
  }

  getMeta(name: string): string | undefined {
    return this.guard(() => this.stmts.getMeta.get(name) as string | undefined);
  }

  setMeta(name: string, value: string): void {
    this.guard(() => this.stmts.setMeta.run(name, value));
  }

  getItem(id: string): CatalogItem | undefined {
    const row = this.guard(() => this.stmts.getItem.get(id) as ItemRow | undefined);
    return row && toItem(row);
  }

  /** Upserts items in one transaction; returns how many did not exist before. */
  putItems(items: ItemInput[]): number {
    const run = this.db.transaction((batch: ItemInput[]) => {
      let created = 0;
      const now = Date.now();
      for (const it of batch) {
        if (!this.stmts.getItem.get(it.id)) created++;
        this.stmts.putItem.run({
          id: it.id,
          title: it.title,
          brand: it.brand,
          category: it.category,
          price: it.price,
          in_stock: it.inStock ? 1 : 0,
          attributes: JSON.stringify(it.attributes),
          updated_at: now,
        });
      }
      return created;
    });
    return this.guard(() => run(items));
  }

  deleteItem(id: string): boolean {
    return this.guard(() => this.stmts.deleteItem.run(id).changes === 1);
  }

  itemsPage(afterId: string, limit: number): CatalogItem[] {
    return this.guard(() => (this.stmts.itemsPage.all(afterId, limit) as ItemRow[]).map(toItem));
  }

  async *itemPages(pageSize: number): AsyncIterable<CatalogItem[]> {
    let after = "";
    for (;;) {
      const page = this.itemsPage(after, pageSize);
      if (page.length === 0) return;
      yield page;
      after = page[page.length - 1].id;
    }
  }

  counts(): { events: number; items: number } {
    const n = (s: Database.Statement) => (s.get() as { n: number }).n;
    return this.guard(() => ({ events: n(this.stmts.countEvents), items: n(this.stmts.countItems) }));
  }

  close(): void {
    this.walSync?.close();
    if (this.db.open) this.db.close();
  }

  /** Runs `fn`, naming this file in any damaged-file error. */
  guard<T>(fn: () => T): T {
    return guarded(this.path, fn);
  }
}
