// Issue #13 items 1 and 2: an event's time is bounded (future skew, floor) with a 400 naming the field, one
// rule for integer and ISO times, leap seconds parse; the decay maths stays finite whatever times arrive,
// also for a delta log an older version filled with an absurd time; a backdated event pairs in time order.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { popularityModel } from "../../src/artifact/index.js";
import { CoVisitation, Popularity } from "../../src/retrieval/index.js";
import { recommender } from "../../src/serve/plugins/recommender.js";
import { eventPositions, tailPositions } from "../../src/serve/recommender/event-positions.js";
import type { RecommenderService } from "../../src/serve/recommender/index.js";
import { tempDir, testApp, WRITE } from "../serve/helpers.js";

const DAY_MS = 86_400_000;
const YEAR_MS = 365 * DAY_MS;
const dir = tempDir("event-time");
after(() => dir.remove());

const post = (app: FastifyInstance, payload: object) =>
  app.inject({ method: "POST", url: "/v1/events", headers: WRITE, payload });

test("a ts too far ahead, before the floor or not a time is a 400 naming the field, and nothing is stored", async () => {
  const app = await testApp();
  const now = Date.now();
  const refused: Array<[unknown, RegExp]> = [
    [now + 3 * YEAR_MS, /^ts: .*ahead of the server clock/],
    [now + DAY_MS + 60_000, /^ts: .*ahead of the server clock/],
    [1e300, /^ts: expected unix milliseconds/],
    [1.5e12 + 0.5, /^ts: expected unix milliseconds/],
    [
      Math.floor(now / 1000),
      /^ts: .*before the earliest accepted time.*seconds sent instead of milliseconds/,
    ],
    [-1, /^ts: .*before the earliest/],
    ["1969-07-20T20:17:40Z", /^ts: .*before the earliest/],
    ["2024-02-30T12:00:00Z", /^ts: expected unix milliseconds .* or an ISO 8601 date-time/],
    ["2024-05-01T12:00:00", /^ts: expected/], // no zone: which instant is it?
    ["yesterday", /^ts: expected/],
    [new Date(now + 3 * YEAR_MS).toISOString(), /^ts: .*ahead of the server clock/],
  ];
  for (const [ts, message] of refused) {
    const res = await post(app, { user_id: "u", item_id: "i", ts });
    assert.equal(res.statusCode, 400, `ts ${ts}: ${res.body}`);
    assert.equal(res.json().code, "SR_ERR_VALIDATION");
    assert.match(res.json().message, message, `ts ${ts}`);
  }
  // In a batch the field names the event; one bad event refuses the whole batch.
  const batch = await post(app, {
    events: [
      { user_id: "u", item_id: "i", ts: now },
      { user_id: "u", item_id: "i", ts: now + 3 * YEAR_MS },
    ],
  });
  assert.equal(batch.statusCode, 400);
  assert.match(batch.json().message, /^events\[1\]\.ts: /);
  assert.equal((await app.store.stats()).events, 0);
  await app.close();
});

test("one rule for every form: integer ms, ISO with zones and fractions, leap seconds; the skew is configurable", async () => {
  const app = await testApp({ events: { maxFutureSkewMs: 60_000 } });
  const now = Date.now();
  const accepted: Array<[unknown, number]> = [
    [1_500_000_000_000, 1_500_000_000_000],
    ["2017-07-14T02:40:00Z", 1_500_000_000_000],
    ["2017-07-14T04:40:00.000+02:00", 1_500_000_000_000],
    ["2017-07-14T02:40:00.123456Z", 1_500_000_000_123],
    // A leap second is the last millisecond before the next minute (Date.parse gave NaN: "1 duplicate").
    ["2016-12-31T23:59:60Z", Date.UTC(2016, 11, 31, 23, 59, 59, 999)],
    [now + 30_000, now + 30_000],
  ];
  for (const [i, [ts, expected]] of accepted.entries()) {
    const res = await post(app, { user_id: `u${i}`, item_id: "i", ts, event_id: `e${i}` });
    assert.equal(res.statusCode, 200, `ts ${ts}: ${res.body}`);
    assert.deepEqual(res.json(), { accepted: 1, stored: 1, duplicates: 0 }, `ts ${ts}`);
    const stored = (await app.inject({ method: "GET", url: `/v1/users/u${i}/events`, headers: WRITE })).json()
      .events;
    assert.equal(stored[0].ts, expected, `ts ${ts}`);
  }
  const ahead = await post(app, { user_id: "u", item_id: "i", ts: now + 120_000 });
  assert.equal(ahead.statusCode, 400, "60 s of skew allowed by the config, 120 s ahead refused");
  await app.close();
});

test("decay: an event dated years ahead weighs as one now and moves no clock; every count stays finite", () => {
  const t0 = 1_800_000_000;
  let clock = t0;
  const pop = new Popularity(10, { refreshMs: 0 }, t0, () => clock);
  const covis = new CoVisitation({ halfLifeDays: 1 }, t0, () => clock);
  pop.add(1, t0);
  covis.observe([1], 2, t0);
  // What the old maths did with this: rebased to it, zeroing every count, and read NaN (0 × 2^1095) after.
  pop.add(3, t0 + 3 * 365 * 86_400);
  covis.observe([3], 4, t0 + 3 * 365 * 86_400);
  clock = t0 + 3600;
  pop.add(5, clock);
  for (const kind of ["popular", "trending"] as const) {
    const top = pop.top(kind);
    assert.deepEqual([...top.items].sort(), [1, 3, 5], kind);
    assert.ok(top.scores.every(Number.isFinite), `${kind}: ${top.scores}`);
    assert.ok(pop.count(kind, 1, clock) > 0, `${kind}: earlier counts are not wiped`);
    assert.ok(
      pop.count(kind, 3, clock) <= pop.count(kind, 5, clock),
      `${kind}: the future event counts as now`,
    );
  }
  assert.ok(covis.weight(2, 1, clock) > 0 && Number.isFinite(covis.weight(2, 1, clock)));
  assert.ok(Number.isFinite(covis.weight(4, 3, clock)));
  // A year of real time later (many rebases), old counts decay but nothing overflows or turns NaN.
  for (let day = 1; day <= 365; day++) {
    clock = t0 + day * 86_400;
    pop.add(5, clock);
    covis.observe([5], 6, clock);
  }
  assert.ok(pop.top("trending").scores.every(Number.isFinite));
  assert.ok(Number.isFinite(covis.weight(6, 5, clock)) && covis.weight(6, 5, clock) > 0);
});

test("a delta log holding an absurd time (written by an older version) replays harmlessly, with a log line", async () => {
  const sqlitePath = join(dir.path, "poisoned.db");
  const lines: string[] = [];
  const start = () =>
    testApp(
      { storage: { sqlitePath }, logLevel: "warn" },
      { plugins: [recommender({ model: popularityModel(0) })], logStream: { write: (l) => lines.push(l) } },
    );
  const first = await start();
  for (const id of ["a", "b", "c"])
    await first.inject({ method: "PUT", url: `/v1/items/${id}`, headers: WRITE, payload: { title: id } });
  await post(first, { events: ["a", "b", "c"].map((item_id) => ({ user_id: "u1", item_id })) });
  // What POST /v1/events {"ts": now + 3 years} left in the log before event times were bounded.
  await first.store.deltas.append([{ item: "b", ts: Date.now() + 3 * YEAR_MS, previous: ["a"] }]);
  await first.close();

  const app = await start();
  const recs = await app.inject({ method: "GET", url: "/v1/users/new-user/recommendations", headers: WRITE });
  assert.equal(recs.statusCode, 200, recs.body);
  const items = recs.json().items as Array<{ item_id: string; score: number }>;
  assert.deepEqual(items.map((r) => r.item_id).sort(), ["a", "b", "c"], "popularity survives");
  assert.ok(items.every((r) => Number.isFinite(r.score) && r.score > 0));
  const similar = await app.inject({ method: "GET", url: "/v1/items/a/similar", headers: WRITE });
  assert.equal(similar.statusCode, 200, similar.body);
  assert.ok(
    similar.json().items.some((r: { item_id: string }) => r.item_id === "b"),
    "co-visitation survives",
  );
  assert.ok(
    lines.some((l) => l.includes("beyond the accepted clock skew counts as now")),
    "the clamp is logged",
  );
  await app.close();
});

test("a backdated event pairs with the items before it in time, not with the user's latest items", async () => {
  let service!: RecommenderService;
  const app = await testApp(
    {},
    { plugins: [recommender({ model: popularityModel(0), onReady: (s) => (service = s) })] },
  );
  for (const id of ["a", "b", "c", "d", "x"])
    await app.inject({ method: "PUT", url: `/v1/items/${id}`, headers: WRITE, payload: { title: id } });
  const t = Date.now() - 10 * DAY_MS;
  await post(app, {
    events: ["a", "b", "c", "d"].map((item_id, i) => ({ user_id: "u", item_id, ts: t + i * DAY_MS })),
  });
  // x happened between a and b: its neighbours are a (before it) — not b, c, d, the latest items.
  const res = await post(app, { user_id: "u", item_id: "x", ts: t + DAY_MS / 2 });
  assert.equal(res.statusCode, 200, res.body);
  const id = (raw: string) => service.catalogue.denseId(raw)!;
  assert.deepEqual(
    (await app.inject({ method: "GET", url: "/v1/users/u/sequence", headers: WRITE })).json().items,
    ["a", "x", "b", "c", "d"],
    "the store keeps the sequence in time order",
  );
  assert.ok(service.covis.weight(id("x"), id("a")) > 0);
  for (const later of ["c", "d"]) assert.equal(service.covis.weight(id("x"), id(later)), 0, `x–${later}`);
  await app.close();
});

test("eventPositions, tailPositions: each new event's index in the time-ordered sequence", () => {
  const ev = (seq: number, itemId: string, ts: number) => ({
    seq,
    itemId,
    ts,
    eventId: null,
    userId: "u",
    type: "view",
    props: null,
  });
  const stored = [ev(1, "a", 10), ev(2, "b", 20), ev(3, "c", 30), ev(4, "x", 15), ev(5, "y", 30)];
  const fresh = stored.slice(3).map(({ seq: _, props: __, ...e }) => e);
  // Seeded items (no stored event) come first; y ties with c and sorts after it (stored later).
  assert.deepEqual(eventPositions(["s1", "s2", "a", "x", "b", "c", "y"], stored, fresh), [3, 6]);
  // Trimmed off the front: not in the sequence.
  assert.deepEqual(eventPositions(["b", "c", "y"], stored, fresh.slice(0, 1)), [-1]);
  // Without reading the stored events: new events that are the newest, in time order (the batch's own order
  // need not be); a backdated one is not at the tail.
  const seq = ["a", "b", "c", "x", "y"];
  assert.deepEqual(
    tailPositions(
      seq,
      [fresh[1], fresh[0]].map((e, i) => ({ ...e, ts: 40 - i })),
    ),
    [4, 3],
  );
  assert.equal(tailPositions(["s1", "s2", "a", "x", "b", "c", "y"], fresh), undefined);
});
