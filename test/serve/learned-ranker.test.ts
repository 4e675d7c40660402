// A learned re-ranker in the live path. A SASRec run (runNextItem, what `seqrank train` runs) on real amazon-beauty users is
// re-ranked by DeepFM (runRerank: ItemKNN / transition / attribute signals, brand, category, price, item and
// user vectors), exported with its retriever into a registry version and served. Parity: for real test
// histories the served ranker retrieves the same candidates as the offline retriever and scores them with the
// offline logits, so its order is the offline order; through HTTP, a user's recommendations are the ranker's
// top 10 (diversity 0). A damaged feature file is refused naming it.
import assert from "node:assert/strict";
import { cpSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { loadServingModel, type ServingModel } from "../../src/artifact/index.js";
import { exportRun } from "../../src/cli/export.js";
import { readVocabTsv } from "../../src/data/vocab.js";
import { recommender } from "../../src/serve/plugins/recommender.js";
import { type RerankTestQueries, runRerank } from "../../src/train/rerank/run-rerank.js";
import { runNextItem } from "../../src/train/run.js";
import { loadRun } from "../../src/train/run-dir.js";
import { rehash } from "../faults/model-fixtures.js";
import { preparedDataset } from "../helpers/prepared.js";
import { KEYS, READ_KEY, tempDir, testApp, WRITE } from "./helpers.js";

const data = preparedDataset("amazon-beauty");
const dir = tempDir("learned-ranker");
after(() => dir.remove());
const K = 50;
const CHECKED = 40;

const retrieverRun = join(dir.path, "sasrec");
const rerankRun = join(dir.path, "rerank");
const registry = join(dir.path, "registry");
let offline: RerankTestQueries;
let histories: Int32Array[];
let version: string;

before(async () => {
  await runNextItem({
    dataset: data,
    out: retrieverRun,
    model: "sasrec",
    modelConfig: { loss: { kind: "ce" }, dim: 16, blocks: 1, maxLen: 20 },
    fit: { epochs: 1, limitSequences: 2000, seed: 42, threads: 1 },
    seed: 42,
  });
  const { model, data: trainData } = loadRun(retrieverRun);
  const run = await runRerank({
    retriever: { model, data: trainData, runDir: retrieverRun },
    candidates: K,
    limitUsers: 1500,
    fit: { epochs: 2 },
    seed: 7,
    threads: 1,
    out: rerankRun,
  });
  offline = run.test;
  histories = trainData.test.histories.slice(0, CHECKED);
  version = (await exportRun(rerankRun, registry, "ranked-v1")).dir;
});

/** Candidate indices by score, best first, ties in candidate (retrieval) order. */
const order = (scores: ArrayLike<number>) =>
  Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);

test("the exported version carries the ranker, and it serves the offline candidates, logits and order", async () => {
  const manifest = JSON.parse(readFileSync(join(version, "model.json"), "utf8"));
  assert.equal(manifest.ranker.name, "deepfm");
  assert.equal(manifest.ranker.candidates, K);
  for (const f of ["ranker.onnx", "ranker_features.safetensors"]) assert.ok(manifest.files[f], f);
  const served: ServingModel = await loadServingModel(version);
  try {
    assert.equal(served.ranker?.name, "deepfm");
    let maxDiff = 0;
    let sameOrder = 0;
    let reordered = 0;
    for (const [q, history] of histories.entries()) {
      const ranked = await served.ranker!.rank(history, await served.encodeUser(history));
      const want = offline.set.items.subarray(q * K, (q + 1) * K);
      assert.deepEqual(Array.from(ranked.items), Array.from(want), `candidates of test query ${q}`);
      const logits = offline.logits.subarray(q * K, (q + 1) * K);
      for (let j = 0; j < K; j++) maxDiff = Math.max(maxDiff, Math.abs(ranked.scores[j] - logits[j]));
      if (order(ranked.scores).join() === order(logits).join()) sameOrder++;
      if (
        order(ranked.scores).slice(0, 10).join() !==
        order(new Float32Array(K).map((_, j) => -j))
          .slice(0, 10)
          .join()
      )
        reordered++;
    }
    assert.ok(maxDiff < 1e-4, `served logits differ from offline by ${maxDiff}`);
    assert.equal(sameOrder, histories.length, "every query is served in the offline order");
    assert.ok(reordered > 0, "the ranker changes some top 10 (else the parity would be vacuous)");
  } finally {
    await served.dispose?.();
  }
});

test("a user's recommendations are the learned ranker's top 10", async () => {
  const app = await testApp(
    { dataDir: data, auth: KEYS },
    { plugins: [recommender({ modelDir: registry })] },
  );
  const served = await loadServingModel(version);
  try {
    const read = { "x-api-key": READ_KEY };
    const model = await app.inject({ method: "GET", url: "/v1/model", headers: read });
    assert.equal(model.json().ranker, "deepfm");
    const raw = readVocabTsv(join(data, "items.tsv")).values;
    const history = histories[0];
    const t0 = Date.now() - 60_000;
    const events = Array.from(history, (item, i) => ({
      user_id: "ranked-user",
      item_id: raw[item],
      ts: t0 + i,
    }));
    const posted = await app.inject({
      method: "POST",
      url: "/v1/events",
      headers: WRITE,
      payload: { events },
    });
    assert.equal(posted.statusCode, 200, posted.body);
    const recs = await app.inject({
      method: "GET",
      url: "/v1/users/ranked-user/recommendations?k=10&diversity=0",
      headers: read,
    });
    assert.equal(recs.statusCode, 200, recs.body);
    const ranked = await served.ranker!.rank(history, await served.encodeUser(history));
    const expected = order(ranked.scores)
      .slice(0, 10)
      .map((j) => raw[ranked.items[j]]);
    const got = (recs.json().items as Array<{ item_id: string; score: number }>).map((r) => r.item_id);
    assert.deepEqual(got, expected);
  } finally {
    await served.dispose?.();
    await app.close();
  }
});

test("a feature file damaged after training is refused naming it", async () => {
  const damaged = (await exportRun(rerankRun, registry, "ranked-damaged")).dir;
  const path = join(damaged, "ranker_features.safetensors");
  const bytes = readFileSync(path);
  bytes.fill(0xff, bytes.length - 64); // the end of the last tensor: NaNs or ids out of range
  writeFileSync(path, bytes);
  rehash(damaged);
  await assert.rejects(
    loadServingModel(damaged),
    (e: Error & { code?: string }) => e.code === "SR_ERR_MODEL_INVALID" && e.message.includes(path),
  );
});

test("a damaged ranker.onnx is refused naming it; a re-rank run without its retriever or files does not export", async () => {
  const damaged = (await exportRun(rerankRun, registry, "ranked-bad-onnx")).dir;
  const onnx = join(damaged, "ranker.onnx");
  truncateSync(onnx, Math.floor(readFileSync(onnx).length / 2));
  rehash(damaged);
  await assert.rejects(
    loadServingModel(damaged),
    (e: Error & { code?: string }) => e.code === "SR_ERR_MODEL_INVALID" && e.message.includes(onnx),
  );

  const orphan = join(dir.path, "rerank-orphan");
  cpSync(rerankRun, orphan, { recursive: true });
  const results = JSON.parse(readFileSync(join(orphan, "results.json"), "utf8"));
  writeFileSync(
    join(orphan, "results.json"),
    JSON.stringify({ ...results, retriever: join(dir.path, "gone") }),
  );
  await assert.rejects(
    exportRun(orphan, registry, "ranked-orphan"),
    (e: Error & { code?: string }) => e.code === "SR_ERR_RUN" && e.message.includes("gone"),
  );
  const bare = join(dir.path, "rerank-bare");
  cpSync(rerankRun, bare, { recursive: true });
  rmSync(join(bare, "ranker_features.safetensors"));
  await assert.rejects(
    exportRun(bare, registry, "ranked-bare"),
    (e: Error & { code?: string }) =>
      e.code === "SR_ERR_MODEL_EXPORT" && e.message.includes("ranker_features.safetensors"),
  );
});
