import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Rng } from "../../src/graph/init.js";
import { sasrec } from "../../src/models/sasrec.js";
import { sampleParams, tune } from "../../src/train/tune.js";
import { firstUsers } from "../helpers/prepared.js";

test("sampleParams draws from lists and (log-)ranges, reproducibly", () => {
  const space = {
    dropout: [0.1, 0.3],
    "fit.lr": { min: 1e-4, max: 1e-2, log: true, int: false },
    dim: { min: 16, max: 64, log: false, int: true },
  };
  const a = sampleParams(space, new Rng(3));
  assert.deepEqual(sampleParams(space, new Rng(3)), a);
  for (let i = 0; i < 50; i++) {
    const p = sampleParams(space, new Rng(i));
    assert.ok([0.1, 0.3].includes(p.dropout as number));
    assert.ok((p["fit.lr"] as number) >= 1e-4 && (p["fit.lr"] as number) <= 1e-2);
    assert.ok(Number.isInteger(p.dim) && (p.dim as number) >= 16 && (p.dim as number) <= 64);
  }
});

test("successive halving continues only the best trial, from its own checkpoint", async () => {
  const data = firstUsers("amazon-beauty", 800);
  const trials = await tune(
    sasrec,
    data,
    { dropout: [0.1, 0.5], "fit.lr": [1e-3, 3e-3] },
    { fit: { threads: 1, batchSize: 64 } },
    { trials: 3, minEpochs: 1, rungs: 2, seed: 2 },
    mkdtempSync(join(tmpdir(), "seqrank-tune-")),
  );
  assert.equal(trials.length, 3);
  assert.deepEqual(trials.map((t) => t.epochs).sort(), [1, 1, 3]);
  const best = trials.find((t) => t.epochs === 3)!;
  assert.ok(trials.every((t) => t.epochs === 3 || Number.isFinite(t.validNdcg10)));
  assert.ok(best.test && best.test["NDCG@10"] >= 0);
});
