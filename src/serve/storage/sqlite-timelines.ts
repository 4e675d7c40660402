// Every user's sequence in the SQLite file, derived from two sources: the user's events (the event log's
// index by user and time, so an append writes nothing but its event rows) and the entries seeded from a
// training dataset (the `sequences` table, written once per user at seeding). A read merges the newest
// maxLength of both in timeline order (timeline.ts). (Earlier layouts copied every event into `sequences`
// as well and trimmed it on each append: two more B-tree writes per event, about 40% of an event commit's
// cost; before that, one JSON row per user rewritten on every append.) Files of either layout are converted
// when opened, in one transaction.
import type Database from "better-sqlite3";
import { decodeEntries, entryItem, eventEntry, type TimelineEntry } from "./timeline.js";

// `sequence_users` lists the users with a sequence (seeded or with events): counting and paging users then
// reads one row per user, not every event (a count over millions of events would block the loop for a
// /metrics scrape).
const SCHEMA = `CREATE TABLE IF NOT EXISTS sequences (
  user_id TEXT NOT NULL,
  entry TEXT NOT NULL,
  PRIMARY KEY (user_id, entry)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sequence_users (user_id TEXT PRIMARY KEY) WITHOUT ROWID`;

/** store_meta row marking a file whose `sequences` table holds seeds only. */
const DERIVED_LAYOUT = "sequences_derived_from_events";
const MIGRATION_PAGE = 1000;

type EventKey = [ts: number, seq: number, item: string];

export class SqliteTimelines {
  private readonly stmts;

  /** `fileId`: this file's part of its events' entries (timeline.ts). */
  constructor(
    db: Database.Database,
    private readonly maxLength: number,
    private readonly fileId: string,
  ) {
    const limit = Math.trunc(maxLength);
    const arrivalItems = db.prepare("SELECT item_id FROM events WHERE user_id = ? ORDER BY seq").pluck();
    convertJsonRows(db, maxLength, arrivalItems);
    db.exec(SCHEMA);
    dropEventCopies(db);
    this.stmts = {
      arrivalItems,
      insertSeed: db.prepare("INSERT OR IGNORE INTO sequences (user_id, entry) VALUES (?, ?)"),
      insertUser: db.prepare("INSERT OR IGNORE INTO sequence_users (user_id) VALUES (?)"),
      // The limits are literals: a bound LIMIT made these reads two to three times slower (measured).
      newestSeeds: db
        .prepare(`SELECT entry FROM sequences WHERE user_id = ? ORDER BY entry DESC LIMIT ${limit}`)
        .pluck(),
      // Both served by the index events_by_user_time (user_id, ts, seq, item_id) alone.
      newestEvents: db
        .prepare(
          `SELECT ts, seq, item_id FROM events WHERE user_id = ? ORDER BY ts DESC, seq DESC LIMIT ${limit}`,
        )
        .raw(),
      newestItems: db
        .prepare(`SELECT item_id FROM events WHERE user_id = ? ORDER BY ts DESC, seq DESC LIMIT ${limit}`)
        .pluck(),
      exists: db.prepare("SELECT 1 FROM sequence_users WHERE user_id = ?").pluck(),
      users: db
        .prepare("SELECT user_id FROM sequence_users WHERE user_id > ? ORDER BY user_id LIMIT ?")
        .pluck(),
      deleteSeeds: db.prepare("DELETE FROM sequences WHERE user_id = ?"),
      deleteUser: db.prepare("DELETE FROM sequence_users WHERE user_id = ?"),
      count: db.prepare("SELECT count(*) FROM sequence_users").pluck(),
    };
  }

  /** Marks the user as having a sequence (their events are in it already: in the caller's transaction). */
  addUser(userId: string): void {
    this.stmts.insertUser.run(userId);
  }

  /** Stores seeded entries for the user (in the caller's transaction). */
  seed(userId: string, entries: readonly TimelineEntry[]): void {
    this.stmts.insertUser.run(userId);
    for (const e of entries) this.stmts.insertSeed.run(userId, e);
  }

  /** The user's newest maxLength entries, oldest first (empty when none). */
  read(userId: string): TimelineEntry[] {
    return this.merged(userId, this.newestSeeds(userId));
  }

  /** The item ids of `read(userId)`; without seeds, straight from the index (no entry strings built). */
  readItems(userId: string): string[] {
    const seeds = this.newestSeeds(userId);
    if (seeds.length > 0) return this.merged(userId, seeds).map(entryItem);
    return (this.stmts.newestItems.all(userId) as string[]).reverse();
  }

  private newestSeeds(userId: string): TimelineEntry[] {
    return this.stmts.newestSeeds.all(userId) as TimelineEntry[];
  }

  /** The user's newest events merged with their newest seeds (newest first), oldest first. */
  private merged(userId: string, seeds: TimelineEntry[]): TimelineEntry[] {
    const events = (this.stmts.newestEvents.all(userId) as EventKey[]).map(([ts, seq, item]) =>
      eventEntry(ts, seq, item, this.fileId),
    );
    return (seeds.length === 0 ? events : mergeNewest(events, seeds, this.maxLength)).reverse();
  }

  /** The items of all the user's events in arrival order (for converting old layouts). */
  arrivalItems(userId: string): string[] {
    return this.stmts.arrivalItems.all(userId) as string[];
  }

  has(userId: string): boolean {
    return this.stmts.exists.get(userId) !== undefined;
  }

  /** The sequences of the first `limit` users after `afterUser` (in user order). */
  page(afterUser: string, limit: number): Array<[string, TimelineEntry[]]> {
    const users = this.stmts.users.all(afterUser, limit) as string[];
    return users.map((u): [string, TimelineEntry[]] => [u, this.read(u)]).filter(([, e]) => e.length > 0);
  }

  /** Removes the user's seeds and listing (their events are the caller's); returns whether there was one. */
  delete(userId: string): boolean {
    this.stmts.deleteSeeds.run(userId);
    return this.stmts.deleteUser.run(userId).changes > 0;
  }

  /** Users with a sequence. */
  count(): number {
    return this.stmts.count.get() as number;
  }
}

/** The newest `max` of two newest-first lists of entries, newest first (an entry in both counted once). */
function mergeNewest(a: TimelineEntry[], b: TimelineEntry[], max: number): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  let i = 0;
  let j = 0;
  while (out.length < max && (i < a.length || j < b.length)) {
    if (j >= b.length || (i < a.length && a[i] > b[j])) out.push(a[i++]);
    else if (i >= a.length || b[j] > a[i]) out.push(b[j++]);
    else {
      out.push(a[i++]);
      j++;
    }
  }
  return out;
}

/**
 * A file of the copying layout holds its events' entries in `sequences` as well: they are removed (the
 * events table has them), leaving the seeds, in one transaction. Event entries are the ones carrying a file
 * id after the two 11-digit numbers (timeline.ts).
 */
function dropEventCopies(db: Database.Database): void {
  const done = db.prepare("SELECT 1 FROM store_meta WHERE name = ?").pluck();
  if (done.get(DERIVED_LAYOUT) !== undefined) return;
  db.transaction(() => {
    if (done.get(DERIVED_LAYOUT) !== undefined) return; // another process sharing the file did it
    db.exec("DELETE FROM sequences WHERE instr(entry, char(9)) > 23");
    db.prepare("INSERT INTO store_meta (name, value) VALUES (?, '1')").run(DERIVED_LAYOUT);
  }).immediate();
}

/** A `sequences` table of the JSON layout (one row per user) becomes the per-entry table, in one transaction. */
function convertJsonRows(db: Database.Database, maxLength: number, arrivalItems: Database.Statement): void {
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
        const entries = decodeEntries(json, arrivalItems.all(user) as string[]).slice(-maxLength);
        if (entries.length > 0) insertUser.run(user);
        for (const entry of entries) insert.run(user, entry);
      }
      after = page[page.length - 1][0];
    }
    db.exec("DROP TABLE sequences_json");
  }).immediate();
}
