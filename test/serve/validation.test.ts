// Malformed requests always get a 4xx with a code and a clear message, never a 5xx: bodies fuzzed from a
// seeded generator (wrong types, missing and extra fields, deep nesting, bad JSON, oversize payloads).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { uniformSource } from "../../src/graph/init.js";
import { testApp, WRITE } from "./helpers.js";

let app: FastifyInstance;
before(async () => {
  app = await testApp({ limits: { bodyLimitBytes: 64 * 1024, maxEventsPerRequest: 50 } });
});
after(() => app.close());

const rand = uniformSource(20240611); // seeded: every run sends the same requests
const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];

/** Any JSON value, nested up to `depth`. */
function randomValue(depth: number): unknown {
  const kinds = depth > 0 ? 8 : 6;
  switch (Math.floor(rand() * kinds)) {
    case 0:
      return null;
    case 1:
      return rand() < 0.5;
    case 2:
      return Math.floor((rand() - 0.5) * 1e12) / (rand() < 0.5 ? 1 : 7);
    case 3:
      return pick(["", "x", "\u0000\u0001", "😀", "a".repeat(300), "2024-13-45T99:00:00Z", "-1", "1e309"]);
    case 4:
      return pick([[], {}, [null], { "": "" }]);
    case 5:
      return pick([-1, 0, 1e308, Number.MAX_SAFE_INTEGER + 2]);
    case 6:
      return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(depth - 1));
    default:
      return Object.fromEntries(
        Array.from({ length: Math.floor(rand() * 4) }, () => [
          pick(["user_id", "item_id", "type", "ts", "events", "props", "zz"]),
          randomValue(depth - 1),
        ]),
      );
  }
}

const validEvent = () => ({ user_id: "u1", item_id: "i1", type: "click", ts: 1_700_000_000_000 });
const validItem = () => ({
  title: "Red lipstick",
  brand: "Acme",
  category: "Makeup > Lips",
  price: 9.5,
  in_stock: true,
  attributes: ["red"],
});

/** One defect per body: each of these must be refused with a 4xx. */
function invalidEventBody(): unknown {
  const e: Record<string, unknown> = validEvent();
  const field = pick(["user_id", "item_id", "type", "ts", "props", "event_id"]);
  switch (Math.floor(rand() * 6)) {
    case 0:
      if (field === "type" || field === "ts" || field === "props" || field === "event_id")
        e[field] = { nested: [1] };
      else delete e[field];
      return e;
    case 1:
      e[field] = field === "props" ? pick([[], true, "x", [["x"]]]) : pick([[], {}, true, { a: 1 }, [["x"]]]);
      return e;
    case 2:
      e.user_id = pick(["", "a".repeat(257), "bad\nid", "\u0000"]);
      return e;
    case 3:
      return { events: Array.from({ length: pick([0, 51, 60]) }, validEvent) };
    case 4:
      return { events: [validEvent(), { ...validEvent(), item_id: randomValue(0) === null ? 5.5 : [] }] };
    default:
      return { ...e, [pick(["extra", "userId", "__proto__x"])]: 1 };
  }
}

function invalidItemBody(): unknown {
  const it: Record<string, unknown> = validItem();
  const field = pick(Object.keys(it));
  it[field] = pick([
    { x: 1 },
    [1, [2]],
    field === "price" ? -3 : 42,
    field === "attributes" ? "red" : [true],
  ]);
  if (field === "title" || field === "brand" || field === "category") it[field] = pick([42, {}, []]);
  return it;
}

function assertClientError(res: { statusCode: number; body: string }, what: string): void {
  assert.ok(
    res.statusCode >= 400 && res.statusCode < 500,
    `${what}: expected 4xx, got ${res.statusCode} ${res.body}`,
  );
  const body = JSON.parse(res.body);
  assert.match(body.code, /^SR_ERR_[A-Z_]+$/, what);
  assert.ok(
    typeof body.message === "string" && body.message.length > 5,
    `${what}: message "${body.message}"`,
  );
  assert.equal(body.statusCode, res.statusCode);
}

test("300 fuzzed invalid event bodies are all refused with a coded 4xx", async () => {
  for (let i = 0; i < 300; i++) {
    const body = invalidEventBody();
    const res = await app.inject({
      method: "POST",
      url: "/v1/events",
      headers: WRITE,
      payload: body as object,
    });
    assertClientError(res, JSON.stringify(body).slice(0, 200));
  }
});

test("200 fuzzed invalid item bodies (PUT and POST) are all refused with a coded 4xx", async () => {
  for (let i = 0; i < 200; i++) {
    const body = invalidItemBody();
    const put = i % 2 === 0;
    const res = await app.inject({
      method: put ? "PUT" : "POST",
      url: put ? "/v1/items/it1" : "/v1/items",
      headers: WRITE,
      payload: put ? (body as object) : { id: "it1", ...(body as object) },
    });
    assertClientError(res, JSON.stringify(body).slice(0, 200));
  }
});

test("400 random JSON values on every write route never cause a 5xx", async () => {
  const routes = [
    ["POST", "/v1/events"],
    ["POST", "/v1/items"],
    ["PUT", "/v1/items/x"],
  ] as const;
  let refused = 0;
  for (let i = 0; i < 400; i++) {
    const [method, url] = pick([...routes]);
    const payload = JSON.stringify(randomValue(4));
    const res = await app.inject({
      method,
      url,
      headers: { ...WRITE, "content-type": "application/json" },
      payload,
    });
    assert.ok(res.statusCode < 500, `${method} ${url} ${payload}: ${res.statusCode} ${res.body}`);
    if (res.statusCode >= 400) {
      assertClientError(res, payload);
      refused++;
    }
  }
  assert.ok(refused > 300, `most random values are invalid (${refused} refused)`);
});

test("bad JSON, wrong content types, oversize and deeply nested payloads get clear 4xx codes", async () => {
  const post = (payload: string, contentType = "application/json") =>
    app.inject({
      method: "POST",
      url: "/v1/events",
      headers: { ...WRITE, "content-type": contentType },
      payload,
    });
  const cases: Array<[string, Promise<{ statusCode: number; body: string }>, number, string]> = [
    ["truncated JSON", post('{"user_id": "u1", "item_id'), 400, "SR_ERR_BAD_JSON"],
    ["empty body", post(""), 400, "SR_ERR_BAD_JSON"],
    ["garbage bytes", post("\u0000\u00ff{{{"), 400, "SR_ERR_BAD_JSON"],
    ["text/plain", post("user_id=u1", "text/plain"), 415, "SR_ERR_UNSUPPORTED_MEDIA_TYPE"],
    [
      "form encoded",
      post("user_id=u1&item_id=i1", "application/x-www-form-urlencoded"),
      415,
      "SR_ERR_UNSUPPORTED_MEDIA_TYPE",
    ],
    [
      "over the body limit",
      post(JSON.stringify({ user_id: "u", item_id: "x".repeat(70 * 1024) })),
      413,
      "SR_ERR_BODY_TOO_LARGE",
    ],
    [
      "deep nesting (10k levels)",
      post(`{"user_id":"u","item_id":"i","props":${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}}`),
      400,
      "SR_ERR_VALIDATION",
    ],
    [
      "deep arrays (30k levels)",
      post(`${"[".repeat(30_000)}${"]".repeat(30_000)}`),
      400,
      "SR_ERR_VALIDATION",
    ],
    ["a JSON string", post('"hello"'), 400, "SR_ERR_VALIDATION"],
    [
      "a batch of 51",
      post(JSON.stringify({ events: Array.from({ length: 51 }, validEvent) })),
      400,
      "SR_ERR_VALIDATION",
    ],
  ];
  for (const [what, pending, status, code] of cases) {
    const res = await pending;
    assertClientError(res, what);
    assert.equal(res.statusCode, status, `${what}: ${res.body}`);
    assert.equal(JSON.parse(res.body).code, code, what);
  }
});

test("validation messages name the offending field", async () => {
  const res = await app.inject({
    method: "POST",
    url: "/v1/events",
    headers: WRITE,
    payload: { user_id: "u", item_id: [] },
  });
  assert.equal(res.statusCode, 400);
  assert.match(JSON.parse(res.body).message, /item_id/);
  const batch = await app.inject({
    method: "POST",
    url: "/v1/events",
    headers: WRITE,
    payload: { events: [validEvent(), { user_id: "u" }] },
  });
  assert.match(JSON.parse(batch.body).message, /events\/1.*item_id/);
  const query = await app.inject({ method: "GET", url: "/v1/users/u/events?limit=-4" });
  assert.equal(query.statusCode, 400);
  assert.match(JSON.parse(query.body).message, /limit/);
});

test("valid bodies still pass after the fuzzing (the store is healthy)", async () => {
  const res = await app.inject({ method: "POST", url: "/v1/events", headers: WRITE, payload: validEvent() });
  assert.equal(res.statusCode, 200, res.body);
  const item = await app.inject({ method: "PUT", url: "/v1/items/ok", headers: WRITE, payload: validItem() });
  assert.equal(item.statusCode, 200, item.body);
});
