// Issue #13 item 10: a user's sequence is read from the user's events (and seeded entries), so an append
// writes its event rows and nothing else: no rewritten sequence (a JSON row rewritten on every append made a
// commit's cost grow with the sequence), no copied entry, no trim. Files of the earlier layouts (a JSON row
// per user; a copy of every event's entry) are converted when opened.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { type NewEvent, SqliteStore } from "../../src/serve/storage/index.js";
import { eventEntry } from "../../src/serve/storage/timeline.js";
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

test("an append to a full 200-item sequence writes its event's pages only", async () => {
  const dir = tempDir("sequence-rows");
  const path = join(dir.path, "store.db");
  const store = new SqliteStore({ path, maxSequenceLength: 200, cacheEntries: 10 });
  await store.events.append(Array.from({ length: 200 }, (_, i) => event(i)));
  const file = new Database(path);
  file.pragma("wal_checkpoint(TRUNCATE)");
  await store.events.append([event(200)]);
  const [{ log }] = file.pragma("wal_checkpoint(PASSIVE)") as Array<{ log: number }>;
  // The event's row and its two index entries (event_id; user and time), the sequence_users lookup writing
  // nothing: a copied entry and its trim would take a page or two more, a rewritten sequence seven more.
  assert.ok(log <= 4, `one appended event wrote ${log} pages`);
  const sequence = await store.sequences.get("u");
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
  await first.events.append([event(1), event(2)]);
  const entries = (await first.sequences.get("u")).length;
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
  assert.deepEqual(await reopened.sequences.get("u"), [`${LONG}1`, `${LONG}2`]);
  assert.deepEqual(await reopened.sequences.get("old"), ["b", "c", "d"], "trimmed to the newest 3");
  assert.equal((await reopened.stats()).users, 2);
  await reopened.events.append([event(3), { ...event(0), eventId: "backdated" }]);
  assert.deepEqual(await reopened.sequences.get("u"), [`${LONG}1`, `${LONG}2`, `${LONG}3`]);
  assert.deepEqual((await reopened.deleteUser("old")).sequence, true);
  await reopened.close();

  const check = new Database(path, { readonly: true });
  assert.equal(
    check.prepare("SELECT count(*) FROM sequences WHERE user_id = 'u'").pluck().get(),
    0,
    "the copies of u's events are gone: its sequence is read from its events",
  );
  check.close();
  dir.remove();
});

test("a file that copied events into `sequences` opens with each event once, its seeds kept", async () => {
  const dir = tempDir("sequence-rows");
  const path = join(dir.path, "store.db");
  const first = new SqliteStore({ path, maxSequenceLength: 10, cacheEntries: 10 });
  await first.sequences.seed([["u", ["s1", "s2"], [T - 2, T - 1]]]);
  await first.events.append([event(1), event(2)]);
  const expected = await first.sequences.get("u");
  await first.close();
  assert.deepEqual(expected, ["s1", "s2", `${LONG}1`, `${LONG}2`]);

  // The layout before: every event's entry copied into `sequences` too, and no marker of the new one.
  const file = new Database(path);
  const fileId = file.prepare("SELECT value FROM store_meta WHERE name = 'file_id'").pluck().get() as string;
  const events = file.prepare("SELECT ts, seq, item_id FROM events WHERE user_id = 'u'").raw().all();
  const copy = file.prepare("INSERT INTO sequences (user_id, entry) VALUES ('u', ?)");
  for (const [ts, seq, item] of events as Array<[number, number, string]>)
    copy.run(eventEntry(ts, seq, item, fileId));
  file.prepare("DELETE FROM store_meta WHERE name = 'sequences_derived_from_events'").run();
  file.close();

  const reopened = new SqliteStore({ path, maxSequenceLength: 10, cacheEntries: 10 });
  assert.deepEqual(await reopened.sequences.get("u"), expected, "no event twice");
  await reopened.close();
  const check = new Database(path, { readonly: true });
  assert.equal(check.prepare("SELECT count(*) FROM sequences").pluck().get(), 2, "the two seeds only");
  check.close();
  dir.remove();
});
