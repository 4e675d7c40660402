// Nothing damaged or foreign opens as a silently empty store: a 0-byte file, another application's SQLite
// database and a file that is not a database are coded errors at open naming the file (and the file is left
// as it was); damage found later (SQLITE_CORRUPT) names the file too. A missing file is created fresh, and a
// file written by an earlier seqrank version opens with its data.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import Database from "better-sqlite3";
import { SqliteStore } from "../../src/serve/index.js";
import { tempDir, testApp } from "../serve/helpers.js";

const dir = tempDir("db-files");
after(() => dir.remove());

const T = Date.UTC(2024, 0, 1);
/** PRAGMA application_id of seqrank files: "sqrk". */
const SEQRANK_APPLICATION_ID = 0x7371726b;
const applicationId = (path: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return db.pragma("application_id", { simple: true });
  } finally {
    db.close();
  }
};
const open = (path: string) => new SqliteStore({ path, maxSequenceLength: 10, cacheEntries: 0 });
/** The coded error for `path`, whose message also says `why`. */
const fileError = (path: string, why: RegExp) => (err: unknown) => {
  const e = err as { code?: string; message: string };
  assert.equal(e.code, "SR_ERR_DB_FILE", e.message);
  assert.ok(e.message.includes(path), `names the file: ${e.message}`);
  assert.match(e.message, why);
  return true;
};

test("a 0-byte database file is a coded error naming it, at open and when the service starts", async () => {
  const path = join(dir.path, "empty.db");
  writeFileSync(path, "");
  assert.throws(() => open(path), fileError(path, /empty \(0 bytes\)/));
  await assert.rejects(testApp({ storage: { sqlitePath: path } }), fileError(path, /empty/));
  assert.equal(statSync(path).size, 0, "left as it was");
});

test("another application's SQLite database is refused, untouched", () => {
  const path = join(dir.path, "foreign.db");
  const other = new Database(path);
  other.exec(
    "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices VALUES (1, 9.5)",
  );
  other.close();
  const before = readFileSync(path);
  assert.throws(() => open(path), fileError(path, /not a seqrank database.*invoices/));
  assert.deepEqual(readFileSync(path), before, "no seqrank tables were added to it");
});

test("a file that is not a database is a coded error naming it", () => {
  const path = join(dir.path, "noise.db");
  writeFileSync(path, randomBytes(8192));
  assert.throws(() => open(path), fileError(path, /SQLITE_NOTADB/));
});

test("damage inside a seqrank file (SQLITE_CORRUPT) names the file", async () => {
  const path = join(dir.path, "damaged.db");
  const store = open(path);
  await store.events.append(
    Array.from({ length: 2000 }, (_, i) => ({
      eventId: `e${i}`,
      userId: `u${i % 50}`,
      itemId: `item-${i}`,
      type: "view",
      ts: T + i,
      props: { note: "x".repeat(40) },
    })),
  );
  await store.close();
  // Keep the header page (schema, application id), overwrite every later page with garbage.
  const fd = openSync(path, "r+");
  const size = statSync(path).size;
  writeSync(fd, Buffer.alloc(size - 4096, 0xa5), 0, size - 4096, 4096);
  closeSync(fd);
  const readAll = async () => {
    const damaged = open(path);
    try {
      await damaged.events.ofUser("u1", 100);
      await damaged.stats();
    } finally {
      await damaged.close();
    }
  };
  await assert.rejects(readAll(), fileError(path, /SQLITE_CORRUPT/));
});

test("a missing file is created fresh (no temporary file left); a file of an earlier version keeps its data", async () => {
  const path = join(dir.path, "fresh.db");
  const store = open(path);
  await store.events.append([{ eventId: null, userId: "u", itemId: "a", type: "view", ts: T, props: null }]);
  await store.close();
  assert.ok(existsSync(path));
  assert.deepEqual(
    readdirSync(dir.path).filter((f) => f.includes(".tmp-")),
    [],
  );
  assert.equal(applicationId(path), SEQRANK_APPLICATION_ID, "marked as a seqrank file");
  const reopened = open(path);
  assert.deepEqual(await reopened.sequences.get("u"), ["a"]);
  await reopened.close();

  // An earlier version's file: the same tables, no application id, sequences as plain item ids.
  const legacy = join(dir.path, "legacy.db");
  const old = new Database(legacy);
  old.exec(`CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT UNIQUE, user_id TEXT NOT NULL,
      item_id TEXT NOT NULL, type TEXT NOT NULL, ts INTEGER NOT NULL, props TEXT);
    CREATE TABLE sequences (user_id TEXT PRIMARY KEY, items TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE markers (name TEXT PRIMARY KEY) WITHOUT ROWID;
    CREATE TABLE items (id TEXT PRIMARY KEY, title TEXT, brand TEXT, category TEXT, price REAL,
      in_stock INTEGER NOT NULL, attributes TEXT NOT NULL, updated_at INTEGER NOT NULL) WITHOUT ROWID;
    INSERT INTO events (event_id, user_id, item_id, type, ts) VALUES ('old', 'u', 'y', 'view', ${T});
    INSERT INTO sequences VALUES ('u', '["x","y"]');
    INSERT INTO markers VALUES ('sequences-seeded:demo');`);
  old.close();
  const upgraded = open(legacy);
  assert.deepEqual(await upgraded.sequences.get("u"), ["x", "y"]);
  assert.equal(await upgraded.markers.has("sequences-seeded:demo"), true);
  const again = await upgraded.events.append([
    { eventId: "old", userId: "u", itemId: "y", type: "view", ts: T, props: null },
    { eventId: "new", userId: "u", itemId: "z", type: "view", ts: T + 1, props: null },
  ]);
  assert.deepEqual(again.fresh, [false, true]);
  assert.deepEqual(await upgraded.sequences.get("u"), ["x", "y", "z"]);
  await upgraded.close();
  assert.equal(applicationId(legacy), SEQRANK_APPLICATION_ID, "the earlier version's file is now marked");
});
