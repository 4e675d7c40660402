import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { buildDataset, loadDataset, readVocabTsv, Vocab, writeVocabTsv } from "../../src/data/index.js";
import { SeqrankError } from "../../src/util/errors.js";
import { loadBeauty, memoryConnection, tempDir } from "./build-tables.js";

const out = tempDir("cache");
after(() => out.remove());

test("loadDataset returns exactly the built arrays, and loads amazon-beauty in well under a second", async () => {
  const conn = await memoryConnection();
  await loadBeauty(conn);
  const dir = join(out.path, "beauty");
  const { dataset: built } = await buildDataset(conn, { out: dir });
  const times: number[] = [];
  let loaded = loadDataset(dir);
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    loaded = loadDataset(dir);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const median = times[2];
  console.log(`# loadDataset(amazon-beauty) median ${median.toFixed(1)} ms`);
  assert.ok(median < 1000, `median load ${median} ms`);
  // Typed arrays compare by content; meta goes through JSON.
  assert.deepEqual(loaded, { ...built, meta: JSON.parse(JSON.stringify(built.meta)) });
});

test("a truncated dataset.bin is refused with a coded error", async () => {
  const conn = await memoryConnection();
  await loadBeauty(conn);
  const dir = join(out.path, "truncated");
  await buildDataset(conn, { out: dir });
  const bin = join(dir, "dataset.bin");
  writeFileSync(bin, readFileSync(bin).subarray(0, 5000));
  assert.throws(
    () => loadDataset(dir),
    (e: unknown) => e instanceof SeqrankError && e.code === "SR_ERR_DATASET_FORMAT",
  );
});

test("vocabularies round-trip through TSV, including ids with tabs, newlines and backslashes", () => {
  const values = ["A1YJEY40YUW4SE", "with\ttab", "new\nline", "back\\slash\\t", "华为 Mate", "0", ""];
  const vocab = Vocab.fromValues(values.filter((v) => v !== ""));
  const path = join(out.path, "vocab.tsv");
  writeVocabTsv(path, vocab, "raw");
  const back = readVocabTsv(path);
  assert.deepEqual(back.values, vocab.values);
  for (const v of values.slice(0, -1)) assert.equal(back.value(back.id(v)), v);
  assert.equal(back.id("missing"), 0, "unknown values map to padding");
  assert.throws(
    () => back.value(0),
    (e: unknown) => e instanceof SeqrankError && e.code === "SR_ERR_VOCAB_ID",
  );
});
