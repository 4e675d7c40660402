// A real Redis (one of the test's own) killed and restarted empty in the middle of concurrent writes: every
// failed write is a 503 with Retry-After (never a 500), retries with the same event ids complete what the
// outage interrupted, and the sequences come back from the durable SQLite log — for every user,
// acknowledged events = events in SQLite = items in the sequence, in time order. Also: a Redis that restarts
// empty while the service is idle, and one that hangs (SIGSTOP).
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import { tempDir, testApp, WRITE } from "../serve/helpers.js";
import { RedisProcess, redisServerMissing } from "./redis-process.js";

const skip = redisServerMissing();
const dir = tempDir("redis-outage");
after(() => dir.remove());

const USERS = 50;
const EVENTS_PER_USER = 30;
const SEEDED_USERS = 10;
const BASE_TS = Date.now() - 3_600_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Responses {
  byStatus: Map<number, number>;
  without503RetryAfter: number;
}

const appOn = (redis: RedisProcess, name: string, maxSequenceLength = 200) =>
  testApp({
    storage: {
      sqlitePath: join(dir.path, `${name}.db`),
      redisUrl: redis.url,
      redisPrefix: `${name}:`,
      maxSequenceLength,
    },
  });

/** Seeds: three items per seeded user, dated among the live events (so live ones interleave with them). */
const seedsOf = (u: number): { items: string[]; times: number[] } => ({
  items: [0, 1, 2].map((k) => `u${u}-seed${k}`),
  times: [0, 1, 2].map((k) => BASE_TS + k * 10_500),
});

/** Event n of user u: one second apart, every fourth backdated before the two events sent before it. */
const eventOf = (u: number, n: number) => ({
  event_id: `u${u}-e${n}`,
  user_id: `u${u}`,
  item_id: `u${u}-i${n}`,
  type: "view",
  ts: BASE_TS + n * 1000 - (n % 4 === 3 ? 2500 : 0),
});

/** Posts the event until it is acknowledged (any 5xx is retried; the test counts them), recording every response. */
async function sendUntilAcked(app: FastifyInstance, event: object, responses: Responses): Promise<void> {
  for (;;) {
    const res = await app.inject({ method: "POST", url: "/v1/events", headers: WRITE, payload: event });
    responses.byStatus.set(res.statusCode, (responses.byStatus.get(res.statusCode) ?? 0) + 1);
    if (res.statusCode === 200) return;
    if (res.statusCode === 503 && res.headers["retry-after"] === undefined) responses.without503RetryAfter++;
    if (res.statusCode < 500) assert.fail(`write answered ${res.statusCode}: ${res.body}`);
    await sleep(20);
  }
}

/** What the user's sequence must be: seeds and stored events ordered by time, seeds first at equal times. */
function expectedSequence(u: number, stored: Array<{ seq: number; itemId: string; ts: number }>): string[] {
  const seeds = u < SEEDED_USERS ? seedsOf(u) : { items: [], times: [] };
  const entries = [
    ...seeds.items.map((item, k) => ({ ts: seeds.times[k], tie: k - 1e9, item })),
    ...stored.map((e) => ({ ts: e.ts, tie: e.seq, item: e.itemId })),
  ];
  return entries.sort((a, b) => a.ts - b.ts || a.tie - b.tie).map((e) => e.item);
}

/** The user's sequence; a 503 (Redis not reconnected yet) is retried, as Retry-After asks. */
const sequenceOf = async (app: FastifyInstance, user: string) => {
  for (;;) {
    const res = await app.inject({ method: "GET", url: `/v1/users/${user}/sequence` });
    if (res.statusCode === 503) {
      await sleep(50);
      continue;
    }
    assert.equal(res.statusCode, 200, res.body);
    return res.json().items as string[];
  }
};

test("Redis killed and restarted empty mid-load: acknowledged = stored = in sequence (time order) for every user", {
  skip,
}, async (t) => {
  const redis = await RedisProcess.start();
  const app = await appOn(redis, "load");
  try {
    await app.store.sequences.seed(
      Array.from({ length: SEEDED_USERS }, (_, u) => [`u${u}`, seedsOf(u).items, seedsOf(u).times]),
    );
    const responses: Responses = { byStatus: new Map(), without503RetryAfter: 0 };
    const acked = new Set<string>();
    const writer = async (u: number) => {
      for (let n = 0; n < EVENTS_PER_USER; n++) {
        const event = eventOf(u, n);
        await sendUntilAcked(app, event, responses);
        acked.add(event.event_id);
      }
    };
    const outage = async () => {
      while (acked.size < (USERS * EVENTS_PER_USER) / 3) await sleep(5);
      await redis.stop();
      await sleep(3000);
      await redis.restart(); // empty: no persistence
    };
    await Promise.all([outage(), ...Array.from({ length: USERS }, (_, u) => writer(u))]);

    let stored = 0;
    let inSequences = 0;
    const inconsistent: string[] = [];
    for (let u = 0; u < USERS; u++) {
      const events = await app.store.events.ofUser(`u${u}`, 10_000);
      const sequence = await sequenceOf(app, `u${u}`);
      stored += events.length;
      inSequences += sequence.filter((item) => !item.includes("-seed")).length;
      const ackedOfUser = [...acked].filter((id) => id.startsWith(`u${u}-`)).sort();
      const storedIds = events.map((e) => e.eventId ?? "").sort();
      const same = JSON.stringify(ackedOfUser) === JSON.stringify(storedIds);
      if (!same || JSON.stringify(sequence) !== JSON.stringify(expectedSequence(u, events)))
        inconsistent.push(`u${u}`);
    }
    const endState = {
      acked: acked.size,
      stored,
      in_sequences: inSequences,
      inconsistent_users: inconsistent.length,
      responses: Object.fromEntries(responses.byStatus),
    };
    t.diagnostic(`end state: ${JSON.stringify(endState)}`);
    assert.equal(responses.byStatus.get(500) ?? 0, 0, "no write answered 500");
    assert.ok((responses.byStatus.get(503) ?? 0) > 0, "the outage was felt: some writes answered 503");
    assert.equal(responses.without503RetryAfter, 0, "every 503 carries Retry-After");
    assert.equal(acked.size, USERS * EVENTS_PER_USER);
    assert.equal(stored, acked.size, "stored = acknowledged");
    assert.equal(inSequences, acked.size, "in sequences = acknowledged");
    assert.deepEqual(inconsistent, [], "every user's sequence holds their acknowledged events in time order");
  } finally {
    await app.close();
    await redis.stop();
  }
});

test("a Redis that restarts empty while idle: the next read rebuilds from the durable log, never an empty history", {
  skip,
}, async () => {
  const redis = await RedisProcess.start();
  const app = await appOn(redis, "idle", 4);
  try {
    await app.store.sequences.seed([["u0", seedsOf(0).items, seedsOf(0).times]]);
    for (let n = 0; n < 3; n++) {
      const res = await app.inject({
        method: "POST",
        url: "/v1/events",
        headers: WRITE,
        payload: eventOf(1, n),
      });
      assert.equal(res.statusCode, 200, res.body);
    }
    await redis.stop();
    const down = await app.inject({ method: "GET", url: "/v1/users/u0/sequence" });
    assert.equal(down.statusCode, 503, down.body);
    assert.equal(down.json().code, "SR_ERR_STORAGE_UNAVAILABLE");
    assert.equal(down.headers["retry-after"], "1");
    await redis.restart();
    assert.deepEqual(await sequenceOf(app, "u0"), seedsOf(0).items, "seeds come back");
    assert.deepEqual(await sequenceOf(app, "u1"), ["u1-i0", "u1-i1", "u1-i2"]);
    // A backdated event after the rebuild still takes its place; trimming keeps the newest four by time.
    const late = { ...eventOf(0, 0), item_id: "u0-late", ts: seedsOf(0).times[1] + 1 };
    assert.equal(
      (await app.inject({ method: "POST", url: "/v1/events", headers: WRITE, payload: late })).statusCode,
      200,
    );
    assert.deepEqual(await sequenceOf(app, "u0"), ["u0-seed0", "u0-seed1", "u0-late", "u0-seed2"]);
    const newest = { ...eventOf(0, 1), item_id: "u0-newest", ts: seedsOf(0).times[2] + 1 };
    assert.equal(
      (await app.inject({ method: "POST", url: "/v1/events", headers: WRITE, payload: newest })).statusCode,
      200,
    );
    assert.deepEqual(await sequenceOf(app, "u0"), ["u0-seed1", "u0-late", "u0-seed2", "u0-newest"]);
  } finally {
    await app.close();
    await redis.stop();
  }
});

test("a hung Redis (SIGSTOP): the write is a 503, and the user's sequence is completed from the log once it answers", {
  skip,
}, async () => {
  const redis = await RedisProcess.start();
  const app = await appOn(redis, "hung");
  try {
    const first = await app.inject({
      method: "POST",
      url: "/v1/events",
      headers: WRITE,
      payload: eventOf(0, 0),
    });
    assert.equal(first.statusCode, 200, first.body);
    redis.pause();
    const hung = await app.inject({
      method: "POST",
      url: "/v1/events",
      headers: WRITE,
      payload: eventOf(0, 1),
    });
    redis.resume();
    assert.equal(hung.statusCode, 503, hung.body);
    assert.equal(hung.headers["retry-after"], "1");
    // Stored in SQLite before Redis hung: the sequence agrees with the log without waiting for a retry…
    assert.deepEqual(await sequenceOf(app, "u0"), ["u0-i0", "u0-i1"]);
    // …and the retry is an honest duplicate.
    const retry = await app.inject({
      method: "POST",
      url: "/v1/events",
      headers: WRITE,
      payload: eventOf(0, 1),
    });
    assert.equal(retry.statusCode, 200, retry.body);
    assert.deepEqual(retry.json(), { accepted: 1, stored: 0, duplicates: 1 });
    assert.deepEqual(await sequenceOf(app, "u0"), ["u0-i0", "u0-i1"]);
  } finally {
    await app.close();
    await redis.stop();
  }
});

test("sequences an earlier version kept only in Redis lists are taken into the durable file: they survive a reset", {
  skip,
}, async () => {
  const redis = await RedisProcess.start();
  const client = new Redis(redis.url);
  await client.sadd("legacy:users", "old-user");
  await client.rpush("legacy:seq:old-user", "a", "b");
  client.disconnect();
  const app = await appOn(redis, "legacy");
  try {
    assert.deepEqual(await sequenceOf(app, "old-user"), ["a", "b"]);
    await redis.stop();
    await redis.restart();
    assert.deepEqual(await sequenceOf(app, "old-user"), ["a", "b"]);
    const res = await app.inject({
      method: "POST",
      url: "/v1/events",
      headers: WRITE,
      payload: eventOf(9, 0),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(await sequenceOf(app, "u9"), ["u9-i0"]);
  } finally {
    await app.close();
    await redis.stop();
  }
});
