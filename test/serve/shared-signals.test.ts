// Co-visitation and popularity from live events are shared state: with Redis, an event accepted by one server
// process changes another process's similar items and popular items (real `seqrank serve` processes, each
// with its own SQLite file, on one real Redis), and a replica started later replays the same counts; with the
// embedded SQLite store they survive a restart. No model and no dataset, so every answer comes from
// co-visitation and popularity alone. Each replica's catalogue (its own SQLite file) gets the items first:
// events on items a replica does not know count there only once the item exists.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  CLI_ENTRY,
  cleanRedis,
  REDIS_URL,
  type ServerProcess,
  spawnServer,
  tempDir,
  uniquePrefix,
  WRITE,
  WRITE_KEY,
} from "./helpers.js";

const dir = tempDir("shared-signals");
const prefix = uniquePrefix("shared-signals");
const servers: ServerProcess[] = [];
after(async () => {
  for (const s of servers) await s.stop("SIGTERM");
  await cleanRedis(prefix);
  dir.remove();
});

const serve = async (args: string[]) => {
  const s = await spawnServer([...args, "--api-key", WRITE_KEY, "--public-reads", "--log-level", "warn"], {
    entry: CLI_ENTRY,
  });
  servers.push(s);
  return s;
};
const replica = (name: string) =>
  serve(["--db", join(dir.path, `${name}.db`), "--redis", REDIS_URL, "--redis-prefix", prefix]);

interface Item {
  item_id: string;
  score: number;
  sources: string[];
}

/** The response's items, after checking its status (the body is read once, for the message too). */
const itemsOf = async (res: Response): Promise<Item[]> => {
  const body = await res.text();
  assert.equal(res.status, 200, body);
  return (JSON.parse(body) as { items: Item[] }).items;
};

const click = async (s: ServerProcess, user: string, items: string[]) => {
  const res = await fetch(`${s.url}/v1/events`, {
    method: "POST",
    headers: { ...WRITE, "content-type": "application/json" },
    body: JSON.stringify({ events: items.map((item_id) => ({ user_id: user, item_id, type: "click" })) }),
  });
  assert.equal(res.status, 200, await res.text());
};

/** Puts the items into the replica's catalogue. */
const stock = async (s: ServerProcess, items: string[]) => {
  for (const id of items) {
    const res = await fetch(`${s.url}/v1/items/${id}`, {
      method: "PUT",
      headers: { ...WRITE, "content-type": "application/json" },
      body: JSON.stringify({ title: id }),
    });
    assert.ok(res.ok, await res.text());
  }
};
const PRODUCTS = ["lipstick", "mascara", "eyeliner"];

/** Similar items of `item` that come from co-visitation (none for an item the process does not know); the
 * answer also holds popular items when co-visitation has fewer than k. */
const similar = async (s: ServerProcess, item: string): Promise<Item[]> => {
  const res = await fetch(`${s.url}/v1/items/${item}/similar?k=10`, { headers: WRITE });
  const items = res.status === 404 ? [] : await itemsOf(res);
  return items.filter((i) => i.sources.includes("covis"));
};

/** Recommendations for a user without history: popular and trending items only. */
const coldRecs = async (s: ServerProcess): Promise<Item[]> => {
  return itemsOf(await fetch(`${s.url}/v1/users/nobody-yet/recommendations?k=10`, { headers: WRITE }));
};

const ids = (items: Item[]) => items.map((i) => i.item_id).sort();

/** Polls until `check` holds: another replica's deltas arrive about one Redis round trip later, and the
 * popular list is re-sorted at most once a second. */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 5000;
  let value = await read();
  while (!check(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    value = await read();
  }
  return value;
}

test("an event posted to replica A changes replica B's similar items and popular items; a later replica replays them", async () => {
  const [a, b] = await Promise.all([replica("a"), replica("b")]);
  await Promise.all([stock(a, PRODUCTS), stock(b, PRODUCTS)]);
  assert.deepEqual(await similar(b, "lipstick"), []);
  assert.deepEqual(await coldRecs(b), []);

  await click(a, "shopper", ["lipstick", "mascara"]);
  assert.deepEqual(ids(await similar(a, "lipstick")), ["mascara"], "the writer's own answer changes at once");
  const onB = await eventually(
    () => similar(b, "lipstick"),
    (items) => items.length > 0,
  );
  assert.deepEqual(ids(onB), ["mascara"]);
  const popularOnB = await eventually(
    () => coldRecs(b),
    (items) => items.length === 2,
  );
  assert.deepEqual(ids(popularOnB), ["lipstick", "mascara"]);
  assert.ok(popularOnB.every((i) => i.sources.includes("popular")));

  // And the other way round: B's event reaches A.
  await click(b, "another-shopper", ["mascara", "eyeliner"]);
  const onA = await eventually(
    () => similar(a, "mascara"),
    (items) => items.length === 2,
  );
  assert.deepEqual(ids(onA), ["eyeliner", "lipstick"]);

  // A replica started now rebuilds the same counts from the shared log.
  const c = await replica("c");
  await stock(c, PRODUCTS);
  assert.deepEqual(ids(await similar(c, "mascara")), ids(onA));
  assert.deepEqual(ids(await similar(c, "eyeliner")), ["mascara"]);
});

test("the embedded SQLite server keeps live co-visitation and popularity across a restart (kill -9)", async () => {
  const args = ["--db", join(dir.path, "embedded.db")];
  const first = await serve(args);
  await stock(first, ["serum", "toner", "cleanser"]);
  await click(first, "shopper", ["serum", "toner", "cleanser"]);
  await click(first, "another-shopper", ["toner", "cleanser"]);
  const before = await similar(first, "toner");
  assert.deepEqual(ids(before), ["cleanser", "serum"]);
  const popularBefore = await eventually(
    () => coldRecs(first),
    (items) => items.length === 3,
  );
  await first.stop("SIGKILL");

  const second = await serve(args);
  const afterRestart = await similar(second, "toner");
  assert.deepEqual(
    afterRestart.map((i) => i.item_id),
    before.map((i) => i.item_id),
    "same neighbours in the same order",
  );
  const popularAfter = await coldRecs(second);
  assert.deepEqual(ids(popularAfter), ids(popularBefore));
  assert.ok(popularAfter.every((i) => i.sources.includes("popular")));
});
