// The SQLite file behind both stores: the event log and the catalogue (and, for SqliteStore, sequences).
// WAL + synchronous=FULL: a commit is fsync'd before it returns, so an acknowledged event survives kill -9
// and power loss; WAL lets several server processes share one file.
import Database from "better-sqlite3";
import type { CatalogItem, ItemInput, NewEvent, StoredEvent } from "./store.js";

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
CREATE INDEX IF NOT EXISTS events_by_user ON events (user_id, seq);
CREATE TABLE IF NOT EXISTS sequences (user_id TEXT PRIMARY KEY, items TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS markers (name TEXT PRIMARY KEY) WITHOUT ROWID;
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

export class SqliteTables {
  readonly db: Database.Database;
  private readonly stmts;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = FULL");
    this.db.pragma("busy_timeout = 5000");
    this.db.exec(SCHEMA);
    const db = this.db;
    this.stmts = {
      insertEvent: db.prepare(
        "INSERT OR IGNORE INTO events (event_id, user_id, item_id, type, ts, props) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      userEvents: db.prepare(
        "SELECT * FROM (SELECT * FROM events WHERE user_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq",
      ),
      deleteUserEvents: db.prepare("DELETE FROM events WHERE user_id = ?"),
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
  }

  /**
   * Inserts the events in one transaction; `inTransaction` runs inside it with the events actually
   * inserted (not duplicates), so derived state (SqliteStore's sequences) commits atomically with them.
   */
  insertEvents(events: NewEvent[], inTransaction?: (inserted: NewEvent[]) => void): NewEvent[] {
    const run = this.db.transaction((batch: NewEvent[]) => {
      const inserted: NewEvent[] = [];
      for (const e of batch) {
        const props = e.props === null ? null : JSON.stringify(e.props);
        const r = this.stmts.insertEvent.run(e.eventId, e.userId, e.itemId, e.type, e.ts, props);
        if (r.changes === 1) inserted.push(e);
      }
      inTransaction?.(inserted);
      return inserted;
    });
    return run(events);
  }

  userEvents(userId: string, limit: number): StoredEvent[] {
    return (this.stmts.userEvents.all(userId, limit) as EventRow[]).map(toEvent);
  }

  deleteUserEvents(userId: string): number {
    return this.stmts.deleteUserEvents.run(userId).changes;
  }

  getItem(id: string): CatalogItem | undefined {
    const row = this.stmts.getItem.get(id) as ItemRow | undefined;
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
    return run(items);
  }

  deleteItem(id: string): boolean {
    return this.stmts.deleteItem.run(id).changes === 1;
  }

  itemsPage(afterId: string, limit: number): CatalogItem[] {
    return (this.stmts.itemsPage.all(afterId, limit) as ItemRow[]).map(toItem);
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
    return { events: n(this.stmts.countEvents), items: n(this.stmts.countItems) };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
