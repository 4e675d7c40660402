// The Store contract, run against both implementations (SQLite alone; SQLite + the real Redis), plus
// seeding from a prepared amazon-beauty dataset and the amazon-beauty catalogue.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { buildDataset, loadDataset, readVocabTsv } from "../../src/data/index.js";
import {
  importCatalog,
  type NewEvent,
  pseudonymizedStore,
  pseudonymizer,
  RedisStore,
  SqliteStore,
  type Store,
  seedSequencesFromDataset,
} from "../../src/serve/index.js";
import { loadBeauty, memoryConnection } from "../data/build-tables.js";
import { cleanRedis, datasetsDir, REDIS_URL, tempDir, uniquePrefix } from "./helpers.js";

const dir = tempDir("storage");
const prefixes: string[] = [];
after(async () => {
  dir.remove();
  for (const p of prefixes) await cleanRedis(p);
});

const ev = (userId: string, itemId: string, eventId: string | null = null): NewEvent => ({
  eventId,
  userId,
  itemId,
  type: "view",
  ts: 1_700_000_000_000,
  props: null,
});

const factories: Record<string, (name: string) => Promise<Store>> = {
  sqlite: async (name) =>
    new SqliteStore({ path: join(dir.path, `${name}.db`), maxSequenceLength: 5, cacheEntries: 100 }),
  redis: async (name) => {
    const prefix = uniquePrefix(name);
    prefixes.push(prefix);
    return RedisStore.open({
      sqlitePath: join(dir.path, `${name}-r.db`),
      redisUrl: REDIS_URL,
      prefix,
      maxSequenceLength: 5,
    });
  },
};

for (const [kind, open] of Object.entries(factories)) {
  describe(`${kind} store`, () => {
    test("events append to sequences in order, trimmed to the newest maxSequenceLength; event ids dedupe", async () => {
      const store = await open("seq");
      const r1 = await store.events.append([ev("u1", "a", "e1"), ev("u2", "x"), ev("u1", "b", "e2")]);
      assert.deepEqual(r1, { inserted: 3, duplicates: 0, fresh: [true, true, true] });
      const r2 = await store.events.append([ev("u1", "b", "e2"), ev("u1", "c")]);
      assert.deepEqual(r2, { inserted: 1, duplicates: 1, fresh: [false, true] });
      assert.deepEqual(await store.sequences.get("u1"), ["a", "b", "c"]);
      await store.events.append(["d", "e", "f", "g"].map((i) => ev("u1", i)));
      assert.deepEqual(await store.sequences.get("u1"), ["c", "d", "e", "f", "g"]);
      const timeline = await store.events.ofUser("u1", 3);
      assert.deepEqual(
        timeline.map((e) => e.itemId),
        ["e", "f", "g"],
      );
      assert.equal(timeline[0].type, "view");
      assert.deepEqual(await store.sequences.get("nobody"), []);
      assert.deepEqual(await store.stats(), { events: 8, items: 0, users: 2 });
      await store.close();
      assert.equal(store.isOpen(), false);
    });

    test("seeding fills only users without a sequence; markers persist", async () => {
      const store = await open("seed");
      await store.events.append([ev("live", "z")]);
      const seeded = await store.sequences.seed([
        ["live", ["p", "q"]],
        ["new", ["1", "2", "3", "4", "5", "6", "7"]],
      ]);
      assert.equal(seeded, 1);
      assert.deepEqual(await store.sequences.get("live"), ["z"]);
      assert.deepEqual(await store.sequences.get("new"), ["3", "4", "5", "6", "7"]);
      assert.equal(await store.markers.has("m"), false);
      await store.markers.set("m");
      assert.equal(await store.markers.has("m"), true);
      await store.close();
    });

    test("sequences() pages through every stored sequence by user key (the pseudonym when pseudonymised)", async () => {
      const store = await open("pages");
      const users = Array.from({ length: 25 }, (_, i) => `user-${i}`);
      await store.events.append(users.flatMap((u, i) => [ev(u, `a${i}`), ev(u, `b${i}`)]));
      const seen = new Map<string, string[]>();
      for await (const page of store.sequences.pages(7)) {
        assert.ok(page.length <= 7 || kind === "redis", "SQLite pages hold at most pageSize users"); // SSCAN COUNT is a hint
        for (const [key, items] of page) seen.set(key, items);
      }
      assert.equal(seen.size, 25);
      users.forEach((u, i) => {
        assert.deepEqual(seen.get(store.sequences.key(u)), [`a${i}`, `b${i}`]);
      });
      assert.equal(store.sequences.key("user-3"), "user-3");
      const hidden = pseudonymizedStore(store, "a-secret-of-enough-length");
      await hidden.events.append([ev("raw-id", "z")]);
      assert.equal(hidden.sequences.key("raw-id"), pseudonymizer("a-secret-of-enough-length")("raw-id"));
      const keys: string[] = [];
      for await (const page of hidden.sequences.pages()) keys.push(...page.map(([key]) => key));
      assert.ok(keys.includes(hidden.sequences.key("raw-id")) && !keys.includes("raw-id"));
      await store.close();
    });

    test("cache entries expire, and dropping a user removes only that user's entries", async () => {
      const store = await open("cache");
      await store.cache.set("recs:u1", "A", 60_000, "u1");
      await store.cache.set("recs:u1:k5", "B", 60_000, "u1");
      await store.cache.set("recs:u2", "C", 60_000, "u2");
      await store.cache.set("short", "D", 20);
      assert.equal(await store.cache.get("recs:u1"), "A");
      await new Promise((r) => setTimeout(r, 60));
      assert.equal(await store.cache.get("short"), undefined);
      assert.equal(await store.cache.dropUser("u1"), 2);
      assert.equal(await store.cache.get("recs:u1"), undefined);
      assert.equal(await store.cache.get("recs:u1:k5"), undefined);
      assert.equal(await store.cache.get("recs:u2"), "C");
      await store.close();
    });

    test("deleteUser removes events, sequence and tagged caches, and nothing of other users", async () => {
      const store = await open("delete");
      await store.events.append([ev("gone", "a"), ev("gone", "b"), ev("kept", "c")]);
      await store.cache.set("recs:gone", "x", 60_000, "gone");
      assert.deepEqual(await store.deleteUser("gone"), { events: 2, sequence: true, caches: 1 });
      assert.deepEqual(await store.events.ofUser("gone", 10), []);
      assert.deepEqual(await store.sequences.get("gone"), []);
      assert.equal(await store.cache.get("recs:gone"), undefined);
      assert.deepEqual(await store.sequences.get("kept"), ["c"]);
      assert.deepEqual(await store.stats(), { events: 1, items: 0, users: 1 });
      await store.close();
    });

    test("the delta log returns deltas in append order, in pages after a cursor", async () => {
      const store = await open("deltas");
      const deltas = ["a", "b", "c", "d", "e"].map((item, i) => ({
        item,
        ts: 1000 + i,
        previous: ["p", item],
      }));
      await store.deltas.append(deltas.slice(0, 2));
      await store.deltas.append(deltas.slice(2));
      const first = await store.deltas.after("", 3);
      assert.deepEqual(first.deltas, deltas.slice(0, 3));
      const rest = await store.deltas.after(first.cursor, 3);
      assert.deepEqual(rest.deltas, deltas.slice(3));
      assert.deepEqual(await store.deltas.after(rest.cursor, 3), { deltas: [], cursor: rest.cursor });
      await store.close();
    });
  });
}

test("catalogue: amazon-beauty items.jsonl imports as is; pages cover every item once; upsert and delete", async () => {
  const store = await factories.sqlite("catalog");
  const n = await importCatalog(store, join(datasetsDir, "amazon-beauty", "items.jsonl"));
  assert.equal(n, 12_101);
  const item = await store.catalogue.get("1");
  assert.equal(item?.title, "OPI Nail Lacquer, Simmer and Shimmer, 0.5-Fluid Ounce");
  assert.deepEqual(item?.attributes, ["OPI", "Makeup", "Nails", "Nail Polish"]);
  assert.equal(item?.inStock, true);
  const seen = new Set<string>();
  for await (const page of store.catalogue.pages(5000)) for (const it of page) seen.add(it.id);
  assert.equal(seen.size, 12_101);
  assert.equal(await store.catalogue.put({ ...item!, price: 9.5, inStock: false }), false);
  assert.equal((await store.catalogue.get("1"))?.price, 9.5);
  assert.equal(await store.catalogue.delete("1"), true);
  assert.equal(await store.catalogue.delete("1"), false);
  assert.equal((await store.stats()).items, 12_100);
  await store.close();
});

test("seeding from a prepared amazon-beauty dataset: raw ids, oldest first, once per store", async () => {
  const conn = await memoryConnection();
  await loadBeauty(conn);
  const data = join(dir.path, "beauty");
  await buildDataset(conn, { out: data });
  const ds = loadDataset(data);
  const users = readVocabTsv(join(data, "users.tsv"));
  const items = readVocabTsv(join(data, "items.tsv"));
  const store = new SqliteStore({
    path: join(dir.path, "beauty.db"),
    maxSequenceLength: 200,
    cacheEntries: 0,
  });
  assert.equal(await seedSequencesFromDataset(store, data), ds.nUsers);
  const u = 1;
  const expected = Array.from(ds.items.subarray(ds.offsets[u], ds.offsets[u + 1]), (i) => items.value(i));
  assert.deepEqual(await store.sequences.get(users.value(u)), expected);
  await store.deleteUser(users.value(u));
  assert.equal(
    await seedSequencesFromDataset(store, data),
    0,
    "a restart does not re-seed (or revive deleted users)",
  );
  assert.deepEqual(await store.sequences.get(users.value(u)), []);
  await store.close();
});
