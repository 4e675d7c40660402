// Issue #13 item 3: the service's event types are configuration. An unknown type ("teleport") is a 400
// naming the field and listing the accepted types, and never reaches a sequence; the default accepts the
// documented list plus the served model version's training types (model.json eventTypes), digits first
// included.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { FastifyInstance } from "fastify";
import { recommender } from "../../src/serve/plugins/recommender.js";
import { preparedDataset } from "../helpers/prepared.js";
import { testApp, WRITE } from "../serve/helpers.js";

const post = (app: FastifyInstance, payload: object) =>
  app.inject({ method: "POST", url: "/v1/events", headers: WRITE, payload });
const sequence = async (app: FastifyInstance, user: string) =>
  (await app.inject({ method: "GET", url: `/v1/users/${user}/sequence`, headers: WRITE })).json().items;

test("an unknown event type is a 400 naming the field and the accepted types; it is not stored", async () => {
  const app = await testApp();
  const res = await post(app, { user_id: "attacker", item_id: "400", type: "teleport" });
  assert.equal(res.statusCode, 400, res.body);
  assert.equal(res.json().code, "SR_ERR_VALIDATION");
  assert.match(
    res.json().message,
    /^type: unknown event type "teleport"; accepted: view, click, cart, purchase/,
  );
  const batch = await post(app, {
    events: [
      { user_id: "attacker", item_id: "1", type: "purchase" },
      { user_id: "attacker", item_id: "2", type: "teleport" },
    ],
  });
  assert.equal(batch.statusCode, 400);
  assert.match(batch.json().message, /^events\[1\]\.type: unknown event type "teleport"/);
  assert.deepEqual(await sequence(app, "attacker"), []);
  assert.equal((await post(app, { user_id: "u", item_id: "1" })).statusCode, 200, "the default type is view");
  await app.close();
});

test("events.types replaces the accepted list; a served model's training types (movielens's '1'..'5') are accepted", async () => {
  const configured = await testApp({ events: { types: ["pv", "buy"] } });
  assert.equal((await post(configured, { user_id: "u", item_id: "1", type: "buy" })).statusCode, 200);
  const view = await post(configured, { user_id: "u", item_id: "1", type: "view" });
  assert.equal(view.statusCode, 400);
  assert.match(view.json().message, /accepted: pv, buy/);
  await configured.close();

  // MovieLens 100K's events are ratings: its types are "1".."5". Served here: Pop of the prepared dataset (no
  // model configured), whose training types are the dataset's. Without a model, only the defaults.
  const bare = await testApp({ dataDir: preparedDataset("movielens-100k") });
  assert.equal((await post(bare, { user_id: "u", item_id: "1", type: "5" })).statusCode, 400);
  await bare.close();
  const app = await testApp({ dataDir: preparedDataset("movielens-100k") }, { plugins: [recommender()] });
  for (const type of ["5", "view"]) {
    const res = await post(app, { user_id: "u", item_id: "1", type });
    assert.equal(res.statusCode, 200, `${type}: ${res.body}`);
  }
  const six = await post(app, { user_id: "u", item_id: "1", type: "6" });
  assert.equal(six.statusCode, 400);
  assert.match(six.json().message, /accepted: view, click, cart, purchase, 1, 2, 3, 4, 5/);
  await app.close();
});
