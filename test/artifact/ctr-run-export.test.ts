// A CTR run (seqrank train --task ctr) scores rows of a feature table: it has no user encoder, so exporting
// or serving it is refused with what to do instead, not a confusing report error.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { exportRunVersion, resolveModelSource } from "../../src/artifact/index.js";
import { runCtr } from "../../src/train/ctr/run-ctr.js";

test("exporting a CTR run is SR_ERR_MODEL_EXPORT saying it has no user encoder", async () => {
  const dir = mkdtempSync(join(tmpdir(), "seqrank-ctr-export-"));
  const run = join(dir, "run");
  await runCtr({ dataset: "ctr-samples/criteo", model: "lr", fit: { epochs: 1, threads: 1 }, out: run });
  assert.equal(resolveModelSource(run).kind, "run");
  await assert.rejects(exportRunVersion(run, join(dir, "v1"), "v1"), (err: Error & { code?: string }) => {
    assert.equal(err.code, "SR_ERR_MODEL_EXPORT");
    assert.match(err.message, /is a CTR run .* no user encoder to serve/);
    return true;
  });
});
