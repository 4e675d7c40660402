// Issue #13 item 9, error shape: every non-2xx answer — Fastify's own (bad URL, content type, body too large,
// malformed JSON, unknown route or method, validation, malformed HTTP) and the service's — is exactly
// `{statusCode, code: "SR_ERR_…", message}`, and no malformed request is a 5xx. A table of known cases, then
// seeded random requests.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, test } from "node:test";
import type { FastifyInstance, InjectOptions } from "fastify";
import { uniformSource } from "../../src/graph/init.js";
import { dashboard } from "../../src/serve/plugins/dashboard.js";
import { recommender } from "../../src/serve/plugins/recommender.js";
import { READ_KEY, testApp, WRITE_KEY } from "../serve/helpers.js";

let app: FastifyInstance;
let port: number;
before(async () => {
  app = await testApp(
    {
      auth: {
        keys: [
          { key: WRITE_KEY, scopes: ["read", "write"] },
          { key: READ_KEY, scopes: ["read"] },
        ],
        // The random requests fail authentication often; they should reach the routes, not the 429.
        failedAuth: { max: 1_000_000 },
      },
    },
    { plugins: [recommender(), dashboard()] },
  );
  const url = new URL(await app.listen({ host: "127.0.0.1", port: 0 }));
  port = Number(url.port);
});
after(() => app?.close());

/** Exactly the documented shape, matching the status line, and never a 5xx. */
function assertShaped(status: number, body: string, what: string): void {
  if (status < 300) return;
  assert.ok(status < 500, `${what}: ${status} ${body}`);
  let parsed: unknown;
  assert.doesNotThrow(() => {
    parsed = JSON.parse(body);
  }, `${what}: not JSON: ${body}`);
  const e = parsed as Record<string, unknown>;
  assert.deepEqual(Object.keys(e).sort(), ["code", "message", "statusCode"], `${what}: ${body}`);
  assert.equal(e.statusCode, status, what);
  assert.match(String(e.code), /^SR_ERR_[A-Z_]+$/, `${what}: ${body}`);
  assert.equal(typeof e.message, "string", what);
}

const W = { "x-api-key": WRITE_KEY };
const R = { "x-api-key": READ_KEY };
const json = { "content-type": "application/json" };

const TABLE: Array<[what: string, request: InjectOptions, status: number]> = [
  ["URL not valid UTF-8", { url: "/v1/users/%E0%A4%A/sequence", headers: R }, 400],
  ["bare % in the URL", { url: "/v1/users/%/events", headers: R }, 400],
  ["lone surrogate in the URL", { url: "/v1/users/a%ED%A0%80b", method: "DELETE", headers: W }, 400],
  ["param longer than any id", { url: `/v1/users/${"x".repeat(5000)}/sequence`, headers: R }, 414],
  ["unknown route", { url: "/v1/nope", headers: R }, 404],
  ["unknown route, anonymous", { url: "/v1/nope" }, 401],
  [
    "method not allowed",
    { method: "PUT", url: "/v1/events", headers: { ...W, ...json }, payload: "{}" },
    404,
  ],
  ["PATCH an item", { method: "PATCH", url: "/v1/items/1", headers: { ...W, ...json }, payload: "{}" }, 404],
  ["OPTIONS", { method: "OPTIONS", url: "/v1/events", headers: R }, 404],
  [
    "text/plain",
    { method: "POST", url: "/v1/events", headers: { ...W, "content-type": "text/plain" }, payload: "u" },
    415,
  ],
  [
    "form encoded",
    {
      method: "POST",
      url: "/v1/events",
      headers: { ...W, "content-type": "application/x-www-form-urlencoded" },
      payload: "a=b",
    },
    415,
  ],
  [
    "nonsense content type",
    { method: "POST", url: "/v1/items", headers: { ...W, "content-type": "@@@" }, payload: "{}" },
    415,
  ],
  [
    "body too large",
    { method: "POST", url: "/v1/events", headers: { ...W, ...json }, payload: `"${"x".repeat(1_100_000)}"` },
    413,
  ],
  ["empty JSON body", { method: "POST", url: "/v1/events", headers: { ...W, ...json }, payload: "" }, 400],
  ["malformed JSON", { method: "POST", url: "/v1/events", headers: { ...W, ...json }, payload: "{" }, 400],
  ["JSON array body", { method: "POST", url: "/v1/events", headers: { ...W, ...json }, payload: "[]" }, 400],
  [
    "__proto__ key",
    { method: "POST", url: "/v1/events", headers: { ...W, ...json }, payload: '{"__proto__":{}}' },
    400,
  ],
  [
    "deep nesting",
    {
      method: "POST",
      url: "/v1/events",
      headers: { ...W, ...json },
      payload: `${"[".repeat(20_000)}${"]".repeat(20_000)}`,
    },
    400,
  ],
  [
    "unknown body field",
    { method: "POST", url: "/v1/items", headers: W, payload: { id: "a", colour: "red" } },
    400,
  ],
  ["query not an integer", { url: "/v1/users/u/events?limit=abc", headers: R }, 400],
  ["query out of range", { url: "/v1/users/u/recommendations?k=-5", headers: R }, 400],
  ["unknown query param", { url: "/v1/users/u/recommendations?kk=1", headers: R }, 400],
  ["search without q", { url: "/v1/search", headers: R }, 400],
  [
    "missing key on a write",
    { method: "POST", url: "/v1/events", payload: { user_id: "u", item_id: "1" } },
    401,
  ],
  ["unknown key", { url: "/v1/model", headers: { "x-api-key": "wrong-key-0123456789" } }, 401],
  ["read key on a write", { method: "DELETE", url: "/v1/users/u", headers: R }, 403],
  ["read key on /metrics", { url: "/metrics", headers: R }, 403],
  ["no such item", { url: "/v1/items/nope", headers: R }, 404],
  [
    "no registry to activate",
    { method: "POST", url: "/v1/admin/model", headers: W, payload: { version: "../x" } },
    404,
  ],
  ["item conflict", { method: "POST", url: "/v1/items", headers: W, payload: { id: "1" } }, 409],
];

test("a table of malformed requests: each answers its status in the documented shape", async () => {
  await app.inject({ method: "POST", url: "/v1/items", headers: W, payload: { id: "1" } });
  for (const [what, request, status] of TABLE) {
    const res = await app.inject(request);
    assert.equal(res.statusCode, status, `${what}: ${res.body.slice(0, 200)}`);
    assertShaped(res.statusCode, res.body, what);
  }
});

/** A raw request on a socket: what the HTTP parser refuses never reaches Fastify's routing. */
function raw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let data = "";
    socket.on("data", (d) => {
      data += d;
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(data));
    socket.write(request);
  });
}

test("HTTP the parser refuses (bad framing, oversized headers) is answered in the same shape", async () => {
  for (const [what, request, status] of [
    ["bad content-length", "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400],
    ["not HTTP", "HELLO THERE\r\n\r\n", 400],
    ["bad header name", "GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n", 400],
    ["headers too large", `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`, 431],
  ] as const) {
    const response = await raw(request);
    const statusLine = response.split("\r\n")[0];
    assert.match(statusLine, new RegExp(`^HTTP/1.1 ${status} `), `${what}: ${statusLine}`);
    assertShaped(status, response.slice(response.indexOf("\r\n\r\n") + 4), what);
  }
});

const rand = uniformSource(20261202); // seeded: every run sends the same requests
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const SEGMENTS = [
  "u",
  "1",
  "%E0%A4%A",
  "%ED%A0%80",
  "%00",
  "%20%20",
  "%E2%80%AE",
  "..",
  "😀",
  "x".repeat(300),
  "%",
];
const PATHS = [
  (s: string) => `/v1/users/${s}/events`,
  (s: string) => `/v1/users/${s}/sequence`,
  (s: string) => `/v1/users/${s}/recommendations?k=${s}`,
  (s: string) => `/v1/users/${s}`,
  (s: string) => `/v1/items/${s}`,
  (s: string) => `/v1/items/${s}/similar?diversity=${s}`,
  (s: string) => `/v1/search?q=${s}&user=${s}`,
  () => "/v1/events",
  () => "/v1/items",
  () => "/v1/model",
  () => "/v1/admin/forget-user",
  () => "/metrics",
  (s: string) => `/${s}`,
];
const BODIES = [
  undefined,
  "",
  "{",
  "null",
  "[]",
  '{"user_id":"u","item_id":"1"}',
  '{"user_id":"\\u202eu","item_id":"1"}',
  '{"events":[{"user_id":"u","item_id":"1","props":{"__proto__":1}}]}',
  '{"id":"a\\u0000"}',
  '{"user_id":"u","item_id":"1","ts":1e300}',
  '{"user_id":"u","item_id":"1","props":{"k":{"deep":1}}}',
  "\u00ff\u00fe",
];
const CONTENT_TYPES = [
  undefined,
  "application/json",
  "text/plain",
  "application/json; charset=utf-8",
  "*/*",
  "x",
];
const KEYS = [undefined, READ_KEY, WRITE_KEY, "wrong-key-0123456789", ""];
const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"] as const;

test("600 seeded random requests: every non-2xx answer is shaped, none is a 5xx", async () => {
  const statuses = new Map<number, number>();
  for (let i = 0; i < 600; i++) {
    const method = pick(METHODS);
    const url = pick(PATHS)(pick(SEGMENTS));
    const headers: Record<string, string> = {};
    const key = pick(KEYS);
    if (key !== undefined) headers["x-api-key"] = key;
    const contentType = pick(CONTENT_TYPES);
    if (contentType) headers["content-type"] = contentType;
    const payload = method === "GET" || method === "HEAD" ? undefined : pick(BODIES);
    const res = await app.inject({ method, url, headers, payload });
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
    if (method !== "HEAD") assertShaped(res.statusCode, res.body, `${method} ${url} ${payload ?? ""}`);
    else assert.ok(res.statusCode < 500, `HEAD ${url}: ${res.statusCode}`);
  }
  // The generator reaches the interesting answers, not just one kind of refusal.
  for (const status of [200, 400, 401, 403, 404, 415])
    assert.ok(statuses.has(status), `no ${status} in ${[...statuses.keys()]}`);
});
