import assert from "node:assert/strict";
import { test } from "node:test";
import {
  addDocument,
  createSearchIndex,
  documentCount,
  removeDocument,
  type SearchDocument,
  search,
  updateDocument,
} from "../../src/search/index.js";
import { SeqrankError } from "../../src/util/errors.js";
import { beautyDocuments, buildBeautyIndex } from "./beauty-corpus.js";

const ids = (index: ReturnType<typeof createSearchIndex>, query: string, opts = {}) =>
  search(index, query, opts).hits.map((h) => h.id);

test("an added document is searchable at once, by exact word, prefix and typo", () => {
  const index = buildBeautyIndex();
  addDocument(index, {
    id: "x1",
    title: "Quokkaberry Lip Tint",
    brand: "Wombat Labs",
    category: "Makeup > Lips",
  });
  assert.deepEqual(ids(index, "quokkaberry"), ["x1"]);
  assert.deepEqual(ids(index, "quokkab"), ["x1"]); // prefix of a brand-new surface form
  assert.deepEqual(ids(index, "quokkabery"), ["x1"]); // one edit
  assert.equal(ids(index, "wombat", { filters: { category: "makeup" } })[0], "x1");
});

test("remove and update take effect immediately", () => {
  const index = createSearchIndex();
  addDocument(index, { id: "a", title: "Blue Velvet Shampoo", price: 12 });
  addDocument(index, { id: "b", title: "Red Velvet Conditioner", price: 30 });
  assert.deepEqual(ids(index, "velvet"), ["a", "b"]);
  updateDocument(index, { id: "a", title: "Blue Silk Shampoo", price: 12 });
  assert.deepEqual(ids(index, "velvet"), ["b"]);
  assert.deepEqual(ids(index, "silk"), ["a"]);
  assert.equal(removeDocument(index, "b"), true);
  assert.equal(removeDocument(index, "b"), false);
  assert.deepEqual(ids(index, "velvet"), []);
  assert.equal(documentCount(index), 1);
  assert.throws(
    () => addDocument(index, { id: "a", title: "again" }),
    (e: unknown) => e instanceof SeqrankError && e.code === "SR_ERR_SEARCH_DUPLICATE_ID",
  );
});

test("removing many documents (vacuum) leaves the same ranking as never adding them", () => {
  const docs = beautyDocuments();
  const kept = docs.filter((_, i) => i % 3 !== 0);
  const fresh = buildBeautyIndex(kept);
  const churned = buildBeautyIndex(docs);
  for (const [i, d] of docs.entries()) if (i % 3 === 0) removeDocument(churned, d.id);
  assert.ok(churned.stats.stalePostings < churned.stats.totalPostings * 0.25); // vacuum ran
  for (const query of ["shampoo", "nail polish", "moisturizing cream", "opi red", "brush"]) {
    assert.deepEqual(search(churned, query), search(fresh, query), query);
  }
});

test("filters: category path prefix, brand list, price range", () => {
  const index = createSearchIndex();
  const docs: SearchDocument[] = [
    { id: "1", title: "Gel Nail Polish", brand: "OPI", category: "Makeup > Nails > Nail Polish", price: 9.5 },
    { id: "2", title: "Nail Polish Remover", brand: "Cutex", category: "Makeup > Nails > Remover", price: 4 },
    { id: "3", title: "Nail Brush", brand: "OPI", category: "Tools > Brushes", price: 15 },
    { id: "4", title: "Nail Polish Set", brand: "Essie", category: "Makeup > Nails", price: null },
  ];
  for (const d of docs) addDocument(index, d);
  const sorted = (query: string, opts: object) => ids(index, query, opts).sort();
  assert.deepEqual(sorted("nail", { filters: { category: "makeup > nails" } }), ["1", "2", "4"]);
  assert.deepEqual(sorted("nail", { filters: { category: "Makeup > Nails > Nail Polish" } }), ["1"]);
  assert.deepEqual(sorted("nail", { filters: { category: "makeup > nai" } }), []); // whole path segments only
  assert.deepEqual(sorted("nail", { filters: { brand: ["opi", "Essie"] } }), ["1", "3", "4"]);
  assert.deepEqual(sorted("nail", { filters: { priceMin: 5, priceMax: 10 } }), ["1"]);
  assert.deepEqual(sorted("nail", { filters: { priceMax: 100 } }), ["1", "2", "3"]); // no price: excluded
  assert.deepEqual(sorted("nail", { filters: { brand: "unknown" } }), []);
});

test("brand and category are searchable text with their field boosts", () => {
  const index = createSearchIndex({ boosts: { brand: 5 } });
  addDocument(index, { id: "title", title: "Maybelline style mascara" });
  addDocument(index, { id: "brand", title: "Volume mascara", brand: "Maybelline" });
  assert.deepEqual(ids(index, "maybelline"), ["brand", "title"]);
  const [hit] = search(index, "maybelline", { limit: 1 }).hits;
  assert.deepEqual(hit.matches[0].fields, ["brand"]);
});
