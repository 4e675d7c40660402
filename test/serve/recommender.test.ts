import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { recommender } from "../../src/serve/plugins/recommender.js";
import { preparedDataset } from "../helpers/prepared.js";
import { datasetsDir, testApp, WRITE } from "./helpers.js";
import { vectorModel } from "./vector-model.js";

let app: FastifyInstance;
/** Histories the model has encoded (the served model counts its encoder calls). */
let encoded = 0;

before(async () => {
  const model = vectorModel("v1");
  const encodeUser = model.encodeUser;
  model.encodeUser = (history) => {
    encoded++;
    return encodeUser(history);
  };
  app = await testApp(
    {
      dataDir: preparedDataset("amazon-beauty"),
      catalogFile: join(datasetsDir, "amazon-beauty", "items.jsonl"),
    },
    { plugins: [recommender({ model })] },
  );
});
after(() => app.close());

interface RecItem {
  item_id: string;
  title: string | null;
  brand: string | null;
  category: string | null;
  price: number | null;
  score: number;
  sources: string[];
  because?: Array<{ item_id: string; kind: string }>;
}
const get = async (url: string) => {
  const res = await app.inject({ method: "GET", url });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
};
const recs = async (user: string, query = "") =>
  (await get(`/v1/users/${user}/recommendations?k=10${query}`)).items as RecItem[];
const sequence = async (user: string) => (await get(`/v1/users/${user}/sequence`)).items as string[];

test("recommendations for a Beauty user: unseen items, candidate sources, explanations from the history", async () => {
  const seen = new Set(await sequence("1"));
  const items = await recs("1", "&explain=true");
  assert.equal(items.length, 10);
  for (const r of items) {
    assert.ok(!seen.has(r.item_id));
    assert.ok(r.sources.length > 0);
    for (const b of r.because ?? []) assert.ok(seen.has(b.item_id), "reasons are history items");
  }
  assert.ok(items.some((r) => (r.because ?? []).length > 0));
  // Each item carries the catalogue's display fields, brand included.
  for (const r of items) {
    const item = await get(`/v1/items/${encodeURIComponent(r.item_id)}`);
    assert.deepEqual(
      [r.title, r.brand, r.category, r.price],
      [item.title, item.brand, item.category, item.price],
    );
  }
  assert.ok(items.some((r) => r.sources.includes("ann")) && items.some((r) => r.sources.includes("covis")));
  // Unknown users get the popular items; bad parameters are a 400.
  const cold = await recs("no-such-user");
  assert.ok(cold.every((r) => r.sources.includes("popular")));
  const bad = await app.inject({ method: "GET", url: "/v1/users/1/recommendations?k=0" });
  assert.equal(bad.statusCode, 400);
});

test("an event changes the next recommendations at once (no retraining)", async () => {
  const before = (await recs("2")).map((r) => r.item_id);
  const res = await app.inject({
    method: "POST",
    url: "/v1/events",
    headers: WRITE,
    payload: { user_id: "2", item_id: "1", type: "click" },
  });
  assert.equal(res.statusCode < 300, true, res.body);
  const after = await recs("2", "&explain=true");
  assert.notDeepEqual(
    after.map((r) => r.item_id),
    before,
  );
  assert.ok(
    after.some((r) => (r.because ?? []).some((b) => b.item_id === "1")),
    "the new item drives some",
  );
});

test("once the user vectors are warmed, reads run no encoder; an event encodes on the write path", async () => {
  const deadline = Date.now() + 60_000;
  while ((await app.inject({ method: "GET", url: "/readyz" })).statusCode !== 200) {
    assert.ok(Date.now() < deadline, "warm-up finishes");
    await new Promise((r) => setTimeout(r, 50));
  }
  const ready = (await app.inject({ method: "GET", url: "/readyz" })).json();
  const warmed = /^(\d+) users encoded at start/.exec(ready.components["user-vectors"].detail);
  assert.ok(warmed && Number(warmed[1]) > 22_000, ready.components["user-vectors"].detail);
  // Co-visitation lists are sorted at start too, so no read sorts one.
  assert.match(ready.components["co-visitation"].detail, /^neighbour lists sorted at start/);
  const start = encoded;
  const before = (await recs("5")).map((r) => r.item_id);
  await recs("6");
  assert.equal(encoded, start, "reads of stored users find their vectors");
  const res = await app.inject({
    method: "POST",
    url: "/v1/events",
    headers: WRITE,
    payload: { user_id: "5", item_id: "1", type: "click" },
  });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(encoded, start + 1, "the event encodes the new history once");
  assert.notDeepEqual(
    (await recs("5")).map((r) => r.item_id),
    before,
  );
  assert.equal(encoded, start + 1, "and the next read uses it");
});

test("similar items, filters and 404s", async () => {
  const similar = (await get("/v1/items/1/similar?k=5")).items as RecItem[];
  assert.equal(similar.length, 5);
  assert.ok(!similar.some((r) => r.item_id === "1"));
  const missing = await app.inject({ method: "GET", url: "/v1/items/nope/similar" });
  assert.equal(missing.statusCode, 404);
  const cheap = await app.inject({
    method: "PUT",
    url: "/v1/items/1",
    headers: WRITE,
    payload: { title: "OPI Nail Lacquer", price: 5, in_stock: false },
  });
  assert.equal(cheap.statusCode, 200, cheap.body);
  const inStock = (await recs("2", "&in_stock=true&exclude_seen=false")) as RecItem[];
  assert.ok(!inStock.some((r) => r.item_id === "1"));
});

test("a new item is searchable and recommendable at once through its content vector", async () => {
  const title = "Zorbluxa Nail Lacquer, Big Apple Red Nail Polish 0.5 fl oz";
  const created = await app.inject({
    method: "POST",
    url: "/v1/items",
    headers: WRITE,
    payload: { id: "new-opi", title, brand: "Zorbluxa", category: "Makeup > Nails", price: 9.5 },
  });
  assert.equal(created.statusCode, 201, created.body);
  const hits = (await get(`/v1/search?q=${encodeURIComponent("zorbluxa")}&k=5`)).hits as RecItem[];
  assert.equal(hits[0].item_id, "new-opi");
  assert.deepEqual([hits[0].brand, hits[0].category, hits[0].price], ["Zorbluxa", "Makeup > Nails", 9.5]);
  const similar = (await get("/v1/items/new-opi/similar?k=10")).items as RecItem[];
  assert.equal(similar.length, 10);
  // Its vector is the mean of its title's BM25 neighbours': the same product under another brand comes first.
  assert.match(similar[0].title ?? "", /Big Apple Red/);
  const del = await app.inject({ method: "DELETE", url: "/v1/items/new-opi", headers: WRITE });
  assert.equal(del.statusCode, 200);
  const after = (await get(`/v1/search?q=${encodeURIComponent("zorbluxa")}&k=5`)).hits as RecItem[];
  assert.ok(!after.some((h) => h.item_id === "new-opi"));
});

test("hybrid search: BM25 and vector legs fused; a user's history re-ranks; Chinese titles", async () => {
  const plain = await get("/v1/search?q=shampoo&k=10");
  assert.equal(plain.hits.length, 10);
  assert.equal(plain.vector_leg, "bm25-neighbours", "a model without a title tower falls back");
  assert.ok(
    plain.hits.some((h: { bm25_rank?: number; vector_rank?: number }) => h.bm25_rank && h.vector_rank),
  );
  for (const h of plain.hits as RecItem[])
    assert.equal(
      h.brand,
      (await get(`/v1/items/${encodeURIComponent(h.item_id)}`)).brand,
      "hits carry the brand",
    );
  const personal = await get("/v1/search?q=shampoo&k=10&user=3&personal=2");
  assert.notDeepEqual(
    personal.hits.map((h: RecItem) => h.item_id),
    plain.hits.map((h: RecItem) => h.item_id),
  );
  for (const [id, t] of [
    ["zh-1", "华为 Mate 60 Pro 智能手机 12GB+512GB"],
    ["zh-2", "小米 Redmi Note 13 手机 5G"],
    ["zh-3", "欧莱雅 复颜 玻尿酸 水光 充盈 精华液"],
  ]) {
    const res = await app.inject({
      method: "PUT",
      url: `/v1/items/${id}`,
      headers: WRITE,
      payload: { title: t },
    });
    assert.equal(res.statusCode, 200, res.body);
  }
  const zh = await get(`/v1/search?q=${encodeURIComponent("智能手机")}&k=3`);
  assert.equal(zh.hits[0].item_id, "zh-1");
  const serum = await get(`/v1/search?q=${encodeURIComponent("精华")}&k=3`);
  assert.equal(serum.hits[0].item_id, "zh-3");
});

test("deleting a user forgets them: recommendations fall back to popular items", async () => {
  const del = await app.inject({ method: "DELETE", url: "/v1/users/4", headers: WRITE });
  assert.equal(del.statusCode, 200, del.body);
  assert.deepEqual(await sequence("4"), []);
  const items = await recs("4");
  assert.ok(items.every((r) => r.sources.includes("popular")));
});
