// `seqrank train <dataset> --task ctr …` (src/cli/train-ctr.ts): results.json, model.onnx and the results
// JSON as the last stdout line.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { trainCtrAction } from "../../src/cli/train-ctr.js";
import { datasetsDir } from "../helpers/datasets.js";

test("trainCtrAction writes results.json and model.onnx and prints test.AUC / GAUC / LogLoss last", async () => {
  const out = mkdtempSync(join(tmpdir(), "seqrank-train-ctr-"));
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    await trainCtrAction("movielens-1m", {
      model: "hybrid-mf",
      loss: "bpr",
      out,
      epochs: 1,
      limit: 40,
      threads: 1,
      datasets: datasetsDir,
      progress: false,
    });
  } finally {
    process.stdout.write = write;
  }
  // The test runner shares stdout; the command's own last line is its JSON result.
  const ours = lines.filter((l) => l.startsWith('{"command":"train"'));
  const last = JSON.parse(ours[ours.length - 1]);
  assert.equal(last.task, "ctr");
  assert.equal(last.model, "hybrid-mf");
  for (const k of ["AUC", "GAUC", "LogLoss"]) assert.ok(Number.isFinite(last.test[k]), k);
  assert.ok(existsSync(join(out, "model.onnx")));
  const saved = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
  assert.equal(saved.history.length, 1);
  rmSync(out, { recursive: true, force: true });
});
