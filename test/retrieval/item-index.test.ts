import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ItemIndex } from "../../src/retrieval/index.js";
import { beauty, exactTopK, projectedItemVectors } from "./beauty.js";

const DIM = 32;
const vectors = projectedItemVectors(DIM);
// Queries: user-like vectors = the sum of a few items' vectors (every 500th user's sequence).
const queries: Float32Array[] = [];
for (let u = 0; u < beauty.offsets.length - 1; u += 500) {
  const q = new Float32Array(DIM);
  for (let p = beauty.offsets[u]; p < beauty.offsets[u + 1]; p++) {
    for (let d = 0; d < DIM; d++) q[d] += vectors[beauty.items[p] * DIM + d];
  }
  queries.push(q);
}

const built = {
  f32: ItemIndex.build(vectors, DIM),
  i8: ItemIndex.build(vectors, DIM, { quantization: "i8" }),
};

function recallAt10(index: ItemIndex): number {
  let hit = 0;
  for (const q of queries) {
    const truth = new Set(exactTopK(vectors, DIM, q, 10));
    for (const item of index.search(q, 10).items) if (truth.has(item)) hit++;
  }
  return hit / (queries.length * 10);
}

test("f32 HNSW finds the exact inner-product top 10 on Beauty item vectors", () => {
  const index = built.f32;
  assert.equal(index.size, beauty.nItems);
  assert.ok(recallAt10(index) >= 0.95, `recall ${recallAt10(index)}`);
  const hits = index.search(queries[0], 5);
  for (let i = 0; i < hits.items.length; i++) {
    let exact = 0;
    for (let d = 0; d < DIM; d++) exact += vectors[hits.items[i] * DIM + d] * queries[0][d];
    assert.ok(Math.abs(hits.scores[i] - exact) < 1e-4);
  }
});

test("buildAsync (chunked, yielding to the event loop) gives an index as good as build", async () => {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  const index = await ItemIndex.buildAsync(vectors, DIM, {}, undefined, 1000);
  clearInterval(timer);
  assert.equal(index.size, beauty.nItems);
  assert.ok(recallAt10(index) >= 0.95);
  assert.ok(ticks > 0, "timers ran while the index was being built");
});

test("i8 quantisation keeps most of the top 10 and approximates the inner products", () => {
  const index = built.i8;
  const recall = recallAt10(index);
  assert.ok(recall >= 0.8, `i8 recall ${recall}`);
  const hits = index.search(queries[1], 3);
  let exact = 0;
  for (let d = 0; d < DIM; d++) exact += vectors[hits.items[0] * DIM + d] * queries[1][d];
  assert.ok(Math.abs(hits.scores[0] - exact) / Math.abs(exact) < 0.05);
});

test("save/load gives the same answers; upsert and remove change them at once", () => {
  const dir = mkdtempSync(join(tmpdir(), "seqrank-index-"));
  try {
    for (const quantization of ["f32", "i8"] as const) {
      const index = built[quantization];
      index.save(join(dir, `${quantization}.usearch`));
      const loaded = ItemIndex.load(join(dir, `${quantization}.usearch`));
      assert.equal(loaded.config.quantization, quantization);
      for (const q of queries.slice(0, 5))
        assert.deepEqual(loaded.search(q, 10).items, index.search(q, 10).items);
      // A new item in exactly the query direction comes first; once removed it is never returned.
      const newId = beauty.nItems + 1;
      const norm = Math.hypot(...queries[2]);
      loaded.upsert(
        newId,
        queries[2].map((x) => x / norm),
      );
      assert.equal(loaded.search(queries[2], 10).items[0], newId);
      assert.ok(loaded.remove(newId));
      assert.ok(!loaded.search(queries[2], 10).items.includes(newId));
      assert.ok(!loaded.has(newId));
    }
    assert.throws(() => ItemIndex.load(join(dir, "missing")), { code: "SR_ERR_INDEX_MISSING" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
