// Issue #14 part 5: the service starts from the model version and its own stores, never from the prepared
// training dataset. A Pop version exported from a training run is served without --data: its popularity and
// co-visitation come from the interactions the version ships, and its event types from model.json.
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { exportRunVersion } from "../../src/artifact/index.js";
import { MODEL_JSON } from "../../src/artifact/serving-model.js";
import { loadDataset } from "../../src/data/index.js";
import { readVocabTsv } from "../../src/data/vocab.js";
import { recommender } from "../../src/serve/plugins/recommender.js";
import { runNextItem } from "../../src/train/run.js";
import { preparedDataset } from "../helpers/prepared.js";
import { tempDir, testApp, WRITE } from "./helpers.js";

const data = preparedDataset("movielens-100k");
const dir = tempDir("seeded-from-version");
const version = join(dir.path, "pop-v1");
let app: FastifyInstance;

before(async () => {
  await runNextItem({ dataset: data, out: join(dir.path, "run"), model: "pop" });
  await exportRunVersion(join(dir.path, "run"), version, "pop-v1");
  app = await testApp({ modelDir: version }, { plugins: [recommender()] }); // no dataDir
});
after(async () => {
  await app.close();
  dir.remove();
});

const get = async (url: string) => {
  const res = await app.inject({ method: "GET", url, headers: WRITE });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
};

test("without --data, a cold user's recommendations are the version's most popular training items", async () => {
  const ds = loadDataset(data);
  const raw = readVocabTsv(join(data, "items.tsv")).values;
  const counts = new Map<string, number>();
  for (let u = 1; u <= ds.nUsers; u++)
    for (let p = ds.offsets[u]; p < ds.offsets[u + 1]; p++)
      if (ds.trainType[ds.events[p]]) counts.set(raw[ds.items[p]], (counts.get(raw[ds.items[p]]) ?? 0) + 1);
  const tenth = [...counts.values()].sort((a, b) => b - a)[9];
  const items = (await get("/v1/users/nobody/recommendations?k=10")).items as Array<{ item_id: string }>;
  assert.equal(items.length, 10);
  // Decayed by the training times (movielens-100k is timed), so the order may differ from raw counts; the
  // items must still be among the heavily rated ones, far above the median item.
  const median = [...counts.values()].sort((a, b) => a - b)[counts.size >> 1];
  for (const r of items)
    assert.ok((counts.get(r.item_id) ?? 0) > 4 * median, `${r.item_id}: ${counts.get(r.item_id)}`);
  assert.ok(tenth > 4 * median);
});

test("without --data, similar items come from the version's co-visitation", async () => {
  const ds = loadDataset(data);
  const raw = readVocabTsv(join(data, "items.tsv")).values;
  const first = raw[ds.items[ds.offsets[1]]];
  const similar = (await get(`/v1/items/${first}/similar?k=5`)).items as Array<{ sources: string[] }>;
  assert.ok(similar.length > 0 && similar.some((r) => r.sources.includes("covis")), JSON.stringify(similar));
});

test("the version's training event types are accepted ('1'..'5' for movielens ratings)", async () => {
  const res = await app.inject({
    method: "POST",
    url: "/v1/events",
    headers: WRITE,
    payload: { user_id: "u1", item_id: readVocabTsv(join(data, "items.tsv")).values[1], type: "4" },
  });
  assert.equal(res.statusCode, 200, res.body);
  const manifest = JSON.parse(readFileSync(join(version, MODEL_JSON), "utf8"));
  assert.deepEqual(manifest.eventTypes, loadDataset(data).eventTypes);
});

test("a version exported without interactions serves, starting its counts from live events", async () => {
  const bare = join(dir.path, "pop-bare");
  await exportRunVersion(join(dir.path, "run"), bare, "pop-bare");
  rmSync(join(bare, "interactions.safetensors"));
  const manifest = JSON.parse(readFileSync(join(bare, MODEL_JSON), "utf8"));
  delete manifest.interactions;
  delete manifest.files["interactions.safetensors"];
  writeFileSync(join(bare, MODEL_JSON), JSON.stringify(manifest));
  const old = await testApp({ modelDir: bare }, { plugins: [recommender()] });
  try {
    const res = await old.inject({
      method: "GET",
      url: "/v1/users/nobody/recommendations?k=10",
      headers: WRITE,
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().items.length, 0, "no counts before any live event");
  } finally {
    await old.close();
  }
});
