// Issue #13 item 10, second round: a user's sequence is one row per entry in the SQLite file, so an append
// writes its own entries and does not rewrite the sequence (a JSON row rewritten on every append made a
// commit's cost grow with the sequence). Files of the JSON layout are converted when opened.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { type NewEvent, SqliteStore } from "../../src/serve/storage/index.js";
import { tempDir } from "../serve/helpers.js";

const T = Date.UTC(2026, 0, 1);
const LONG = "x".repeat(100); // long item ids: a rewritten sequence would span many pages
const event = (i: number): NewEvent => ({
  eventId: `e${i}`,
  userId: "u",
  itemId: `${LONG}${i}`,
  type: "view",
  ts: T + i,
  props: null,
});

test("an append to a full 200-item sequence writes a few pages, not the whole sequence", async () => {
  const dir = tempDir("sequence-rows");
  const path = join(dir.path, "store.db");
  const store = new SqliteStore({ path, maxSequenceLength: 200, cacheEntries: 10 });
  await store.appendEvents(Array.from({ length: 200 }, (_, i) => event(i)));
  const file = new Database(path);
  file.pragma("wal_checkpoint(TRUNCATE)");
  await store.appendEvents([event(200)]);
  const [{ log }] = file.pragma("wal_checkpoint(PASSIVE)") as Array<{ log: number }>;
  // The event's row and its two index entries, and one sequence page (the oldest entry trimmed off on
  // the same or a neighbouring page): the 200 entries of ~130 bytes (26 kB) would take seven pages more.
  assert.ok(log <= 6, `one appended event wrote ${log} pages`);
  const sequence = await store.sequence("u");
  assert.equal(sequence.length, 200);
  assert.equal(sequence[0], `${LONG}1`, "the oldest trimmed off");
  assert.equal(sequence[199], `${LONG}200`);
  file.close();
  await store.close();
  dir.remove();
});

test("a file of the JSON layout opens with every sequence, in order and trimmed, and appends go on", async () => {
  const dir = tempDir("sequence-rows");
  const path = join(dir.path, "store.db");
  const first = new SqliteStore({ path, maxSequenceLength: 3, cacheEntries: 10 });
  await first.appendEvents([event(1), event(2)]);
  const entries = (await first.sequence("u")).length;
  await first.close();
  assert.equal(entries, 2);

  // Rewrite the file into the JSON layout: {"t": entries} rows, and the older plain item-id arrays.
  const file = new Database(path);
  const rows = file.prepare("SELECT entry FROM sequences WHERE user_id = 'u' ORDER BY entry").pluck().all();
  file.exec(`DROP TABLE sequences;
    CREATE TABLE sequences (user_id TEXT PRIMARY KEY, items TEXT NOT NULL) WITHOUT ROWID;`);
  file.prepare("INSERT INTO sequences VALUES (?, ?)").run("u", JSON.stringify({ t: rows }));
  file.prepare("INSERT INTO sequences VALUES (?, ?)").run("old", JSON.stringify(["a", "b", "c", "d"]));
  file.close();

  const reopened = new SqliteStore({ path, maxSequenceLength: 3, cacheEntries: 10 });
  assert.deepEqual(await reopened.sequence("u"), [`${LONG}1`, `${LONG}2`]);
  assert.deepEqual(await reopened.sequence("old"), ["b", "c", "d"], "trimmed to the newest 3");
  assert.equal((await reopened.stats()).users, 2);
  await reopened.appendEvents([event(3), { ...event(0), eventId: "backdated" }]);
  assert.deepEqual(await reopened.sequence("u"), [`${LONG}1`, `${LONG}2`, `${LONG}3`]);
  assert.deepEqual((await reopened.deleteUser("old")).sequence, true);
  await reopened.close();

  const check = new Database(path, { readonly: true });
  assert.deepEqual(
    check.prepare("SELECT entry FROM sequences WHERE user_id = 'u'").pluck().all().length,
    3,
    "one row per entry",
  );
  check.close();
  dir.remove();
});
