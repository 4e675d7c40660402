// recommender({ followRegistry }): with no model configured the service serves Pop of --data and follows a
// registry that has no version yet; the first version activated there is hot-swapped in (seqrank start's
// background training relies on it), and swapEvents hears of it.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { exportRunVersion, ModelRegistry, type OpenedModel } from "../../src/artifact/index.js";
import { readVocabTsv } from "../../src/data/vocab.js";
import { recommender } from "../../src/serve/plugins/recommender.js";
import { runNextItem } from "../../src/train/run.js";
import { preparedDataset } from "../helpers/prepared.js";
import { tempDir, testApp } from "./helpers.js";

const dir = tempDir("follow-registry");
after(() => dir.remove());

test("a followed registry's first activated version replaces the Pop fallback", async () => {
  const data = preparedDataset("movielens-100k");
  const registry = new ModelRegistry(join(dir.path, "registry"));
  const swapped: OpenedModel[] = [];
  const app = await testApp(
    { dataDir: data },
    {
      plugins: [
        recommender({
          followRegistry: registry.root,
          pollMs: 20,
          swapEvents: { swapped: (o) => swapped.push(o) },
        }),
      ],
    },
  );
  try {
    const info = async () => (await app.inject({ method: "GET", url: "/v1/model" })).json();
    const before = await info();
    assert.equal(before.name, "pop");
    assert.equal(before.source, "none");
    assert.deepEqual(before.versions, []);

    const run = join(dir.path, "pop-run");
    await runNextItem({ dataset: data, out: run, model: "pop" });
    await exportRunVersion(run, registry.dir("v1"), "v1");
    registry.activate("v1");
    const deadline = Date.now() + 10_000;
    while (swapped.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));

    assert.equal(swapped.length, 1);
    const afterSwap = await info();
    assert.equal(afterSwap.version, "v1");
    assert.equal(afterSwap.source, "registry");
    assert.deepEqual(afterSwap.versions, ["v1"]);
    assert.ok(afterSwap.results, "the version's results are shown");
    const recs = await app.inject({
      method: "GET",
      url: `/v1/users/${readVocabTsv(join(data, "users.tsv")).values[1]}/recommendations?k=5`,
    });
    assert.equal(recs.statusCode, 200);
  } finally {
    await app.close();
  }
});
