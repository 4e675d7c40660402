// Sequences are ordered by event time, ties by arrival (prepare's rule), in both stores: a backdated event
// takes its place, trimming keeps the newest by time, seeds with times interleave with live events. A stored
// count never disagrees with what was stored: a duplicate is only an event_id conflict, and a time the store
// cannot keep exactly (NaN, a fraction) is a coded error, never a silent "duplicate".
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type NewEvent, RedisStore, SqliteStore, type Store } from "../../src/serve/index.js";
import { tempDir, testApp, WRITE } from "../serve/helpers.js";
import { RedisProcess, redisServerMissing } from "./redis-process.js";

const dir = tempDir("store-order");
let redis: RedisProcess | undefined;
const missing = redisServerMissing();
before(async () => {
  if (!missing) redis = await RedisProcess.start();
});
after(async () => {
  await redis?.stop();
  dir.remove();
});

const T = Date.UTC(2024, 0, 1);
const ev = (userId: string, itemId: string, ts: number, eventId: string | null = null): NewEvent => ({
  eventId,
  userId,
  itemId,
  type: "view",
  ts,
  props: null,
});

let opened = 0;
const factories: Record<string, { skip?: string; open: (max: number) => Promise<Store> }> = {
  sqlite: {
    open: async (max) =>
      new SqliteStore({ path: join(dir.path, `s${opened++}.db`), maxSequenceLength: max, cacheEntries: 0 }),
  },
  redis: {
    skip: missing,
    open: (max) =>
      RedisStore.open({
        sqlitePath: join(dir.path, `r${opened}.db`),
        redisUrl: redis!.url,
        prefix: `order${opened++}:`,
        maxSequenceLength: max,
      }),
  },
};

for (const [kind, { skip, open }] of Object.entries(factories)) {
  describe(`${kind} store`, { skip }, () => {
    test("a backdated event takes its place by time; equal times keep arrival order", async () => {
      const store = await open(10);
      await store.events.append([ev("u", "a", T + 1000), ev("u", "b", T + 3000)]);
      await store.events.append([ev("u", "c", T + 2000)]);
      assert.deepEqual(await store.sequences.get("u"), ["a", "c", "b"]);
      await store.events.append([ev("u", "d", T + 2000), ev("u", "e", T + 2000)]);
      assert.deepEqual(await store.sequences.get("u"), ["a", "c", "d", "e", "b"]);
      await store.events.append([ev("u", "first", T)]);
      assert.deepEqual(await store.sequences.get("u"), ["first", "a", "c", "d", "e", "b"]);
      await store.close();
    });

    test("trimming keeps the newest by time, whatever the arrival order", async () => {
      const store = await open(3);
      await store.events.append([5, 1, 4, 2, 3].map((k) => ev("u", `t${k}`, T + k * 1000)));
      assert.deepEqual(await store.sequences.get("u"), ["t3", "t4", "t5"]);
      await store.events.append([ev("u", "too-old", T)]);
      assert.deepEqual(
        await store.sequences.get("u"),
        ["t3", "t4", "t5"],
        "older than a full sequence: not in it",
      );
      await store.events.append([ev("u", "t4.5", T + 4500)]);
      assert.deepEqual(await store.sequences.get("u"), ["t4", "t4.5", "t5"]);
      await store.close();
    });

    test("seeds with times interleave with live events; seeds without times come first", async () => {
      const store = await open(10);
      await store.sequences.seed([
        ["timed", ["s1", "s2"], [T + 1000, T + 3000]],
        ["untimed", ["x", "y"]],
      ]);
      await store.events.append([ev("timed", "live", T + 2000), ev("untimed", "live", T)]);
      assert.deepEqual(await store.sequences.get("timed"), ["s1", "live", "s2"]);
      assert.deepEqual(await store.sequences.get("untimed"), ["x", "y", "live"]);
      await store.close();
    });

    test("only an event_id conflict is a duplicate (in the batch, across batches); other constraint failures throw", async () => {
      const store = await open(10);
      const r1 = await store.events.append([ev("u", "a", T, "e1"), ev("u", "a", T, "e1"), ev("u", "n", T)]);
      assert.deepEqual(r1, { inserted: 2, duplicates: 1, fresh: [true, false, true] });
      const r2 = await store.events.append([ev("u", "a", T, "e1"), ev("u", "n", T)]);
      assert.deepEqual(r2, { inserted: 1, duplicates: 1, fresh: [false, true] });
      assert.deepEqual(await store.sequences.get("u"), ["a", "n", "n"]);
      assert.equal((await store.events.ofUser("u", 10)).length, 3);
      const broken = { ...ev("v", "x", T, "no-item"), itemId: null as unknown as string };
      await assert.rejects(store.events.append([broken]), /NOT NULL/, "not counted as a duplicate");
      assert.deepEqual(await store.events.ofUser("v", 10), []);
      await store.close();
    });

    test("a time that is not integer ms is a coded error and stores nothing of the batch", async () => {
      const store = await open(10);
      for (const ts of [Number.NaN, Number.POSITIVE_INFINITY, T + 0.5]) {
        await assert.rejects(
          store.events.append([ev("u", "ok", T, `ok-${ts}`), ev("u", "bad", ts, `bad-${ts}`)]),
          {
            code: "SR_ERR_VALIDATION",
            message: /ts of event 1/,
          },
        );
      }
      assert.deepEqual(await store.events.ofUser("u", 10), []);
      assert.deepEqual(await store.sequences.get("u"), []);
      await store.close();
    });
  });
}

test("the leap-second event of the issue: stored as counted (or refused), never a phantom duplicate", async () => {
  const app = await testApp();
  try {
    const res = await app.inject({
      method: "POST",
      url: "/v1/events",
      headers: WRITE,
      payload: { user_id: "leap", item_id: "i", event_id: "fresh-leap", ts: "2016-12-31T23:59:60Z" },
    });
    const stored = await app.store.events.ofUser("leap", 10);
    if (res.statusCode === 200) {
      assert.deepEqual(res.json(), { accepted: 1, stored: 1, duplicates: 0 });
      assert.equal(stored.length, 1);
      assert.deepEqual(await app.store.sequences.get("leap"), ["i"]);
    } else {
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().code, "SR_ERR_VALIDATION");
      assert.equal(stored.length, 0);
    }
  } finally {
    await app.close();
  }
});
