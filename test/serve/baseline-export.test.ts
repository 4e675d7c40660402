// Issue #14 part 1: whatever the CLI trains, the service serves — the baselines too. A Pop or ItemKNN run
// (movielens-100k) exports into a registry version; ItemKNN's served retrieval for real test histories
// equals its offline scorer's ranking, the service recommends through it, and a damaged table is refused.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { loadServingModel } from "../../src/artifact/index.js";
import { exportRun } from "../../src/cli/export.js";
import { loadDataset } from "../../src/data/index.js";
import { fitItemKnn } from "../../src/models/baselines/index.js";
import { recommender } from "../../src/serve/plugins/recommender.js";
import { runNextItem } from "../../src/train/run.js";
import { trainDataFrom } from "../../src/train/train-data.js";
import { exportTiny } from "../faults/model-fixtures.js";
import { preparedDataset } from "../helpers/prepared.js";
import { KEYS, READ_KEY, tempDir, testApp, WRITE } from "./helpers.js";

const data = preparedDataset("movielens-100k");
const dir = tempDir("baseline-export");
after(() => dir.remove());
const KNN = { neighbours: 50, shrink: 5, recencyDecay: 0.9 };

const train = (model: string, out: string, modelConfig?: Record<string, unknown>) =>
  runNextItem({ dataset: data, out, model, modelConfig, seed: 1 });

const knnRun = join(dir.path, "knn");
const popRun = join(dir.path, "pop");
const registry = join(dir.path, "registry");
before(async () => {
  await train("itemknn", knnRun, KNN);
  await train("pop", popRun);
});

test("an ItemKNN run exports, and its served retrieval ranks like its offline scorer", async () => {
  const { manifest, dir: version } = await exportRun(knnRun, registry, "knn-v1");
  assert.equal((manifest as { format: string }).format, "seqrank-baseline-model");
  const served = await loadServingModel(version);
  assert.equal(served.name, "itemknn");
  assert.equal(served.dim, 0);
  const train = trainDataFrom(loadDataset(data));
  const offline = fitItemKnn(train.sequences, train.nItems, KNN);
  const scores = new Float32Array(train.nItems + 1);
  for (const history of train.test.histories.slice(0, 20)) {
    offline.scoreHistory(history, scores);
    const ids = Array.from({ length: train.nItems }, (_, i) => i + 1);
    const expected = ids.sort((a, b) => scores[b] - scores[a] || a - b).slice(0, 10);
    assert.deepEqual(Array.from(served.retrieve!(history, 10).items), expected);
  }
});

test("the service recommends through a served ItemKNN run; Pop serves as popularity", async () => {
  for (const [run, name] of [
    [knnRun, "itemknn"],
    [popRun, "pop"],
  ] as const) {
    const app = await testApp({ dataDir: data, auth: KEYS }, { plugins: [recommender({ modelDir: run })] });
    try {
      const read = { "x-api-key": READ_KEY };
      const model = await app.inject({ method: "GET", url: "/v1/model", headers: read });
      assert.equal(model.json().name, name);
      const recs = await app.inject({
        method: "GET",
        url: "/v1/users/1/recommendations?k=10",
        headers: read,
      });
      assert.equal(recs.statusCode, 200, recs.body);
      const items = recs.json().items as Array<{ item_id: string; sources: string[] }>;
      assert.equal(items.length, 10);
      if (name === "itemknn") {
        assert.ok(
          items.some((r) => r.sources.includes("ann")),
          "ItemKNN's own candidates are proposed",
        );
        const similar = await app.inject({ method: "GET", url: "/v1/items/50/similar?k=5", headers: read });
        assert.equal(similar.statusCode, 200, similar.body);
        assert.ok(
          (similar.json().items as Array<{ sources: string[] }>).some((r) => r.sources.includes("ann")),
        );
      } else assert.ok(items.every((r) => !r.sources.includes("ann")));
      // An event is accepted; with ItemKNN it changes the history, so the next answer at once.
      const ev = await app.inject({
        method: "POST",
        url: "/v1/events",
        headers: WRITE,
        payload: { user_id: "1", item_id: "50" },
      });
      assert.equal(ev.statusCode, 200, ev.body);
      if (name === "itemknn") {
        const next = await app.inject({
          method: "GET",
          url: "/v1/users/1/recommendations?k=10",
          headers: read,
        });
        assert.notDeepEqual(
          (next.json().items as Array<{ item_id: string }>).map((r) => r.item_id),
          items.map((r) => r.item_id),
        );
      }
    } finally {
      await app.close();
    }
  }
});

test("a damaged ItemKNN table is refused at load, naming the file", async () => {
  const { dir: version } = await exportRun(knnRun, registry, "knn-damaged");
  const file = join(version, "knn_similarities.f32");
  const bytes = readFileSync(file);
  bytes.writeFloatLE(Number.NaN, 8);
  writeFileSync(file, bytes);
  await assert.rejects(
    loadServingModel(version),
    (err: Error & { code?: string }) => err.code === "SR_ERR_MODEL_INVALID" && err.message.includes(file),
  );
});

test("a registry hot-swaps between a SASRec version and an ItemKNN version, and back", async () => {
  const root = join(dir.path, "swap-registry");
  await exportTiny(join(root, "sasrec-v1"), "sasrec-v1", 3);
  await exportRun(knnRun, root, "knn-v1"); // activates knn-v1
  const app = await testApp(
    { dataDir: data, auth: KEYS },
    { plugins: [recommender({ modelDir: root, pollMs: 0 })] },
  );
  try {
    const read = { "x-api-key": READ_KEY };
    const served = async () => (await app.inject({ method: "GET", url: "/v1/model", headers: read })).json();
    const recs = async () => {
      const r = await app.inject({ method: "GET", url: "/v1/users/1/recommendations?k=10", headers: read });
      assert.equal(r.statusCode, 200, r.body);
      return r.json().items as Array<{ sources: string[] }>;
    };
    assert.deepEqual([(await served()).name, (await served()).version], ["itemknn", "knn-v1"]);
    assert.ok((await recs()).some((r) => r.sources.includes("ann")));
    for (const version of ["sasrec-v1", "knn-v1", "sasrec-v1"]) {
      const r = await app.inject({
        method: "POST",
        url: "/v1/admin/model",
        headers: WRITE,
        payload: { version },
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal((await served()).version, version);
      assert.equal((await recs()).length, 10);
    }
    assert.equal((await served()).dim, 8, "the SASRec version serves its vectors again");
  } finally {
    await app.close();
  }
});
