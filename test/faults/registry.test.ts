// Damaged registries never serve, and `--model` is honest: every damaged artefact is refused at load with
// SR_ERR_MODEL_INVALID naming the file; a model exported without checksums is refused with how to fix it; the
// encoder is dry-run (a model whose encoder answers NaN never loads); a training run directory serves that run;
// a mistyped path stops the process with a message naming it, never a silent popularity fallback.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { loadServingModel, MODEL_JSON, resolveModelSource } from "../../src/artifact/index.js";
import { recommender } from "../../src/serve/plugins/recommender.js";
import { CLI_ENTRY, repoRoot, spawnServer, tempDir, testApp, WRITE } from "../serve/helpers.js";
import { DAMAGES, damagedCopy, dataDir, exportTiny } from "./model-fixtures.js";

const work = tempDir("faults-registry");
const valid = join(work.path, "valid");

before(() => exportTiny(valid, "v1", 1));
after(() => work.remove());

const refusal = (file: string, reason?: RegExp) => (err: { code?: string; message?: string }) => {
  assert.equal(err.code, "SR_ERR_MODEL_INVALID", err.message);
  assert.ok(err.message?.includes(file), `names ${file}: ${err.message}`);
  if (reason) assert.match(err.message ?? "", reason);
  return true;
};

test("a valid export loads, and its model.json records size and sha256 of every artefact", async () => {
  const manifest = JSON.parse(readFileSync(join(valid, MODEL_JSON), "utf8"));
  for (const file of ["encoder.onnx", "item_vectors.f32", "items.tsv"])
    assert.match(manifest.files?.[file]?.sha256 ?? "", /^[0-9a-f]{64}$/, file);
  const model = await loadServingModel(valid);
  assert.equal(model.name, "sasrec");
  await model.dispose?.();
});

for (const damage of Object.keys(DAMAGES)) {
  test(`refused at load: ${damage}`, async () => {
    const dir = join(work.path, damage.replace(/\W+/g, "-"));
    damagedCopy(valid, dir, damage);
    await assert.rejects(loadServingModel(dir), refusal(DAMAGES[damage].file, DAMAGES[damage].reason));
  });
}

test("refused at load: an encoder that answers NaN (the dry run), though its files match model.json", async () => {
  const dir = join(work.path, "nan-encoder");
  await exportTiny(dir, "v1", 1, (store) => {
    store.entries.get("final_ln.beta")!.value.fill(Number.NaN);
  });
  await assert.rejects(loadServingModel(dir), refusal(join(dir, "encoder.onnx"), /dry run .*NaN/));
});

test("refused at load: a model.json without checksums (an older export), saying to re-export", async () => {
  const dir = join(work.path, "legacy");
  damagedCopy(valid, dir, "4 KB of random bytes inside encoder.onnx");
  const manifest = JSON.parse(readFileSync(join(dir, MODEL_JSON), "utf8"));
  delete manifest.files;
  writeFileSync(join(dir, MODEL_JSON), JSON.stringify(manifest));
  await assert.rejects(loadServingModel(dir), (err: Error) => {
    refusal(MODEL_JSON)(err);
    assert.match(err.message, /re-export/);
    return true;
  });
});

test("a service whose registry's current version is damaged does not start", async () => {
  const root = join(work.path, "registry-damaged");
  damagedCopy(valid, join(root, "v1"), "NaN and Inf in item_vectors.f32");
  writeFileSync(join(root, "current"), "v1\n");
  await assert.rejects(
    testApp({ modelDir: root }, { plugins: [recommender({ pollMs: 0 })] }),
    refusal("item_vectors.f32"),
  );
});

test("--model paths that name no model are errors naming the path, never a popularity fallback", async () => {
  const empty = join(work.path, "empty-dir");
  mkdirSync(empty);
  const noCurrent = join(work.path, "registry-no-current");
  damagedCopy(valid, join(noCurrent, "v1"), "truncated model.json");
  for (const path of [join(work.path, "no-such-run"), empty, noCurrent, join(valid, "items.tsv")]) {
    assert.throws(
      () => resolveModelSource(path),
      (err: Error & { code?: string }) => err.code === "SR_ERR_MODEL_PATH" && err.message.includes(path),
      path,
    );
    await assert.rejects(
      testApp({ modelDir: path }, { plugins: [recommender({ pollMs: 0 })] }),
      { code: "SR_ERR_MODEL_PATH" },
      path,
    );
  }
});

test("seqrank serve --model <mistyped path> exits non-zero with a message naming the path", async () => {
  const typo = join(work.path, "runs", "beuaty-sasrec");
  await assert.rejects(spawnServer(["--model", typo], { entry: CLI_ENTRY }), (err: Error) => {
    assert.match(err.message, /server exited with 1/);
    assert.ok(err.message.includes(`SR_ERR_MODEL_PATH: --model ${typo}`), err.message);
    return true;
  });
});

test("--model <training run dir> serves that run, and /readyz and /v1/model say so", async () => {
  const runDir = join(work.path, "run");
  const train = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      CLI_ENTRY,
      "train",
      dataDir,
      "--model",
      "sasrec",
      "--epochs",
      "1",
      "--dim",
      "8",
    ].concat(["--blocks", "1", "--max-len", "10", "--threads", "1", "--no-progress", "--out", runDir]),
    { cwd: repoRoot, encoding: "utf8" },
  );
  assert.equal(train.status, 0, train.stderr);
  const app = await testApp({ dataDir, modelDir: runDir }, { plugins: [recommender({ pollMs: 0 })] });
  try {
    const info = (await app.inject({ method: "GET", url: "/v1/model", headers: WRITE })).json();
    assert.equal(info.name, "sasrec");
    assert.equal(info.source, "run");
    assert.ok(info.dim > 0);
    assert.equal(info.results?.model, "sasrec", "the run's results.json is shown");
    const ready = JSON.stringify((await app.inject({ method: "GET", url: "/readyz" })).json());
    assert.match(ready, /sasrec@run from run/);
    const recs = await app.inject({ method: "GET", url: "/v1/users/1/recommendations?k=5", headers: WRITE });
    assert.equal(recs.statusCode, 200, recs.body);
    assert.ok(
      recs.json().items.some((i: { sources: string[] }) => i.sources.includes("ann")),
      "the run's vectors serve",
    );
  } finally {
    await app.close();
  }
});

test("without --model the popularity fallback serves, and /readyz says it is the fallback", async () => {
  const app = await testApp({}, { plugins: [recommender({ pollMs: 0 })] });
  try {
    const info = (await app.inject({ method: "GET", url: "/v1/model", headers: WRITE })).json();
    assert.deepEqual([info.name, info.source], ["popularity", "none"]);
    const ready = JSON.stringify((await app.inject({ method: "GET", url: "/readyz" })).json());
    assert.match(ready, /popularity fallback \(no model configured\)/);
  } finally {
    await app.close();
  }
});
