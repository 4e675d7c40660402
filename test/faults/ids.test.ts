// Issue #13 item 9, ids: one rule (NFC, well-formed UTF-16, no control or format characters, not blank, a
// length limit) at every entry point, a 400 naming the field; props keys ≤ 64 characters under the same rule;
// `__proto__` / `constructor.prototype` keys are a 400 naming the key; a user stored with a lone surrogate by
// older versions can still be forgotten.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { idProblem } from "../../src/serve/id-rule.js";
import { dashboard } from "../../src/serve/plugins/dashboard.js";
import { recommender } from "../../src/serve/plugins/recommender.js";
import { EventId, Props } from "../../src/serve/routes/schemas.js";
import { validatorCompiler } from "../../src/serve/validation.js";
import { tempDir, testApp, WRITE } from "../serve/helpers.js";

const BAD_IDS: Array<[kind: string, id: string]> = [
  ["lone high surrogate", "a\ud800b"],
  ["lone low surrogate", "\udc00"],
  ["zero-width space", "a\u200bb"],
  ["bidi override", "\u202eabc"],
  ["byte order mark", "\ufeffabc"],
  ["whitespace only", "   "],
  ["no-break spaces only", "\u00a0\u3000"],
  ["bell (C0 control)", "a\u0007b"],
  ["tab", "a\tb"],
  ["delete", "a\u007fb"],
  ["C1 control", "a\u0085b"],
  ["line separator", "a\u2028b"],
  ["not NFC (e + combining acute)", "cafe\u0301"],
  ["too long", "x".repeat(257)],
  ["empty", ""],
];
const GOOD_IDS = ["café", "用户-1", "😀", "a b", "user@example.com", "x".repeat(256), "Ωmega"];

/** URL entry points: the id in a path segment or the `user` query parameter, and the field to name. */
const URL_ENTRY_POINTS: Array<
  [method: "GET" | "PUT" | "DELETE", url: (id: string) => string, field: RegExp]
> = [
  ["GET", (id) => `/v1/users/${id}/events`, /params\/id/],
  ["GET", (id) => `/v1/users/${id}/sequence`, /params\/id/],
  ["GET", (id) => `/v1/users/${id}/recommendations`, /params\/id/],
  ["DELETE", (id) => `/v1/users/${id}`, /params\/id/],
  ["GET", (id) => `/v1/items/${id}`, /params\/id/],
  ["PUT", (id) => `/v1/items/${id}`, /params\/id/],
  ["DELETE", (id) => `/v1/items/${id}`, /params\/id/],
  ["GET", (id) => `/v1/items/${id}/similar`, /params\/id/],
  ["GET", (id) => `/v1/search?q=lipstick&user=${id}`, /querystring\/user/],
];

/** Body entry points: a body carrying the id, and the field to name. */
const BODY_ENTRY_POINTS: Array<[url: string, body: (id: string) => object, field: RegExp]> = [
  ["/v1/events", (id) => ({ user_id: id, item_id: "1" }), /body\/user_id/],
  ["/v1/events", (id) => ({ user_id: "u", item_id: id }), /body\/item_id/],
  [
    "/v1/events",
    (id) => ({
      events: [
        { user_id: "u", item_id: "1" },
        { user_id: id, item_id: "1" },
      ],
    }),
    /body\/events\/1\/user_id/,
  ],
  ["/v1/items", (id) => ({ id }), /body\/id/],
];

let app: FastifyInstance;
before(async () => {
  app = await testApp({}, { plugins: [recommender(), dashboard()] });
});
after(() => app?.close());

const assert400 = (res: { statusCode: number; body: string }, field: RegExp, what: string) => {
  assert.equal(res.statusCode, 400, `${what}: ${res.statusCode} ${res.body}`);
  const body = JSON.parse(res.body);
  assert.equal(body.code, "SR_ERR_VALIDATION", what);
  assert.match(body.message, field, what);
};

test("every bad id class is refused in every body field with a 400 naming the field", async () => {
  for (const [kind, id] of BAD_IDS)
    for (const [url, body, field] of BODY_ENTRY_POINTS) {
      const res = await app.inject({ method: "POST", url, headers: WRITE, payload: body(id) });
      assert400(res, field, `${kind} in ${url} ${field}`);
    }
  assert.equal((await app.store.stats()).events, 0, "nothing was stored");
});

/** Percent-encoding; a lone surrogate (which UTF-8 cannot encode) as the bytes older clients sent (WTF-8). */
const urlEncode = (id: string) =>
  [...id]
    .map((ch) => {
      const c = ch.charCodeAt(0);
      if (c < 0xd800 || c > 0xdfff || ch.length === 2) return encodeURIComponent(ch);
      return [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63)]
        .map((b) => `%${b.toString(16)}`)
        .join("");
    })
    .join("");

test("every bad id class is refused in every URL param and id query param", async () => {
  for (const [kind, id] of BAD_IDS) {
    if (id === "") continue; // an empty path segment is another route
    for (const [method, url, field] of URL_ENTRY_POINTS) {
      const what = `${kind} in ${method} ${url("<id>")}`;
      // The query parser keeps undecodable escapes as literal text: no lone surrogate gets through there.
      if (/surrogate/.test(kind) && field.source.includes("querystring")) continue;
      const payload = method === "PUT" ? {} : undefined;
      const res = await app.inject({ method, url: url(urlEncode(id)), headers: WRITE, payload });
      if (/surrogate/.test(kind)) {
        // Not UTF-8, so not a URL at all: refused before routing, in the same error shape.
        assert.equal(res.statusCode, 400, what);
        assert.match(res.json().message, /not a valid url component/, what);
      } else assert400(res, field, what);
    }
  }
});

test("good ids pass everywhere: the URL and the body reach the same user", async () => {
  for (const id of GOOD_IDS) {
    const post = await app.inject({
      method: "POST",
      url: "/v1/events",
      headers: WRITE,
      payload: { user_id: id, item_id: "1" },
    });
    assert.equal(post.statusCode, 200, `${id}: ${post.body}`);
    const events = await app.inject({ url: `/v1/users/${urlEncode(id)}/events` });
    assert.equal(events.statusCode, 200, id);
    assert.equal(events.json().user_id, id);
    assert.equal(events.json().events.length, 1, id);
    const del = await app.inject({ method: "DELETE", url: `/v1/users/${urlEncode(id)}`, headers: WRITE });
    assert.equal(del.json().deleted.events, 1, id);
  }
});

test("the rule's messages say what is wrong and where", () => {
  assert.match(idProblem("a\u200bb") ?? "", /control or format character: U\+200B at index 1/);
  assert.match(idProblem("x\ud800") ?? "", /lone surrogate.*U\+D800 at index 1/);
  assert.match(idProblem(" \t ".replace("\t", " ")) ?? "", /blank/);
  assert.match(idProblem("cafe\u0301") ?? "", /NFC/);
  for (const id of GOOD_IDS) assert.equal(idProblem(id), undefined, id);
});

test("event ids and props keys follow the same rule; props are bounded (schema pieces for POST /v1/events)", () => {
  const compile = validatorCompiler();
  const validate = (schema: object) => compile({ schema, method: "POST", url: "/", httpPart: "body" });
  const eventId = validate(EventId);
  for (const [kind, id] of BAD_IDS.filter(([k]) => k !== "too long")) assert.equal(eventId(id), false, kind);
  assert.equal(eventId("x".repeat(129)), false);
  assert.equal(eventId("retry-7f3a"), true);

  const props = validate(Props);
  assert.equal(props({ color: "red", size: 3, gift: false, note: null }), true);
  assert.equal(props({ ["k".repeat(100_000)]: 1 }), false, "a 100,000-character key");
  assert.equal(props({ ["k".repeat(65)]: 1 }), false);
  assert.equal(props({ ["k".repeat(64)]: 1 }), true);
  for (const [kind, key] of BAD_IDS.filter(([k]) => k !== "too long"))
    assert.equal(props({ [key]: 1 }), false, kind);
  assert.equal(
    props(Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i]))),
    false,
    "33 props",
  );
  assert.equal(props({ nested: { a: 1 } }), false);
});

test("__proto__ and constructor.prototype keys are a 400 naming the key, not 'not valid JSON'", async () => {
  const post = (payload: string) =>
    app.inject({
      method: "POST",
      url: "/v1/events",
      headers: { ...WRITE, "content-type": "application/json" },
      payload,
    });
  for (const [body, where] of [
    ['{"user_id":"u","item_id":"1","__proto__":{"isAdmin":true}}', "body/__proto__"],
    ['{"user_id":"u","item_id":"1","\\u005f_proto__":{"x":1}}', "body/__proto__"],
    ['{"events":[{"user_id":"u","item_id":"1","props":{"__proto__":1}}]}', "body/events/0/props/__proto__"],
    ['{"user_id":"u","item_id":"1","constructor":{"prototype":{"x":1}}}', "body/constructor/prototype"],
  ] as const) {
    const res = await post(body);
    assert.equal(res.statusCode, 400, body);
    assert.equal(res.json().code, "SR_ERR_VALIDATION", body);
    assert.ok(res.json().message.startsWith(`${where}:`), `${body}: ${res.json().message}`);
  }
  // "constructor" without "prototype" is an ordinary key.
  const plain = await post('{"user_id":"u","item_id":"1","props":{"constructor":"x"}}');
  assert.equal(plain.statusCode, 200, plain.body);
});

test("a lone-surrogate user can no longer be created; one stored by older versions can still be forgotten", async () => {
  const dir = tempDir("ids");
  const old = await testApp({ storage: { sqlitePath: join(dir.path, "events.db") } });
  try {
    const refused = await old.inject({
      method: "POST",
      url: "/v1/events",
      headers: { ...WRITE, "content-type": "application/json" },
      payload: '{"user_id":"a\\ud800b","item_id":"1"}',
    });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.json().message, /body\/user_id must not contain a lone surrogate/);
    // What older versions stored (they accepted the id): written straight to the store.
    const ghost = "a\ud800b";
    await old.store.events.append([
      { userId: ghost, itemId: "1", type: "view", ts: Date.now(), eventId: null, props: null },
    ]);
    assert.equal((await old.store.events.ofUser(ghost, 10)).length, 1);
    const forgotten = await old.inject({
      method: "POST",
      url: "/v1/admin/forget-user",
      headers: { ...WRITE, "content-type": "application/json" },
      payload: '{"user_id":"a\\ud800b"}',
    });
    assert.equal(forgotten.statusCode, 200, forgotten.body);
    assert.equal(forgotten.json().deleted.events, 1);
    assert.equal((await old.store.events.ofUser(ghost, 10)).length, 0);
    // Forgetting is a write.
    const anonymous = await old.inject({
      method: "POST",
      url: "/v1/admin/forget-user",
      payload: { user_id: "x" },
    });
    assert.equal(anonymous.statusCode, 401);
  } finally {
    await old.close();
    dir.remove();
  }
});
