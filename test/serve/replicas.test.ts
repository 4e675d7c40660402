// Two server processes, each with its own SQLite file, on one real Redis: a user's sequence is shared, so an
// event accepted by A is visible on B at once, and a deletion on B is seen by A. Each replica caches user
// vectors in its own process; the cache checks every read against the shared sequence, so B's next
// recommendation already reflects an event accepted by A.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { recommender } from "../../src/serve/plugins/recommender.js";
import type { RecommenderService } from "../../src/serve/recommender/index.js";
import {
  cleanRedis,
  REDIS_URL,
  type ServerProcess,
  spawnServer,
  tempDir,
  testApp,
  uniquePrefix,
  WRITE,
  WRITE_KEY,
} from "./helpers.js";
import { vectorModel } from "./vector-model.js";

const dir = tempDir("replicas");
const prefix = uniquePrefix("replicas");
const servers: ServerProcess[] = [];
after(async () => {
  for (const s of servers) await s.stop("SIGTERM");
  await cleanRedis(prefix);
  dir.remove();
});

const replica = async (name: string) => {
  const s = await spawnServer([
    "--db",
    join(dir.path, `${name}.db`),
    "--redis",
    REDIS_URL,
    "--redis-prefix",
    prefix,
    "--api-key",
    WRITE_KEY,
    "--public-reads",
    "--log-level",
    "warn",
  ]);
  servers.push(s);
  return s;
};

const sequence = async (s: ServerProcess, user: string) =>
  ((await (await fetch(`${s.url}/v1/users/${user}/sequence`)).json()) as { items: string[] }).items;

const events = async (s: ServerProcess, user: string) =>
  ((await (await fetch(`${s.url}/v1/users/${user}/events`)).json()) as { events: unknown[] }).events;

test("an event on replica A is in the user's sequence on replica B; a deletion on B is seen by A", async () => {
  const [a, b] = await Promise.all([replica("a"), replica("b")]);
  const send = (s: ServerProcess, item: string) =>
    fetch(`${s.url}/v1/events`, {
      method: "POST",
      headers: { ...WRITE, "content-type": "application/json" },
      body: JSON.stringify({ user_id: "shared-user", item_id: item }),
    });
  assert.equal((await send(a, "lipstick")).status, 200);
  assert.deepEqual(await sequence(b, "shared-user"), ["lipstick"]);
  assert.equal((await send(b, "mascara")).status, 200);
  assert.deepEqual(await sequence(a, "shared-user"), ["lipstick", "mascara"]);

  const ready = (await (await fetch(`${a.url}/readyz`)).json()) as {
    components: { storage: { detail: string } };
  };
  assert.equal(ready.components.storage.detail, "redis");

  const del = await fetch(`${b.url}/v1/users/shared-user`, { method: "DELETE", headers: WRITE });
  assert.equal(del.status, 200);
  assert.deepEqual(await sequence(a, "shared-user"), []);
  // A's own SQLite file drops the user's events too (the deletion is published to every replica).
  const deadline = Date.now() + 5000;
  while ((await events(a, "shared-user")).length > 0 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(await events(a, "shared-user"), []);
});

test("per-replica user vector caches stay correct: B's next recommendation reflects an event accepted by A", async () => {
  const shared = uniquePrefix("replica-vectors");
  const services: RecommenderService[] = [];
  const replica = (name: string) =>
    testApp(
      {
        storage: {
          sqlitePath: join(dir.path, `${name}-vectors.db`),
          redisUrl: REDIS_URL,
          redisPrefix: shared,
        },
      },
      { plugins: [recommender({ model: vectorModel("v1"), onReady: (s) => services.push(s) })] },
    );
  const [a, b] = [await replica("a"), await replica("b")];
  const recs = async (app: FastifyInstance, user: string) => {
    const res = await app.inject({ method: "GET", url: `/v1/users/${user}/recommendations?k=10` });
    assert.equal(res.statusCode, 200, res.body);
    return (res.json().items as Array<{ item_id: string; sources: string[] }>).map((i) => i.item_id);
  };
  const click = async (app: FastifyInstance, item: string, user = "shopper") => {
    const res = await app.inject({
      method: "POST",
      url: "/v1/events",
      headers: WRITE,
      payload: { user_id: user, item_id: item, type: "click" },
    });
    assert.equal(res.statusCode, 200, res.body);
  };
  try {
    for (const item of ["1", "2", "3"]) await click(b, item, "someone-else"); // B's popular items
    for (const item of ["5", "17", "300"]) await click(a, item);
    const first = await recs(b, "shopper"); // B encodes the user once and caches the vector
    assert.deepEqual(await recs(b, "shopper"), first);
    const missesBefore = services[1].userVectors.misses;
    for (const item of ["4000", "4001", "4002", "4003", "4004"]) await click(a, item);
    const after = await recs(b, "shopper");
    assert.notDeepEqual(after, first, "B does not serve the vector of the old history");
    assert.equal(services[1].userVectors.misses, missesBefore + 1, "B re-encoded the new history once");
    const del = await a.inject({ method: "DELETE", url: "/v1/users/shopper", headers: WRITE });
    assert.equal(del.statusCode, 200, del.body);
    const cold = (await b.inject({ method: "GET", url: "/v1/users/shopper/recommendations?k=10" })).json();
    assert.ok(cold.items.length > 0);
    assert.ok(cold.items.every((i: { sources: string[] }) => i.sources.includes("popular")));
  } finally {
    await a.close();
    await b.close();
    await cleanRedis(shared);
  }
});
