// The HTTP API's OpenAPI document (plugins/api-spec.ts, served by routes/docs): OpenAPI 3.1, every route the
// router holds (core, recommender, search, model admin) in it with its method, known routes with their TypeBox
// request and response schemas and scopes, every operation's errors as the ErrorResponse component (which a real
// error body matches), and the /docs page served from same-origin files, public even with reads closed, and
// rendering every operation in Chromium without an error.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { chromium } from "playwright-core";
import { ModelRegistry } from "../../src/artifact/index.js";
import { SERVE_ERRORS } from "../../src/serve/index.js";
import { recommender } from "../../src/serve/plugins/recommender.js";
import { exportTiny } from "../faults/model-fixtures.js";
import { KEYS, tempDir, testApp, WRITE } from "./helpers.js";

// biome-ignore lint/suspicious/noExplicitAny: a parsed JSON document, read field by field.
type Json = Record<string, any>;

const dir = tempDir("openapi");
let app: FastifyInstance;
let spec: Json;

before(async () => {
  const registry = join(dir.path, "registry");
  await exportTiny(join(registry, "v1"), "v1", 1);
  new ModelRegistry(registry).activate("v1");
  // Reads closed (keys, no publicReads): the docs must stay public anyway.
  app = await testApp(
    { auth: { ...KEYS, publicReads: false } },
    { plugins: [recommender({ modelDir: registry, pollMs: 0 })] },
  );
  const res = await app.inject({ method: "GET", url: "/docs/openapi.json" });
  assert.equal(res.statusCode, 200, res.body);
  assert.match(String(res.headers["content-type"]), /^application\/json/);
  spec = res.json();
});
after(async () => {
  await app?.close();
  dir.remove();
});

/** "METHOD /path" of every route the router holds, read from printRoutes' tree (one segment per line). */
function routerRoutes(fastify: FastifyInstance): string[] {
  const segments: string[] = [];
  const routes: string[] = [];
  for (const line of fastify.printRoutes({ commonPrefix: false }).split("\n")) {
    const m = /^((?:[│ ] {3})*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1].length / 4;
    segments.length = depth;
    segments[depth] = m[2];
    if (m[3]) for (const method of m[3].split(", ")) routes.push(`${method} ${segments.join("")}`);
  }
  return routes;
}

/** "METHOD /path" of every operation in the document, paths back in Fastify's `:param` form. */
function specRoutes(doc: Json): string[] {
  return Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((m) => ["get", "put", "post", "delete", "patch", "options"].includes(m))
      .map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`),
  );
}

const operation = (path: string, method: string): Json => spec.paths[path]?.[method];

test("the document is OpenAPI 3.1 and holds every registered route with its method", () => {
  assert.match(spec.openapi, /^3\.1\.\d+$/);
  assert.equal(spec.info.title, "seqrank HTTP API");
  const registered = routerRoutes(app).filter((r) => !r.startsWith("HEAD ") && !/^\w+ \/docs\b/.test(r));
  // The parse found the routes (a broken parse must not pass by finding none).
  for (const route of ["POST /v1/events", "GET /v1/users/:id/recommendations", "POST /v1/admin/model"])
    assert.ok(registered.includes(route), `the router holds ${route}: ${registered.join(", ")}`);
  assert.ok(registered.length >= 15, `${registered.length} routes`);
  assert.deepEqual(specRoutes(spec).sort(), [...new Set(registered)].sort());
});

test("POST /v1/events documents its body (one event or a batch) and response", () => {
  const op = operation("/v1/events", "post");
  assert.equal(op["x-seqrank-scope"], "write");
  assert.deepEqual(op.security, [{ apiKey: ["write"] }, { bearer: ["write"] }]);
  const body = op.requestBody.content["application/json"].schema;
  assert.deepEqual(body.if, { required: ["events"] });
  assert.equal(body.then.properties.events.type, "array");
  assert.equal(body.then.properties.events.maxItems, 1000);
  assert.deepEqual(Object.keys(body.else.properties), [
    "user_id",
    "item_id",
    "type",
    "ts",
    "event_id",
    "props",
  ]);
  assert.deepEqual(body.else.required, ["user_id", "item_id"], "type has a default: optional");
  assert.equal(body.else.properties.type.default, "view");
  assert.equal(body.else.properties.user_id.maxLength, 256);
  assert.match(body.else.properties.user_id.description, /NFC/);
  const ok = op.responses["200"].content["application/json"].schema;
  assert.deepEqual(Object.keys(ok.properties).sort(), ["accepted", "duplicates", "stored"]);
});

test("GET /v1/users/:id/recommendations documents its params, query and response", () => {
  const op = operation("/v1/users/{id}/recommendations", "get");
  assert.equal(op["x-seqrank-scope"], "read");
  const params = Object.fromEntries(op.parameters.map((p: Json) => [`${p.in}:${p.name}`, p]));
  assert.equal(params["path:id"].required, true);
  assert.deepEqual(params["query:k"].schema, { type: "integer", minimum: 1, maximum: 200, default: 10 });
  assert.equal(params["query:k"].required, false, "k has a default: optional");
  for (const name of [
    "exclude_seen",
    "explain",
    "diversity",
    "category",
    "price_min",
    "price_max",
    "in_stock",
  ])
    assert.ok(params[`query:${name}`], name);
  const ok = op.responses["200"].content["application/json"].schema;
  assert.deepEqual(ok.required, ["model", "items", "candidates", "filtered"]);
  const item = ok.properties.items.items;
  for (const field of ["item_id", "title", "score", "sources", "because"])
    assert.ok(item.properties[field], field);
  assert.equal(item.properties.score.type, "number");
});

test("every operation answers errors as the ErrorResponse component, which a real error matches", async () => {
  const component = spec.components.schemas.ErrorResponse;
  assert.deepEqual(component.required, ["statusCode", "code", "message"]);
  assert.deepEqual(component.properties.code.enum, Object.keys(SERVE_ERRORS));
  assert.equal(
    spec.components.responses.Error.content["application/json"].schema.$ref,
    "#/components/schemas/ErrorResponse",
  );
  for (const [path, item] of Object.entries(spec.paths as Record<string, Json>))
    for (const [method, op] of Object.entries(item)) {
      assert.deepEqual(op.responses["4XX"], { $ref: "#/components/responses/Error" }, `${method} ${path}`);
      assert.deepEqual(op.responses["5XX"], { $ref: "#/components/responses/Error" }, `${method} ${path}`);
    }
  assert.doesNotMatch(JSON.stringify(spec), /"idRule"/, "the validator's own keyword is not in the document");
  const res = await app.inject({
    method: "POST",
    url: "/v1/events",
    headers: WRITE,
    payload: { user_id: "u" },
  });
  assert.equal(res.statusCode, 400);
  const error = res.json();
  assert.deepEqual(Object.keys(error).sort(), ["code", "message", "statusCode"]);
  assert.ok(component.properties.code.enum.includes(error.code));
});

test("scopes: probes and docs public, /metrics its own scope, reads and writes by method", () => {
  assert.deepEqual(operation("/healthz", "get").security, []);
  assert.equal(operation("/readyz", "get")["x-seqrank-scope"], "public");
  assert.ok(operation("/readyz", "get").responses["503"], "readiness documents its 503");
  assert.equal(operation("/metrics", "get")["x-seqrank-scope"], "metrics");
  assert.ok(operation("/metrics", "get").responses["200"].content["text/plain"]);
  assert.equal(operation("/v1/search", "get")["x-seqrank-scope"], "read");
  assert.equal(operation("/v1/items/{id}", "delete")["x-seqrank-scope"], "write");
  assert.equal(operation("/v1/admin/model", "post")["x-seqrank-scope"], "write");
  assert.deepEqual(Object.keys(spec.components.securitySchemes).sort(), ["apiKey", "bearer"]);
});

test("/docs renders the document from same-origin files, without a key", async () => {
  assert.equal((await app.inject({ url: "/v1/model" })).statusCode, 401, "reads are closed here");
  const page = await app.inject({ url: "/docs" });
  assert.equal(page.statusCode, 200);
  assert.match(String(page.headers["content-type"]), /^text\/html/);
  assert.match(String(page.headers["content-security-policy"]), /script-src 'self'/);
  // Nothing from another origin, nothing inline.
  assert.doesNotMatch(page.body, /https?:\/\//);
  assert.doesNotMatch(page.body, /<script>|<style|style=/);
  const refs = [...page.body.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(refs.sort(), ["/docs/openapi.json", "/docs/page.css", "/docs/page.js"]);
  for (const url of refs) assert.equal((await app.inject({ url })).statusCode, 200, url);
  const script = await app.inject({ url: "/docs/page.js" });
  assert.match(String(script.headers["content-type"]), /^text\/javascript/);
  assert.doesNotThrow(() => new Function(script.body), "the page script parses");
  assert.doesNotMatch(script.body, /innerHTML/);
});

test("in Chromium, /docs renders every operation with no error and filters them", async () => {
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") errors.push(m.text());
    });
    await page.goto(`${url}/docs`);
    const operations = specRoutes(spec).length;
    await page.waitForFunction(() => /operations/.test(document.getElementById("status")?.textContent ?? ""));
    assert.equal(await page.textContent("#status"), `${operations} operations, OpenAPI ${spec.openapi}`);
    assert.equal(await page.locator("details.op").count(), operations);
    await page.fill("#filter", "post /v1/items");
    assert.equal(await page.locator("details.op:visible").count(), 1);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
