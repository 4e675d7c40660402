// The core routes end to end through inject: catalogue CRUD with hooks, the user timeline and deletion
// (SQLite and Redis), pseudonymised storage, readiness set by an extension plugin, and /metrics parsing.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import Database from "better-sqlite3";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { Redis } from "ioredis";
import type { AcceptedEvent, ItemChange } from "../../src/serve/index.js";
import { cleanRedis, REDIS_URL, tempDir, testApp, uniquePrefix, WRITE } from "./helpers.js";

const dir = tempDir("api");
const prefix = uniquePrefix("api");
after(async () => {
  dir.remove();
  await cleanRedis(prefix);
});

const post = (app: FastifyInstance, payload: object) =>
  app.inject({ method: "POST", url: "/v1/events", headers: WRITE, payload });
const json = (res: { body: string }) => JSON.parse(res.body);

test("catalogue CRUD: create, conflict, replace, read, delete; each change runs onItemChange", async () => {
  const changes: ItemChange[] = [];
  const app = await testApp(
    {},
    {
      plugins: [
        fp(async (a) => {
          a.hooks.onItemChange.push((c) => changes.push(c));
        }),
      ],
    },
  );
  const created = await app.inject({
    method: "POST",
    url: "/v1/items",
    headers: WRITE,
    payload: { id: "sku-1", title: "Rose lip balm", price: 4.5, attributes: ["lips"] },
  });
  assert.equal(created.statusCode, 201, created.body);
  assert.equal(json(created).title, "Rose lip balm");
  assert.equal(json(created).in_stock, true);
  const again = await app.inject({
    method: "POST",
    url: "/v1/items",
    headers: WRITE,
    payload: { id: "sku-1" },
  });
  assert.equal(again.statusCode, 409);
  const put = await app.inject({
    method: "PUT",
    url: "/v1/items/sku-1",
    headers: WRITE,
    payload: { title: "Rose lip balm 2", in_stock: false },
  });
  assert.deepEqual(
    [put.statusCode, json(put).created, json(put).item.in_stock, json(put).item.price],
    [200, false, false, null],
  );
  const got = await app.inject({ method: "GET", url: "/v1/items/sku-1" });
  assert.equal(json(got).title, "Rose lip balm 2");
  assert.equal(
    (await app.inject({ method: "DELETE", url: "/v1/items/sku-1", headers: WRITE })).statusCode,
    200,
  );
  assert.equal((await app.inject({ method: "GET", url: "/v1/items/sku-1" })).statusCode, 404);
  assert.equal(
    (await app.inject({ method: "DELETE", url: "/v1/items/sku-1", headers: WRITE })).statusCode,
    404,
  );
  assert.deepEqual(
    changes.map((c) => (c.kind === "upsert" ? `upsert:${c.item.id}:${c.created}` : `delete:${c.id}`)),
    ["upsert:sku-1:true", "upsert:sku-1:false", "delete:sku-1"],
  );
  await app.close();
});

test("events: the next read sees the new sequence; onEvent runs after storage; a failing hook is counted, not fatal", async () => {
  const seen: string[][] = [];
  const plugin = fp(async (a: FastifyInstance) => {
    a.hooks.onEvent.push(async (events: AcceptedEvent[]) => {
      seen.push(await a.store.sequences.get(events[0].userId));
    });
    a.hooks.onEvent.push(() => {
      throw new Error("recommender refresh failed");
    });
  });
  const app = await testApp({}, { plugins: [plugin] });
  await app.store.cache.set("recs:u9", "stale", 60_000, "u9");
  const res = await post(app, {
    events: [
      { user_id: "u9", item_id: "a" },
      { user_id: "u9", item_id: "b", type: "purchase" },
    ],
  });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(json(res), { accepted: 2, stored: 2, duplicates: 0 });
  assert.deepEqual(seen, [["a", "b"]], "the hook sees the committed sequence");
  assert.equal(await app.store.cache.get("recs:u9"), undefined, "the user's cached results are dropped");
  const timeline = json(await app.inject({ method: "GET", url: "/v1/users/u9/events" }));
  assert.deepEqual(
    timeline.events.map((e: { type: string }) => e.type),
    ["view", "purchase"],
  );
  const metrics = (await app.inject({ method: "GET", url: "/metrics", headers: WRITE })).body;
  assert.match(metrics, /seqrank_hook_errors_total\{hook="onEvent"\} 1/);
  await app.close();
});

test("events: a retried event (same event_id) reaches the onEvent hooks once; an all-duplicate batch runs none", async () => {
  const hooked: string[][] = [];
  const plugin = fp(async (a: FastifyInstance) => {
    a.hooks.onEvent.push((events: AcceptedEvent[]) => {
      hooked.push(events.map((e) => e.itemId));
    });
  });
  const app = await testApp({}, { plugins: [plugin] });
  const first = await post(app, { events: [{ user_id: "r1", item_id: "a", event_id: "ev-a" }] });
  assert.deepEqual(json(first), { accepted: 1, stored: 1, duplicates: 0 });
  const retry = await post(app, {
    events: [
      { user_id: "r1", item_id: "a", event_id: "ev-a" },
      { user_id: "r1", item_id: "b", event_id: "ev-b" },
    ],
  });
  assert.deepEqual(json(retry), { accepted: 2, stored: 1, duplicates: 1 });
  await post(app, { user_id: "r1", item_id: "b", event_id: "ev-b" });
  assert.deepEqual(hooked, [["a"], ["b"]]);
  await app.close();
});

for (const kind of ["sqlite", "redis"] as const) {
  test(`DELETE /v1/users/:id forgets the user everywhere (${kind}) and runs onUserDelete`, async () => {
    const deleted: string[] = [];
    const storage = {
      sqlitePath: join(dir.path, `forget-${kind}.db`),
      ...(kind === "redis" ? { redisUrl: REDIS_URL, redisPrefix: prefix } : {}),
    };
    const app = await testApp(
      { storage },
      {
        plugins: [
          fp(async (a) => {
            a.hooks.onUserDelete.push((u) => deleted.push(u));
          }),
        ],
      },
    );
    await post(app, {
      events: [
        { user_id: "gone", item_id: "a" },
        { user_id: "gone", item_id: "b" },
        { user_id: "stays", item_id: "c" },
      ],
    });
    await app.store.cache.set("recs:gone", "x", 60_000, "gone");
    const res = await app.inject({ method: "DELETE", url: "/v1/users/gone", headers: WRITE });
    assert.deepEqual(json(res), { user_id: "gone", deleted: { events: 2, sequence: true, caches: 1 } });
    assert.deepEqual(deleted, ["gone"]);
    assert.deepEqual(json(await app.inject({ method: "GET", url: "/v1/users/gone/events" })).events, []);
    assert.deepEqual(json(await app.inject({ method: "GET", url: "/v1/users/gone/sequence" })).items, []);
    assert.deepEqual(json(await app.inject({ method: "GET", url: "/v1/users/stays/sequence" })).items, ["c"]);
    await app.close();
    // Nothing of the user is left in the files or keys either.
    const db = new Database(storage.sqlitePath, { readonly: true });
    assert.equal(db.prepare("SELECT count(*) FROM events WHERE user_id = 'gone'").pluck().get(), 0);
    assert.equal(db.prepare("SELECT count(*) FROM sequences WHERE user_id = 'gone'").pluck().get(), 0);
    db.close();
    if (kind === "redis") {
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${prefix}*gone*`);
      assert.equal(await redis.sismember(`${prefix}users`, "gone"), 0);
      redis.disconnect();
      assert.deepEqual(keys, []);
    }
  });
}

test("pseudonymisation: stored user ids are keyed hashes, the API works with raw ids", async () => {
  const sqlitePath = join(dir.path, "pseudo.db");
  const redisPrefix = `${prefix}pseudo:`;
  const app = await testApp({
    storage: { sqlitePath, redisUrl: REDIS_URL, redisPrefix },
    privacy: { pseudonymizeSecret: "a-secret-of-enough-length" },
  });
  await post(app, {
    events: [
      { user_id: "alice@example.com", item_id: "a" },
      { user_id: "alice@example.com", item_id: "b" },
    ],
  });
  await app.store.cache.set("recs:alice@example.com", "x", 60_000, "alice@example.com");
  assert.deepEqual(
    json(await app.inject({ method: "GET", url: "/v1/users/alice@example.com/sequence" })).items,
    ["a", "b"],
  );
  assert.equal(
    json(await app.inject({ method: "GET", url: "/v1/users/alice@example.com/events" })).events.length,
    2,
  );

  const db = new Database(sqlitePath, { readonly: true });
  const stored = db.prepare("SELECT DISTINCT user_id FROM events").pluck().all() as string[];
  db.close();
  assert.equal(stored.length, 1);
  assert.notEqual(stored[0], "alice@example.com");
  assert.match(stored[0], /^[A-Za-z0-9_-]{43}$/, "HMAC-SHA256, base64url");
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${redisPrefix}*`);
  assert.ok(keys.length >= 3, keys.join(","));
  assert.ok(
    keys.every((k) => !k.includes("alice")),
    keys.join(","),
  );
  const timeline = await redis.zrange(`${redisPrefix}timeline:${stored[0]}`, "0", "-1"); // "<key>\t<item>"
  assert.deepEqual(
    timeline.map((m) => m.split("\t")[1]),
    ["a", "b"],
  );
  redis.disconnect();

  const del = await app.inject({ method: "DELETE", url: "/v1/users/alice@example.com", headers: WRITE });
  assert.deepEqual(json(del).deleted, { events: 2, sequence: true, caches: 1 });
  await app.close();
});

test("readiness: not ready until an extension's component (the model) reports ready", async () => {
  let markReady = () => {};
  const model = fp(async (a: FastifyInstance) => {
    a.readiness.set("model", false, "loading");
    markReady = () => a.readiness.set("model", true, "fallback: popularity");
  });
  const app = await testApp({}, { plugins: [model] });
  const before = await app.inject({ method: "GET", url: "/readyz" });
  assert.equal(before.statusCode, 503);
  assert.deepEqual(json(before).components.model, { ready: false, detail: "loading" });
  assert.equal(json(before).components.storage.ready, true);
  markReady();
  assert.equal((await app.inject({ method: "GET", url: "/readyz" })).statusCode, 200);
  assert.equal((await app.inject({ method: "GET", url: "/healthz" })).statusCode, 200);
  await app.close();
});

/** A strict reader of the Prometheus text format (0.0.4): every line must be a comment or a valid sample. */
function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const types = new Map<string, string>();
  const name = "[a-zA-Z_:][a-zA-Z0-9_:]*";
  const label = `[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"`;
  const sample = new RegExp(`^(${name})(\\{(?:${label})(?:,${label})*\\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)$`);
  assert.ok(text.endsWith("\n"), "ends with a newline");
  for (const line of text.slice(0, -1).split("\n")) {
    const meta = /^# (HELP|TYPE) (\S+) (.+)$/.exec(line);
    if (meta) {
      if (meta[1] === "TYPE") {
        assert.ok(["counter", "gauge", "histogram", "summary", "untyped"].includes(meta[3]), line);
        assert.ok(!types.has(meta[2]), `one TYPE per metric: ${line}`);
        types.set(meta[2], meta[3]);
      }
      continue;
    }
    const m = sample.exec(line);
    assert.ok(m, `not a valid sample line: ${line}`);
    const base = m[1].replace(/_(bucket|sum|count)$/, "");
    assert.ok(types.has(m[1]) || types.has(base), `sample before its TYPE: ${line}`);
    samples.set(m[1] + (m[2] ?? ""), Number(m[3].replace("Inf", "Infinity")));
  }
  return samples;
}

test("/metrics is valid Prometheus text with per-route counts and latency histograms, events and store sizes", async () => {
  const app = await testApp();
  await post(app, { user_id: "m1", item_id: "a", type: "click" });
  await post(app, { user_id: "m1", item_id: "b", type: "click" });
  await app.inject({ method: "GET", url: "/v1/items/none" });
  await app.inject({ method: "GET", url: "/nowhere" });
  const res = await app.inject({ method: "GET", url: "/metrics", headers: WRITE });
  assert.match(res.headers["content-type"] as string, /^text\/plain; version=0\.0\.4/);
  const s = parsePrometheus(res.body);
  assert.equal(s.get('seqrank_http_requests_total{method="POST",route="/v1/events",status="200"}'), 2);
  assert.equal(s.get('seqrank_http_requests_total{method="GET",route="/v1/items/:id",status="404"}'), 1);
  assert.equal(s.get('seqrank_http_requests_total{method="GET",route="unmatched",status="404"}'), 1);
  assert.equal(s.get('seqrank_http_request_duration_seconds_count{method="POST",route="/v1/events"}'), 2);
  assert.equal(
    s.get('seqrank_http_request_duration_seconds_bucket{method="POST",route="/v1/events",le="+Inf"}'),
    2,
  );
  assert.equal(s.get('seqrank_events_accepted_total{type="click"}'), 2);
  assert.equal(s.get("seqrank_events_stored_total"), 2);
  assert.equal(s.get('seqrank_store_size{kind="events"}'), 2);
  assert.equal(s.get('seqrank_store_size{kind="users"}'), 1);
  await app.close();
});
