import assert from "node:assert/strict";
import { test } from "node:test";
import { addDocument, loadIndex, removeDocument, saveIndex, search } from "../../src/search/index.js";
import { SeqrankError } from "../../src/util/errors.js";
import { beautyDocuments, buildBeautyIndex } from "./beauty-corpus.js";

const QUERIES = [
  "shampoo",
  "shampo",
  "dry shamp",
  "nail polish red",
  "moisturizng cream",
  "opi",
  "argan oil",
];

test("save/load round trip ranks identically (removed documents dropped)", () => {
  const docs = beautyDocuments();
  const index = buildBeautyIndex(docs);
  for (const doc of docs.slice(0, 500)) removeDocument(index, doc.id);
  const bytes = saveIndex(index);
  const loaded = loadIndex(bytes);
  assert.equal(loaded.stats.liveDocs, docs.length - 500);
  for (const query of QUERIES) {
    for (const filters of [{}, { category: "hair care", priceMin: 5 }]) {
      assert.deepEqual(
        search(loaded, query, { limit: 20, filters }),
        search(index, query, { limit: 20, filters }),
        query,
      );
    }
  }
  // compact: ids, terms and postings of ~11.6k titles in well under 2 MB
  assert.ok(bytes.length < 2_000_000, `${bytes.length} bytes`);
  // a second round trip is byte-identical
  assert.deepEqual(saveIndex(loaded), bytes);
});

test("a loaded index keeps accepting adds and removes", () => {
  const loaded = loadIndex(saveIndex(buildBeautyIndex()));
  addDocument(loaded, { id: "new-1", title: "Zyxquartz Glitter Shampoo", brand: "Zyx", price: 9 });
  assert.equal(search(loaded, "zyxquartz").hits[0].id, "new-1");
  assert.equal(search(loaded, "glitter shampoo", { filters: { brand: "zyx" } }).hits[0].id, "new-1");
  assert.ok(removeDocument(loaded, "new-1"));
  assert.equal(search(loaded, "zyxquartz").hits.length, 0);
});

test("corrupt or foreign bytes fail with a coded error", () => {
  const bytes = saveIndex(buildBeautyIndex(beautyDocuments().slice(0, 50)));
  const expectCode = (fn: () => unknown) =>
    assert.throws(fn, (e: unknown) => e instanceof SeqrankError && e.code === "SR_ERR_SEARCH_BAD_FILE");
  expectCode(() => loadIndex(bytes.subarray(0, bytes.length - 10)));
  expectCode(() => loadIndex(new TextEncoder().encode("hello world")));
});
