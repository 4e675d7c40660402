import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  buildDataset,
  buildItemFeatures,
  type Csr,
  type ItemRecord,
  readVocabTsv,
  tokenize,
} from "../../src/data/index.js";
import {
  datasetsDir,
  loadBeauty,
  loadTaobao,
  memoryConnection,
  readTaobao,
  tempDir,
} from "./build-tables.js";

const out = tempDir("features");
after(() => out.remove());

const row = (csr: Csr, r: number) => Array.from(csr.values.subarray(csr.offsets[r], csr.offsets[r + 1]));

test("amazon-beauty: attribute and title-token rows are aligned to item ids", async () => {
  const conn = await memoryConnection();
  await loadBeauty(conn);
  const dir = join(out.path, "beauty");
  const { dataset: ds, meta } = await buildDataset(conn, { out: dir });
  const attributes = readVocabTsv(join(dir, "attributes.tsv"));
  const tokens = readVocabTsv(join(dir, "tokens.tsv"));
  const items = readVocabTsv(join(dir, "items.tsv"));
  assert.equal(meta.vocabSizes.attribute, 638, "637 attribute names + padding");
  const source = readFileSync(join(datasetsDir, "amazon-beauty", "items.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { item_id: number; title: string; attributes: string[] });
  let untitled = 0;
  for (const s of source) {
    const id = items.id(String(s.item_id));
    assert.deepEqual(
      row(ds.features.attributes, id).map((a) => attributes.value(a)),
      s.attributes,
    );
    const titleTokens = row(ds.features.titleTokens, id).map((t) => tokens.value(t));
    assert.deepEqual(titleTokens, tokenize(s.title));
    if (titleTokens.length === 0) untitled++;
  }
  assert.equal(untitled, 7, "the README lists 7 items with empty titles");
  assert.equal(ds.features.attributes.offsets.length, ds.nItems + 2);
  assert.deepEqual(row(ds.features.attributes, 0), [], "padding row is empty");
  assert.ok(ds.features.category.every((c) => c === 0) && ds.features.priceBucket.every((b) => b === 0));
  assert.equal(meta.vocabSizes.priceBucket, 1, "no prices: only the padding bucket");
});

test("taobao: category ids decode to each item's leaf category", async () => {
  const conn = await memoryConnection();
  await loadTaobao(conn);
  const dir = join(out.path, "taobao");
  const { dataset: ds, meta } = await buildDataset(conn, { out: dir });
  const categories = readVocabTsv(join(dir, "categories.tsv"));
  const items = readVocabTsv(join(dir, "items.tsv"));
  const categoryOf = new Map(readTaobao().map((r) => [r.item, r.category]));
  assert.equal(meta.vocabSizes.category, 2912, "2,911 categories + padding");
  for (let id = 1; id <= ds.nItems; id++) {
    assert.equal(categories.value(ds.features.category[id]), categoryOf.get(items.value(id)));
  }
});

test("price buckets are quantiles; ties collapse buckets; missing prices get bucket 0", () => {
  const item = (price: number | null): ItemRecord => ({
    title: null,
    category: null,
    brand: null,
    price,
    attributes: null,
  });
  const prices = Array.from({ length: 100 }, (_, i) => item(i + 1));
  const built = buildItemFeatures([null, ...prices, item(null)], 10);
  assert.deepEqual(built.priceEdges, [11, 21, 31, 41, 51, 61, 71, 81, 91]);
  const counts = new Array(11).fill(0);
  for (let id = 1; id <= 100; id++) counts[built.features.priceBucket[id]]++;
  assert.deepEqual(counts, [0, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10]);
  assert.equal(built.features.priceBucket[101], 0);
  assert.equal(built.cardinality.priceBucket, 11);
  const tied = buildItemFeatures([null, ...Array.from({ length: 50 }, () => item(5)), item(7)], 4);
  assert.deepEqual(tied.priceEdges, []);
  assert.equal(tied.features.priceBucket[51], 1, "all prices fall into one bucket when the quantiles tie");
});

test("Chinese titles: one token vocabulary for Han words and embedded Latin/digit tokens", () => {
  const lines = readFileSync(join(datasetsDir, "taobao-product-titles-zh", "titles.tsv"), "utf8")
    .trim()
    .split("\n");
  const records = lines.slice(1, 501).map((l): ItemRecord => {
    const title = l.split("\t")[2];
    return {
      title,
      category: null,
      brand: l.split("\t")[4].split("|")[0] || null,
      price: null,
      attributes: null,
    };
  });
  const built = buildItemFeatures([null, ...records], 10);
  for (let id = 1; id <= records.length; id++) {
    assert.deepEqual(
      row(built.features.titleTokens, id).map((t) => built.vocabs.token.value(t)),
      tokenize(records[id - 1].title!),
    );
    const brand = records[id - 1].brand;
    assert.equal(built.features.brand[id] === 0, brand === null);
    if (brand) assert.equal(built.vocabs.brand.value(built.features.brand[id]), brand);
  }
});
