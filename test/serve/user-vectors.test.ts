// The per-model user vector cache: warmed in batches, never serving a vector of another history, bounded,
// and keeping each user's ANN hits until the item index changes.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ServingModel } from "../../src/artifact/index.js";
import { uniformSource } from "../../src/graph/init.js";
import { ItemIndex } from "../../src/retrieval/index.js";
import { UserVectorCache } from "../../src/serve/recommender/index.js";

const DIM = 8;
const ITEMS = 200;
const random = uniformSource(11);
const itemVectors = Float32Array.from({ length: (ITEMS + 1) * DIM }, (_, i) =>
  i < DIM ? 0 : random() - 0.5,
);

/** The mean of the history's item vectors, counting encoder runs and users encoded. */
function countingModel() {
  const calls = { runs: 0, users: 0 };
  const encode = (h: Int32Array) => {
    const v = new Float32Array(DIM);
    for (const i of h) for (let d = 0; d < DIM; d++) v[d] += itemVectors[i * DIM + d] / h.length;
    return v;
  };
  const model: ServingModel = {
    name: "mean",
    version: "v1",
    nItems: ITEMS,
    dim: DIM,
    itemVectors,
    encodeUser: async (h) => {
      calls.runs++;
      calls.users++;
      return encode(h);
    },
    encodeUsers: async (hs) => {
      calls.runs++;
      calls.users += hs.length;
      return hs.map(encode);
    },
  };
  return { model, calls };
}

async function* pages(users: Array<[string, Int32Array]>, size: number) {
  for (let i = 0; i < users.length; i += size) yield users.slice(i, i + size);
}

const stored = Array.from({ length: 150 }, (_, u): [string, Int32Array] => [
  `u${u}`,
  Int32Array.from({ length: 1 + (u % 7) }, (_, j) => 1 + ((u * 13 + j) % ITEMS)),
]);

test("warm-up encodes stored users in batches; reads of the same history hit, a new history re-encodes", async () => {
  const { model, calls } = countingModel();
  const cache = new UserVectorCache({ model, capacity: 1000 });
  assert.equal(await cache.warm(pages(stored, 40)), 150);
  assert.equal(calls.users, 150);
  assert.ok(calls.runs <= 8, `${calls.runs} encoder runs for 150 users`);
  const before = { ...calls };
  const [key, history] = stored[17];
  const v = await cache.get(key, history.slice());
  assert.deepEqual(calls, before, "a warmed user's read runs no encoder");
  assert.deepEqual(v, await model.encodeUser(history));
  const grown = Int32Array.of(...history, 42);
  const w = await cache.get(key, grown); // e.g. an event written through another replica
  assert.deepEqual(w, await model.encodeUser(grown));
  assert.deepEqual([cache.hits, cache.misses], [1, 1]);
  await cache.put([[key, Int32Array.of(...grown, 43)]]); // the write path of a new event
  const runs = calls.runs;
  await cache.get(key, Int32Array.of(...grown, 43));
  assert.equal(calls.runs, runs);
});

test("the cache holds at most `capacity` users, least recently used out first; warm-up stops when full", async () => {
  const { model } = countingModel();
  const cache = new UserVectorCache({ model, capacity: 50 });
  assert.equal(await cache.warm(pages(stored, 40)), 50);
  assert.equal(cache.size, 50);
  const stop = new AbortController();
  stop.abort();
  assert.equal(await new UserVectorCache({ model, capacity: 50 }).warm(pages(stored, 40), 0, stop.signal), 0);
  await cache.get("fresh", Int32Array.of(1, 2));
  assert.equal(cache.size, 50);
  const small = new UserVectorCache({ model, capacity: 3 });
  await small.put(["a", "b", "c"].map((u) => [u, Int32Array.of(1)] as const));
  await small.get("a", Int32Array.of(1)); // a is now the most recently used
  await small.put([["d", Int32Array.of(1)]]);
  for (const u of ["a", "c", "d", "b"]) await small.get(u, Int32Array.of(1));
  assert.deepEqual([small.hits, small.misses], [4, 1], "b went out, not a");
});

test("histories reach the encoder in the model's ids, without items it does not know", async () => {
  const { model, calls } = countingModel();
  // Catalogue ids 1–200 are the model's; 201 and up were added after training.
  const modelIds = (h: Int32Array) => h.filter((id) => id <= ITEMS);
  const cache = new UserVectorCache({ model, capacity: 10, modelIds });
  const v = await cache.get("u", Int32Array.of(3, 250, 7));
  assert.deepEqual(v, await model.encodeUser(Int32Array.of(3, 7)));
  const users = calls.users;
  assert.equal(await cache.get("new", Int32Array.of(201, 202)), undefined, "no vector from unknown items");
  assert.equal(await cache.get("new", Int32Array.of(201, 202)), undefined);
  assert.equal(calls.users, users, "and no encoder run for them");
  assert.deepEqual([cache.hits, cache.misses], [1, 2]);
});

test("a user's ANN hits are kept with the vector until the item index changes", async () => {
  const { model } = countingModel();
  const index = ItemIndex.build(itemVectors, DIM);
  let searches = 0;
  const search = index.search.bind(index);
  index.search = (q, k) => {
    searches++;
    return search(q, k);
  };
  const cache = new UserVectorCache({ model, capacity: 1000, index });
  await cache.warm(pages(stored, 40), 10);
  assert.equal(searches, 150);
  const [key, history] = stored[3];
  const v = (await cache.get(key, history))!;
  const searcher = cache.searcher(key)!;
  const hits = searcher.search(v, 10);
  assert.equal(searches, 150, "answered from the cached hits");
  assert.deepEqual(hits.items, search(v, 10).items);
  searcher.search(Float32Array.from(v), 10); // another vector object: not this user's cached one
  searcher.search(v, 20); // another k
  assert.equal(searches, 152);
  const id = ITEMS + 1; // a new item pointing the user's way: it must show up at once
  index.upsert(
    id,
    v.map((x) => x * 100),
  );
  assert.equal(searcher.search(v, 10).items[0], id);
  assert.equal(searches, 153);
});
