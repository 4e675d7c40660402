import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { exportServingModel, loadServingModel, ModelRegistry } from "../../src/artifact/index.js";
import { loadDataset } from "../../src/data/index.js";
import { ParamStore } from "../../src/graph/param-store.js";
import { tensor } from "../../src/graph/session.js";
import { sasrec } from "../../src/models/sasrec.js";
import { recommender } from "../../src/serve/plugins/recommender.js";
import { compileScorer } from "../../src/train/fit.js";
import { preparedDataset } from "../helpers/prepared.js";
import { tempDir, testApp, WRITE } from "./helpers.js";

const dataDir = preparedDataset("amazon-beauty");
const ds = loadDataset(dataDir);
const runs = tempDir("registry");
const registry = new ModelRegistry(runs.path);

function beautySasrec(seed: number) {
  const cfg = sasrec.configSchema.parse({ dim: 16, maxLen: 20 });
  return sasrec.create(cfg, { nItems: ds.nItems, maxSeqLen: 50 }, new ParamStore(seed));
}

before(async () => {
  for (const [version, seed] of [
    ["v1", 1],
    ["v2", 2],
  ] as const) {
    await exportServingModel(beautySasrec(seed), registry.dir(version), {
      version,
      itemsTsv: join(dataDir, "items.tsv"),
    });
  }
  registry.activate("v1");
});
after(() => runs.remove());

test("the exported encoder and item vectors reproduce SASRec's full-catalogue scores", async () => {
  const model = beautySasrec(1);
  const served = await loadServingModel(registry.dir("v1"));
  assert.equal(served.nItems, ds.nItems);
  assert.equal(served.itemIds?.length, ds.nItems + 1);
  const scorer = await compileScorer(model, 1);
  const params: Record<string, ReturnType<typeof tensor>> = {};
  for (const [name, e] of model.store.entries) params[name] = tensor(e.value, e.shape);
  // A long history is cut to maxLen by both sides.
  const histories = [Int32Array.of(5, 17, 300), Int32Array.from({ length: 30 }, (_, i) => i * 7 + 1)];
  for (const history of histories) {
    const scores = (await scorer.run({ ...params, ...model.scoreFeeds([history]) })).scores
      .data as Float32Array;
    const user = await served.encodeUser(history);
    let maxErr = 0;
    for (let i = 1; i <= ds.nItems; i++) {
      let s = 0;
      for (let d = 0; d < served.dim; d++) s += user[d] * served.itemVectors[i * served.dim + d];
      maxErr = Math.max(maxErr, Math.abs(s - scores[i]));
    }
    assert.ok(maxErr < 1e-4, `max |Δscore| ${maxErr}`);
  }
  // One batch run (padded to its longest history) gives each history its own vector.
  const batch = await served.encodeUsers!([...histories, Int32Array.of(9)]);
  for (const [b, history] of [...histories, Int32Array.of(9)].entries()) {
    const alone = await served.encodeUser(history);
    for (let d = 0; d < served.dim; d++)
      assert.ok(Math.abs(batch[b][d] - alone[d]) < 1e-5, `user ${b} dim ${d}`);
  }
  await scorer.release();
  await served.dispose?.();
});

test("events on items the model was not trained on never break the user's recommendations", async () => {
  const app = await testApp({ modelDir: registry.dir("v1") }, { plugins: [recommender({ pollMs: 0 })] });
  try {
    const click = (user: string, item: string) =>
      app.inject({
        method: "POST",
        url: "/v1/events",
        headers: WRITE,
        payload: { user_id: user, item_id: item },
      });
    for (const item of ["5", "17", "brand-new-item"]) assert.equal((await click("u1", item)).statusCode, 200);
    assert.equal((await click("u2", "another-new-item")).statusCode, 200);
    for (const user of ["u1", "u2"]) {
      const res = await app.inject({ method: "GET", url: `/v1/users/${user}/recommendations?k=5` });
      assert.equal(res.statusCode, 200, res.body);
      const sources = res.json().items.flatMap((i: { sources: string[] }) => i.sources);
      // u1's vector comes from the items the encoder knows; u2 has none, so no ANN candidates.
      assert.equal(sources.includes("ann"), user === "u1", `${user}: ${sources}`);
    }
  } finally {
    await app.close();
  }
});

test("registry: versions, atomic current pointer, bad names refused", () => {
  assert.deepEqual(registry.versions(), ["v1", "v2"]);
  assert.equal(registry.current(), "v1");
  assert.throws(() => registry.activate("v3"), { code: "SR_ERR_MODEL_MISSING" });
  assert.throws(() => registry.dir("../etc"), { code: "SR_ERR_MODEL_VERSION" });
  assert.equal(registry.current(), "v1");
});

test("hot swap under load: every request succeeds, and the new version serves afterwards", async () => {
  const app = await testApp({ dataDir, modelDir: runs.path }, { plugins: [recommender({ pollMs: 0 })] });
  try {
    const model = await app.inject({ method: "GET", url: "/v1/model" });
    assert.equal(model.json().version, "v1");
    const users = Array.from({ length: 200 }, (_, i) => String(i + 1));
    const load = Promise.all(
      users.map((u) => app.inject({ method: "GET", url: `/v1/users/${u}/recommendations?k=5` })),
    );
    const swap = app.inject({
      method: "POST",
      url: "/v1/admin/model",
      headers: WRITE,
      payload: { version: "v2" },
    });
    const more = Promise.all(
      users.map((u) => app.inject({ method: "GET", url: `/v1/items/${u}/similar?k=5` })),
    );
    const [a, s, b] = await Promise.all([load, swap, more]);
    assert.equal(s.statusCode, 200, s.body);
    assert.equal(s.json().version, "v2");
    for (const r of [...a, ...b]) assert.equal(r.statusCode, 200, r.body);
    const versions = new Set(a.map((r) => r.json().model));
    assert.ok([...versions].every((v) => v === "v1" || v === "v2"));
    const after = await app.inject({ method: "GET", url: "/v1/users/1/recommendations?k=5" });
    assert.equal(after.json().model, "v2");
    assert.equal(registry.current(), "v2");
    const missing = await app.inject({
      method: "POST",
      url: "/v1/admin/model",
      headers: WRITE,
      payload: { version: "v9" },
    });
    assert.equal(missing.statusCode, 404);
    const unauth = await app.inject({ method: "POST", url: "/v1/admin/model", payload: { version: "v1" } });
    assert.equal(unauth.statusCode, 401);
  } finally {
    await app.close();
  }
});
