// ctr-samples (DeepCTR's Criteo / Avazu / MovieLens slices): formats only, too small for accuracy.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { encodeCtrData, readCtrSample, splitCsvLine } from "../../../src/data/ctr/index.js";
import { runCtr } from "../../../src/train/ctr/index.js";
import { datasetsDir } from "../../helpers/datasets.js";

const dir = join(datasetsDir, "ctr-samples");

test("CSV lines keep quoted commas", () => {
  assert.deepEqual(splitCsvLine('1,"American President, The (1995)",x'), [
    "1",
    "American President, The (1995)",
    "x",
  ]);
});

test("criteo: 13 log-standardised integers (missing = mean) and 26 hashed categoricals", () => {
  const raw = readCtrSample(dir, "criteo");
  assert.equal(raw.user.length, 200);
  assert.equal(
    raw.labels.click.reduce((a, b) => a + b, 0),
    49,
  );
  const table = encodeCtrData(raw, { hashBuckets: 1000 });
  const numeric = table.fields.filter((f) => f.kind === "numeric");
  assert.equal(numeric.length, 13);
  const hashed = table.fields.filter((f) => f.fitted.buckets === 1000);
  assert.equal(hashed.length, 26);
  for (const f of hashed) for (const id of f.ids!) assert.ok(id >= 1 && id <= 1000);
  const i1 = raw.columns.find((c) => c.name === "I1")!;
  const e1 = table.fields.find((f) => f.name === "I1")!;
  if (i1.kind !== "numeric") return;
  for (let r = 0; r < i1.values.length; r++) if (Number.isNaN(i1.values[r])) assert.equal(e1.weights![r], 0);
});

test("avazu and movielens samples: hour and weekday context fields", () => {
  const avazu = readCtrSample(dir, "avazu");
  assert.equal(avazu.user.length, 100);
  assert.equal(
    avazu.labels.click.reduce((a, b) => a + b, 0),
    20,
  );
  const hour = avazu.columns.find((c) => c.name === "hour")!;
  assert.equal(hour.kind === "categorical" && hour.values[0], "00"); // 14102100 → 2014-10-21 00h
  const weekday = avazu.columns.find((c) => c.name === "weekday")!;
  assert.equal(weekday.kind === "categorical" && weekday.values[0], "2"); // a Tuesday
  const ml = readCtrSample(dir, "movielens");
  assert.equal(ml.user.length, 200);
  assert.ok(ml.columns.some((c) => c.name === "genres" && c.kind === "multi"));
});

for (const sample of ["criteo", "avazu", "movielens"] as const) {
  test(`${sample} sample trains end to end (smoke)`, async () => {
    for (const model of ["fm", "deepfm"]) {
      const { summary } = await runCtr({
        dataset: `ctr-samples/${sample}`,
        datasetsDir,
        model,
        features: { hashBuckets: 1000 },
        fit: { epochs: 2, batchSize: 64, threads: 1 },
      });
      assert.equal(summary.rows, sample === "avazu" ? 100 : 200);
      assert.ok(Number.isFinite(summary.test.LogLoss), `${model} LogLoss`);
      // 10 test rows may hold one class only: AUC is then NaN, never an error.
      for (const k of ["AUC", "GAUC"]) {
        const v = summary.test[k];
        assert.ok(Number.isNaN(v) || (v >= 0 && v <= 1), `${model} ${k} ${v}`);
      }
    }
  });
}
