// runNextItem, the library verb behind `seqrank train --task next-item`: a bad model name or config key is a
// coded error naming it, before anything is trained or written; a baseline run records what export refits.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { runNextItem } from "../../src/train/run.js";
import type { SeqrankError } from "../../src/util/errors.js";
import { preparedDataset } from "../helpers/prepared.js";
import { tempDir } from "../serve/helpers.js";

const dataset = preparedDataset("movielens-100k");
const dir = tempDir("run-next-item");
after(() => dir.remove());

test("an unknown model or model config key is SR_ERR_CONFIG naming it; nothing is written", async () => {
  const out = join(dir.path, "bad");
  await assert.rejects(
    runNextItem({ dataset, out, model: "sasrek" }),
    (e: SeqrankError) => e.code === "SR_ERR_CONFIG" && /sasrek/.test(e.message),
  );
  await assert.rejects(
    runNextItem({ dataset, out, model: "sasrec", modelConfig: { blokcs: 2 } }),
    (e: SeqrankError) => e.code === "SR_ERR_CONFIG" && /blokcs/.test(e.message),
  );
  assert.equal(existsSync(out), false);
});

test("an ItemKNN run is evaluated and records its dataset and config", async () => {
  const out = join(dir.path, "knn");
  const run = await runNextItem({ dataset, out, model: "itemknn", modelConfig: { neighbours: 20 } });
  assert.ok(run.test["NDCG@10"] > 0);
  const saved = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
  assert.equal(saved.config.dataset, dataset);
  assert.equal(saved.config.model.neighbours, 20);
});
