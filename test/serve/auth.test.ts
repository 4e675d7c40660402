// API key scopes, rate limiting (including unknown routes) and user-id redaction in logs.
import assert from "node:assert/strict";
import { test } from "node:test";
import { redactUserIds } from "../../src/serve/index.js";
import { READ_KEY, testApp, WRITE_KEY } from "./helpers.js";

const event = { user_id: "u1", item_id: "i1" };

test("writes: no key → 401, read key → 403, unknown key → 401, write key → 200 (header or bearer)", async () => {
  const app = await testApp();
  const post = (headers: Record<string, string>) =>
    app.inject({ method: "POST", url: "/v1/events", headers, payload: event });
  const none = await post({});
  assert.equal(none.statusCode, 401);
  assert.equal(JSON.parse(none.body).code, "SR_ERR_UNAUTHORIZED");
  assert.match(JSON.parse(none.body).message, /write/);
  const read = await post({ "x-api-key": READ_KEY });
  assert.equal(read.statusCode, 403);
  assert.equal(JSON.parse(read.body).code, "SR_ERR_FORBIDDEN");
  assert.equal((await post({ "x-api-key": "not-a-key-0123456789" })).statusCode, 401);
  assert.equal((await post({ "x-api-key": WRITE_KEY })).statusCode, 200);
  assert.equal((await post({ authorization: `Bearer ${WRITE_KEY}` })).statusCode, 200);
  for (const [method, url] of [
    ["PUT", "/v1/items/a"],
    ["POST", "/v1/items"],
    ["DELETE", "/v1/items/a"],
    ["DELETE", "/v1/users/u1"],
  ] as const) {
    const res = await app.inject({ method, url, headers: { "x-api-key": READ_KEY }, payload: { id: "a" } });
    assert.equal(res.statusCode, 403, `${method} ${url}`);
  }
  // Nothing was stored by the refused requests.
  assert.equal((await app.store.stats()).events, 2);
  await app.close();
});

test("reads are public with publicReads, and need a read key by default once a key exists", async () => {
  const open = await testApp();
  assert.equal((await open.inject({ method: "GET", url: "/v1/users/u1/sequence" })).statusCode, 200);
  await open.close();

  const closed = await testApp({ auth: { keys: [{ key: READ_KEY, scopes: ["read"] }] } });
  assert.equal((await closed.inject({ method: "GET", url: "/v1/users/u1/sequence" })).statusCode, 401);
  const ok = await closed.inject({
    method: "GET",
    url: "/v1/users/u1/sequence",
    headers: { "x-api-key": READ_KEY },
  });
  assert.equal(ok.statusCode, 200);
  // Probes stay public.
  assert.equal((await closed.inject({ method: "GET", url: "/healthz" })).statusCode, 200);
  assert.equal((await closed.inject({ method: "GET", url: "/readyz" })).statusCode, 200);
  await closed.close();
});

test("rate limiting: per key or IP, also on unknown routes; probes are exempt", async () => {
  const app = await testApp({ limits: { rateLimit: { enabled: true, max: 5, windowMs: 60_000 } } });
  const codes: number[] = [];
  for (let i = 0; i < 7; i++)
    codes.push((await app.inject({ method: "GET", url: "/no/such/route" })).statusCode);
  assert.deepEqual(codes, [404, 404, 404, 404, 404, 429, 429]);
  const limited = await app.inject({ method: "GET", url: "/v1/items/x" });
  assert.equal(limited.statusCode, 429);
  assert.equal(JSON.parse(limited.body).code, "SR_ERR_RATE_LIMITED");
  // Another client (a key) has its own budget.
  const keyed = await app.inject({ method: "GET", url: "/v1/items/x", headers: { "x-api-key": READ_KEY } });
  assert.equal(keyed.statusCode, 404);
  assert.equal((await app.inject({ method: "GET", url: "/healthz" })).statusCode, 200);
  await app.close();
});

test("request logs carry no user ids unless configured; API keys are never logged", async () => {
  assert.equal(
    redactUserIds("/v1/users/alice/recommendations?k=5&user=bob"),
    "/v1/users/<user>/recommendations?k=5&user=<user>",
  );
  const lines: string[] = [];
  const app = await testApp({ logLevel: "info" }, { logStream: { write: (line) => lines.push(line) } });
  await app.inject({
    method: "POST",
    url: "/v1/events",
    headers: { "x-api-key": WRITE_KEY },
    payload: { user_id: "alice-secret-id", item_id: "i1" },
  });
  await app.inject({ method: "GET", url: "/v1/users/alice-secret-id/events" });
  await app.inject({ method: "GET", url: "/v1/users/alice-secret-id/nope?user=alice-secret-id" });
  await app.close();
  const log = lines.join("");
  assert.match(log, /\/v1\/users\/<user>\/events/);
  assert.doesNotMatch(log, /alice-secret-id/);
  assert.doesNotMatch(log, new RegExp(WRITE_KEY));
});
