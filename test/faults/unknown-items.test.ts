// Issue #13 item 3: events on items the catalogue does not know are kept in the event log (and the stored
// sequence) but enter no history the recommender reads and are never recommended; their co-visitation and
// popularity wait in a bounded buffer. Once PUT /v1/items creates the item, the user's history has it at its
// time and its counts apply; ids that never become items cost bounded memory.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { FastifyInstance } from "fastify";
import { popularityModel } from "../../src/artifact/index.js";
import { recommender } from "../../src/serve/plugins/recommender.js";
import type { RecommenderConfigInput, RecommenderService } from "../../src/serve/recommender/index.js";
import { testApp, WRITE } from "../serve/helpers.js";

const post = (app: FastifyInstance, payload: object) =>
  app.inject({ method: "POST", url: "/v1/events", headers: WRITE, payload });
const putItem = (app: FastifyInstance, id: string) =>
  app.inject({ method: "PUT", url: `/v1/items/${id}`, headers: WRITE, payload: { title: `item ${id}` } });

async function start(config: RecommenderConfigInput = {}) {
  let service!: RecommenderService;
  const app = await testApp(
    {},
    { plugins: [recommender({ model: popularityModel(0), config, onReady: (s) => (service = s) })] },
  );
  return { app, service };
}

/** The history the recommender reads for a user, as raw ids. */
async function history(service: RecommenderService, user: string): Promise<string[]> {
  const result = await service.recommendFor(user, {});
  return Array.from(result.history, (id) => service.catalogue.meta(id)!.id);
}

test("an event on an unknown item is stored, but is neither recommended nor read until the item exists", async () => {
  const { app, service } = await start();
  for (const id of ["a", "b", "c"]) await putItem(app, id);
  const t = Date.now() - 3600_000;
  const res = await post(app, {
    events: ["a", "ghost", "b"].map((item_id, i) => ({ user_id: "u", item_id, ts: t + i * 1000 })),
  });
  assert.deepEqual(res.json(), { accepted: 3, stored: 3, duplicates: 0 });
  const stored = (await app.inject({ method: "GET", url: "/v1/users/u/events", headers: WRITE })).json();
  assert.deepEqual(
    stored.events.map((e: { item_id: string }) => e.item_id),
    ["a", "ghost", "b"],
    "kept in the event log",
  );
  assert.deepEqual(await history(service, "u"), ["a", "b"]);
  assert.equal(service.catalogue.denseId("ghost"), undefined, "not added to the catalogue");
  // Hostile: many users hammer an id that is not a product; it must not become a "popular" recommendation.
  await post(app, {
    events: Array.from({ length: 300 }, (_, i) => ({ user_id: `bot${i}`, item_id: "spam" })),
  });
  const recs = await app.inject({ method: "GET", url: "/v1/users/new/recommendations?k=10", headers: WRITE });
  assert.equal(recs.statusCode, 200, recs.body);
  const ids = recs.json().items.map((r: { item_id: string }) => r.item_id);
  assert.ok(ids.length > 0 && !ids.includes("spam") && !ids.includes("ghost"), ids.join(","));
  const a = service.catalogue.denseId("a")!;
  assert.ok(!service.covis.neighbours(a, 10).some((n) => service.catalogue.meta(n.item) === undefined));

  // Catalogue sync lag: the item arrives later; the user's history has it at its time position, and its
  // held co-visitation and popularity count now.
  await putItem(app, "ghost");
  assert.deepEqual(await history(service, "u"), ["a", "ghost", "b"]);
  const ghost = service.catalogue.denseId("ghost")!;
  assert.ok(service.popularity.count("popular", ghost) > 0);
  assert.ok(service.covis.weight(ghost, a) > 0, "paired with the item before it");
  await app.close();
});

test("5,000 events on distinct unknown ids leave the catalogue and co-visitation as they were, and hold bounded memory", async () => {
  const { app, service } = await start({ pendingDeltas: 1000 });
  for (const id of ["a", "b"]) await putItem(app, id);
  await post(app, { events: ["a", "b"].map((item_id) => ({ user_id: "u", item_id })) });
  const before = { items: service.catalogue.maxId, covis: service.covis.itemCount };
  for (let batch = 0; batch < 5; batch++) {
    const events = Array.from({ length: 1000 }, (_, i) => ({
      user_id: `u${i % 50}`,
      item_id: `unknown-${batch}-${i}`,
    }));
    assert.equal((await post(app, { events })).statusCode, 200);
  }
  assert.equal((await app.store.stats()).events, 5002, "all stored");
  assert.deepEqual({ items: service.catalogue.maxId, covis: service.covis.itemCount }, before);
  assert.equal(service.pendingDeltas, 1000, "the newest 1,000 held for their items, the rest forgotten");
  await putItem(app, "unknown-4-999");
  assert.equal(service.pendingDeltas, 999);
  await putItem(app, "unknown-0-0"); // forgotten: stored, in the sequence, but not counted
  assert.equal(service.popularity.count("popular", service.catalogue.denseId("unknown-0-0")!), 0);
  await app.close();
});
