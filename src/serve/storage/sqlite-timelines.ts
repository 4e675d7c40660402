// Every user's sequence in the SQLite file, one row per timeline entry (timeline.ts): the primary key
// (user_id, entry) is the sequence's order, so an append inserts its entries and trims the user's oldest
// beyond the maximum length, without reading or rewriting the rest. (An earlier layout kept each sequence
// as one JSON row rewritten on every append: the cost of a commit grew with the sequence, and batches ran
// at half the speed.) Files of that layout are converted when opened, in one transaction.
import type Database from "better-sqlite3";
import { decodeEntries, type TimelineEntry } from "./timeline.js";

// The table keeps the name `sequences` and its user_id column, so a file holds one sequence table whatever
// version wrote it. `sequence_users` lists the users with one: counting and paging users then reads one
// row per user, not every entry (a count over millions of entries would block the loop for a /metrics
// scrape).
const SCHEMA = `CREATE TABLE IF NOT EXISTS sequences (
  user_id TEXT NOT NULL,
  entry TEXT NOT NULL,
  PRIMARY KEY (user_id, entry)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sequence_users (user_id TEXT PRIMARY KEY) WITHOUT ROWID`;

const MIGRATION_PAGE = 1000;

export class SqliteTimelines {
  private readonly stmts;

  constructor(
    db: Database.Database,
    private readonly maxLength: number,
  ) {
    convertJsonRows(db, maxLength);
    db.exec(SCHEMA);
    this.stmts = {
      insert: db.prepare("INSERT OR IGNORE INTO sequences (user_id, entry) VALUES (?, ?)"),
      insertUser: db.prepare("INSERT OR IGNORE INTO sequence_users (user_id) VALUES (?)"),
      // Everything older than the user's maxLength-th newest entry (nothing while there are fewer).
      trim: db.prepare(
        `DELETE FROM sequences WHERE user_id = @user AND entry <
           (SELECT entry FROM sequences WHERE user_id = @user ORDER BY entry DESC LIMIT 1 OFFSET @newer)`,
      ),
      read: db.prepare("SELECT entry FROM sequences WHERE user_id = ? ORDER BY entry").pluck(),
      exists: db.prepare("SELECT 1 FROM sequence_users WHERE user_id = ?").pluck(),
      page: db
        .prepare(
          `SELECT user_id, entry FROM sequences WHERE user_id IN
             (SELECT user_id FROM sequence_users WHERE user_id > ? ORDER BY user_id LIMIT ?)
           ORDER BY user_id, entry`,
        )
        .raw(),
      delete: db.prepare("DELETE FROM sequences WHERE user_id = ?"),
      deleteUser: db.prepare("DELETE FROM sequence_users WHERE user_id = ?"),
      count: db.prepare("SELECT count(*) FROM sequence_users").pluck(),
    };
  }

  /** Puts the entries into the user's sequence at their places and keeps its newest maxLength (in the caller's transaction). */
  add(userId: string, entries: readonly TimelineEntry[]): void {
    this.stmts.insertUser.run(userId);
    for (const e of entries) this.stmts.insert.run(userId, e);
    this.stmts.trim.run({ user: userId, newer: this.maxLength - 1 });
  }

  /** The user's entries, oldest first (empty when none). */
  read(userId: string): TimelineEntry[] {
    return this.stmts.read.all(userId) as TimelineEntry[];
  }

  has(userId: string): boolean {
    return this.stmts.exists.get(userId) !== undefined;
  }

  /** The sequences of the first `limit` users after `afterUser` (in user order). */
  page(afterUser: string, limit: number): Array<[string, TimelineEntry[]]> {
    const out: Array<[string, TimelineEntry[]]> = [];
    for (const [user, entry] of this.stmts.page.all(afterUser, limit) as Array<[string, string]>) {
      const last = out[out.length - 1];
      if (last?.[0] === user) last[1].push(entry);
      else out.push([user, [entry]]);
    }
    return out;
  }

  /** Removes the user's sequence; returns whether there was one. */
  delete(userId: string): boolean {
    this.stmts.deleteUser.run(userId);
    return this.stmts.delete.run(userId).changes > 0;
  }

  /** Users with a sequence. */
  count(): number {
    return this.stmts.count.get() as number;
  }
}

/** A `sequences` table of the JSON layout (one row per user) becomes the per-entry table, in one transaction. */
function convertJsonRows(db: Database.Database, maxLength: number): void {
  const jsonLayout = () =>
    db.prepare("SELECT name FROM pragma_table_info('sequences')").pluck().all().includes("items");
  if (!jsonLayout()) return;
  db.transaction(() => {
    if (!jsonLayout()) return; // another process sharing the file converted it meanwhile
    db.exec("ALTER TABLE sequences RENAME TO sequences_json");
    db.exec(SCHEMA);
    const rows = db
      .prepare("SELECT user_id, items FROM sequences_json WHERE user_id > ? ORDER BY user_id LIMIT ?")
      .raw();
    const insert = db.prepare("INSERT OR IGNORE INTO sequences (user_id, entry) VALUES (?, ?)");
    const insertUser = db.prepare("INSERT OR IGNORE INTO sequence_users (user_id) VALUES (?)");
    let after = "";
    for (;;) {
      const page = rows.all(after, MIGRATION_PAGE) as Array<[string, string]>;
      if (page.length === 0) break;
      for (const [user, json] of page) {
        const entries = decodeEntries(json).slice(-maxLength);
        if (entries.length > 0) insertUser.run(user);
        for (const entry of entries) insert.run(user, entry);
      }
      after = page[page.length - 1][0];
    }
    db.exec("DROP TABLE sequences_json");
  }).immediate();
}
