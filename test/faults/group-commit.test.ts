// Issue #13 item 10: group commit. Concurrent appends share one durable commit; each request still gets
// its own exact counts (duplicates across requests of one group included), resolves only after the shared
// commit, and a failed commit rejects every request in it with the same error, acknowledging none.
import assert from "node:assert/strict";
import { test } from "node:test";
import Database from "better-sqlite3";
import { groupCommitStore } from "../../src/serve/storage/group-commit.js";
import {
  type AppendResult,
  type EventLog,
  type NewEvent,
  SqliteStore,
  type Store,
} from "../../src/serve/storage/index.js";
import { SeqrankError } from "../../src/util/errors.js";
import { tempDir, testApp, WRITE } from "../serve/helpers.js";

const event = (userId: string, eventId: string | null, itemId = "i1"): NewEvent => ({
  eventId,
  userId,
  itemId,
  type: "view",
  ts: Date.UTC(2026, 0, 1),
  props: null,
});

const memoryStore = () => new SqliteStore({ path: ":memory:", maxSequenceLength: 50, cacheEntries: 10 });

/** The store with its `events.append` replaced (calls recorded); every other member is the store's own. */
function spyStore(
  inner: Store,
  append: (events: NewEvent[]) => Promise<AppendResult> = (events) => inner.events.append(events),
): Store & { calls: NewEvent[][] } {
  const calls: NewEvent[][] = [];
  const events: EventLog = {
    append: (batch) => {
      calls.push(batch);
      return append(batch);
    },
    ofUser: (userId, limit) => inner.events.ofUser(userId, limit),
  };
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === "events") return events;
      if (prop === "calls") return calls;
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  }) as Store & { calls: NewEvent[][] };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

test("concurrent POST /v1/events share one commit; per-request counts are exact across duplicates", async () => {
  const spy = spyStore(memoryStore());
  const app = await testApp({}, { store: spy });
  const post = (payload: object) =>
    app.inject({ method: "POST", url: "/v1/events", headers: WRITE, payload });
  const bodies = [
    {
      events: [
        { user_id: "u1", item_id: "i1", event_id: "a" },
        { user_id: "u1", item_id: "i2", event_id: "b" },
      ],
    },
    { user_id: "u2", item_id: "i1", event_id: "a" }, // the first request's "a", in the same group
    {
      events: [
        { user_id: "u3", item_id: "i3", event_id: "b" },
        { user_id: "u3", item_id: "i3", event_id: "c" },
      ],
    },
    { user_id: "u4", item_id: "i4" }, // no event_id: never a duplicate
    { user_id: "u5", item_id: "i5", event_id: "c" },
    ...Array.from({ length: 15 }, (_, i) => ({ user_id: `v${i}`, item_id: "i6", event_id: `v${i}` })),
  ];
  const replies = await Promise.all(bodies.map(post));
  assert.deepEqual(
    replies.slice(0, 5).map((r) => r.json()),
    [
      { accepted: 2, stored: 2, duplicates: 0 },
      { accepted: 1, stored: 0, duplicates: 1 },
      { accepted: 2, stored: 1, duplicates: 1 },
      { accepted: 1, stored: 1, duplicates: 0 },
      { accepted: 1, stored: 0, duplicates: 1 },
    ],
  );
  for (const r of replies.slice(5)) assert.deepEqual(r.json(), { accepted: 1, stored: 1, duplicates: 0 });
  assert.ok(
    spy.calls.length < bodies.length,
    `${bodies.length} concurrent requests took ${spy.calls.length} commits`,
  );
  assert.equal(spy.calls.flat().length, 22, "every event went to the store once");
  assert.equal((await spy.stats()).events, 19, "stored = sum of the per-request `stored`");
  assert.deepEqual(
    (await spy.events.ofUser("u2", 10)).length,
    0,
    "the duplicate of a first request in the same group is not stored",
  );
  await app.close();
  await spy.close();
});

test("appends queued in one turn resolve together, only after their one shared commit", async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const inner = memoryStore();
  const spy = spyStore(inner, async (events) => {
    await gate;
    return inner.events.append(events);
  });
  const store = groupCommitStore(spy, { maxBatchEvents: 1000 });
  const settled: number[] = [];
  const appends = [0, 1, 2, 3].map((i) =>
    store.events.append([event(`u${i}`, `e${i}`)]).then((r) => {
      settled.push(i);
      return r;
    }),
  );
  await nextTurn();
  await nextTurn();
  assert.equal(spy.calls.length, 1, "four appends, one commit");
  assert.deepEqual(settled, [], "no append is acknowledged before the commit");
  release();
  const results = await Promise.all(appends);
  assert.deepEqual(
    results.map((r) => r.inserted),
    [1, 1, 1, 1],
  );
  assert.equal(spy.calls.length, 1);
  await store.close();
});

test("a failed commit rejects every request in it with the same coded error and acknowledges none", async () => {
  const inner = memoryStore();
  const outage = new SeqrankError("SR_ERR_REDIS", "Redis is unreachable");
  let failures = 1;
  const spy = spyStore(inner, async (events) => {
    if (failures-- > 0) throw outage;
    return inner.events.append(events);
  });
  const app = await testApp({}, { store: spy });
  const post = (i: number) =>
    app.inject({
      method: "POST",
      url: "/v1/events",
      headers: WRITE,
      payload: { user_id: `u${i}`, item_id: "i1", event_id: `e${i}` },
    });
  const replies = await Promise.all([0, 1, 2, 3, 4].map(post));
  assert.deepEqual(
    replies.map((r) => [r.statusCode, r.json().code]),
    Array(5).fill([503, "SR_ERR_STORAGE_UNAVAILABLE"]),
    "the whole group failed together",
  );
  assert.equal((await inner.stats()).events, 0, "nothing of the failed group is stored");
  const retry = await post(0);
  assert.deepEqual(retry.json(), { accepted: 1, stored: 1, duplicates: 0 }, "the next commit works");
  await app.close();
  await inner.close();
});

test("the same error object reaches every write of a failed group", async () => {
  const outage = new SeqrankError("SR_ERR_DB_FILE", "store.db: disk I/O error (SQLITE_IOERR)");
  const inner = memoryStore();
  const spy = spyStore(inner, async () => {
    throw outage;
  });
  const store = groupCommitStore(spy, { maxBatchEvents: 1000 });
  const outcomes = await Promise.allSettled(
    [0, 1, 2].map((i) => store.events.append([event(`u${i}`, `e${i}`)])),
  );
  assert.equal(spy.calls.length, 1);
  for (const o of outcomes) assert.equal(o.status === "rejected" && o.reason, outage);
  await store.close();
});

test("one write's invalid input fails that write alone, not the others in its group", async () => {
  const spy = spyStore(memoryStore());
  const store = groupCommitStore(spy, { maxBatchEvents: 1000 });
  const outcomes = await Promise.allSettled([
    store.events.append([event("u1", "ok-1")]),
    store.events.append([{ ...event("u2", "bad"), ts: 1.5 }]), // the store refuses a non-integer ts
    store.events.append([event("u3", "ok-2")]),
  ]);
  assert.deepEqual(
    outcomes.map((o) => (o.status === "fulfilled" ? o.value.inserted : (o.reason as SeqrankError).code)),
    [1, "SR_ERR_VALIDATION", 1],
  );
  assert.equal((await spy.stats()).events, 2);
  await store.close();
});

test("a group takes at most maxBatchEvents events; a larger single write commits whole, alone", async () => {
  const spy = spyStore(memoryStore());
  const store = groupCommitStore(spy, { maxBatchEvents: 1000 });
  const write = (w: number, n: number) =>
    store.events.append(Array.from({ length: n }, (_, i) => event(`u${w}`, `w${w}-${i}`)));
  const results = await Promise.all([
    write(0, 400),
    write(1, 400),
    write(2, 400),
    write(3, 1500),
    write(4, 10),
  ]);
  assert.deepEqual(
    spy.calls.map((c) => c.length),
    [800, 400, 1500, 10],
  );
  assert.deepEqual(
    results.map((r) => r.inserted),
    [400, 400, 400, 1500, 10],
  );
  await store.close();
});

test("durability: each acknowledged event is committed in the file when its append resolves", async () => {
  const dir = tempDir("group-commit");
  const path = `${dir.path}/store.db`;
  const spy = spyStore(new SqliteStore({ path, maxSequenceLength: 50, cacheEntries: 10 }));
  const store = groupCommitStore(spy, { maxBatchEvents: 1000 });
  const reader = new Database(path, { readonly: true });
  const stored = reader.prepare("SELECT count(*) FROM events WHERE event_id = ?").pluck();
  const missingAtAck: string[] = [];
  await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      store.events.append([event(`u${i % 7}`, `d${i}`)]).then(() => {
        if (stored.get(`d${i}`) !== 1) missingAtAck.push(`d${i}`);
      }),
    ),
  );
  assert.deepEqual(missingAtAck, [], "another connection sees every event once it is acknowledged");
  assert.ok(spy.calls.length < 40, `40 concurrent appends took ${spy.calls.length} commits`);
  // Appends still queued when the store closes commit before it closes.
  const late = [store.events.append([event("u1", "late-1")]), store.events.append([event("u2", "late-2")])];
  await store.close();
  assert.deepEqual(
    (await Promise.all(late)).map((r) => r.inserted),
    [1, 1],
  );
  assert.equal(stored.get("late-1"), 1);
  reader.close();
  dir.remove();
});

test("interaction deltas are group-committed too, in arrival order", async () => {
  const inner = memoryStore();
  const calls: number[] = [];
  const append = inner.deltas.append.bind(inner.deltas);
  inner.deltas.append = (deltas) => {
    calls.push(deltas.length);
    return append(deltas);
  };
  const store = groupCommitStore(inner, { maxBatchEvents: 1000 });
  await Promise.all(
    ["a", "b", "c"].map((item, i) => store.deltas.append([{ item, ts: 1000 + i, previous: [] }])),
  );
  assert.deepEqual(calls, [3], "three appends, one commit");
  const page = await store.deltas.after("", 10);
  assert.deepEqual(
    page.deltas.map((d) => d.item),
    ["a", "b", "c"],
  );
  await store.close();
});

test("a user deletion waits for that user's queued events, so none survives it", async () => {
  const store = groupCommitStore(memoryStore(), { maxBatchEvents: 1000 });
  const appended = store.events.append([event("gone", "g1"), event("gone", "g2")]);
  const deletion = await store.deleteUser("gone");
  await appended;
  assert.equal(deletion.events, 2);
  assert.deepEqual(await store.events.ofUser("gone", 10), []);
  await store.close();
});
