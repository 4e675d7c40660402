// Event commits fsync the WAL off the event loop (src/serve/storage/wal-sync.ts), and an event is still
// acknowledged only once that fsync has returned: the append waits for the fsync of the store's own WAL
// file, and a failed fsync fails the append with a coded error naming the file (the request: a 503 with Retry-After, never a 2xx).
import assert from "node:assert/strict";
import fs, { fstatSync, statSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { join } from "node:path";
import { after, afterEach, test } from "node:test";
import { SqliteStore } from "../../src/serve/index.js";
import { groupCommitStore } from "../../src/serve/storage/group-commit.js";
import { tempDir, testApp, WRITE } from "../serve/helpers.js";

const dir = tempDir("wal-sync");
after(() => dir.remove());

const realFdatasync = fs.fdatasync;
/** Replaces fs.fdatasync (for ESM importers too) with `fake`, which gets the fd and the real callback. */
function interceptFdatasync(fake: (fd: number, done: (err: Error | null) => void) => void): void {
  (fs as { fdatasync: unknown }).fdatasync = fake;
  syncBuiltinESMExports();
}
afterEach(() => {
  (fs as { fdatasync: unknown }).fdatasync = realFdatasync;
  syncBuiltinESMExports();
});

const T = Date.UTC(2024, 0, 1);
const event = (n: number) => ({
  eventId: `e${n}`,
  userId: "u",
  itemId: "i",
  type: "view",
  ts: T + n,
  props: null,
});

test("an append resolves only after the fsync of the store's WAL file has returned", async () => {
  const path = join(dir.path, "waits.db");
  const store = new SqliteStore({ path, maxSequenceLength: 10, cacheEntries: 0 });
  const synced: number[] = [];
  let release: (() => void) | undefined;
  interceptFdatasync((fd, done) => {
    synced.push(fstatSync(fd).ino);
    release = () => realFdatasync(fd, done);
  });
  let settled = false;
  const append = store.events.append([event(1)]).finally(() => {
    settled = true;
  });
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(synced, [statSync(`${path}-wal`).ino], "the WAL file is fsync'd once for the commit");
  assert.equal(settled, false, "not acknowledged while the fsync is outstanding");
  release?.();
  assert.equal((await append).inserted, 1);
  await store.close();
});

test("commits made while an fsync runs share the next one, and settle in commit order", {
  timeout: 20_000,
}, async () => {
  const path = join(dir.path, "shares.db");
  const store = new SqliteStore({ path, maxSequenceLength: 100, cacheEntries: 0 });
  const pending: Array<() => void> = [];
  interceptFdatasync((fd, done) => {
    pending.push(() => realFdatasync(fd, done));
  });
  const order: number[] = [];
  const appends = [store.events.append([event(1)]).then(() => order.push(1))];
  await new Promise((r) => setTimeout(r, 20));
  // The first fsync is outstanding: these ten commit now and wait for the next one.
  for (let n = 2; n <= 11; n++) appends.push(store.events.append([event(n)]).then(() => order.push(n)));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(pending.length, 1, "one fsync in flight");
  pending.shift()?.();
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(order, [1], "only the first commit is acknowledged by the first fsync");
  assert.equal(pending.length, 1, "the ten later commits share one fsync");
  pending.shift()?.();
  await Promise.all(appends);
  assert.deepEqual(order, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  await store.close();
});

test("under group commit, the next group commits while the previous group's fsync is in flight", {
  timeout: 20_000,
}, async () => {
  const path = join(dir.path, "pipelined.db");
  const store = groupCommitStore(new SqliteStore({ path, maxSequenceLength: 100, cacheEntries: 0 }), {
    maxBatchEvents: 1000,
  });
  const pending: Array<() => void> = [];
  interceptFdatasync((fd, done) => {
    pending.push(() => realFdatasync(fd, done));
  });
  const first = store.events.append([event(1)]);
  while (pending.length === 0) await new Promise((r) => setTimeout(r, 5));
  const second = store.events.append([{ ...event(2), itemId: "j" }]);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(await store.sequences.get("u"), ["i", "j"], "the second group committed without waiting");
  while (pending.length > 0) pending.shift()?.();
  await first;
  while (pending.length > 0) pending.shift()?.();
  await new Promise((r) => setTimeout(r, 20));
  while (pending.length > 0) pending.shift()?.();
  assert.equal((await second).inserted, 1);
  await store.close();
});

const failingFsync = (_fd: number, done: (err: Error | null) => void) =>
  done(Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" }));

test("a failed WAL fsync fails the append with a coded error naming the file", async () => {
  const path = join(dir.path, "fails.db");
  const store = new SqliteStore({ path, maxSequenceLength: 10, cacheEntries: 0 });
  interceptFdatasync(failingFsync);
  await assert.rejects(store.events.append([event(1)]), (err: { code?: string; message: string }) => {
    assert.equal(err.code, "SR_ERR_DB_FILE");
    assert.match(err.message, /fails\.db-wal: fsync failed: EIO/);
    return true;
  });
  await store.close();
});

test("a failed WAL fsync answers the request with a 503 and Retry-After, not a 2xx", async () => {
  const app = await testApp({ storage: { sqlitePath: join(dir.path, "fails-http.db") } });
  interceptFdatasync(failingFsync);
  const res = await app.inject({
    method: "POST",
    url: "/v1/events",
    headers: WRITE,
    payload: { user_id: "u", item_id: "i", event_id: "lost-1" },
  });
  assert.equal(res.statusCode, 503, res.body);
  assert.equal(res.json().code, "SR_ERR_STORAGE_UNAVAILABLE");
  assert.equal(res.headers["retry-after"], "1");
  await app.close();
});
