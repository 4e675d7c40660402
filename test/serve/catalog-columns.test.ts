// Issue #14 part 5: `seqrank serve --catalog` reads a shop's own catalogue through the same item column
// mapping as `prepare --config`, names the file, line and field of a bad line, and a bad catalogue stops
// the start before anything is seeded.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parseServeConfig } from "../../src/serve/config.js";
import { importCatalog, SqliteStore } from "../../src/serve/storage/index.js";
import { preparedDataset } from "../helpers/prepared.js";
import { datasetsDir, tempDir, testApp } from "./helpers.js";

const store = (path = ":memory:") => new SqliteStore({ path, maxSequenceLength: 50, cacheEntries: 10 });

const FEED = [
  {
    shop: "eu",
    sku: 17,
    name: "Dry Shampoo, Cherry",
    maker: "Batiste",
    dept: "Hair Care",
    aisle: "Shampoo",
    cost: "6.50",
    tags: "dry hair|travel size",
  },
  {
    shop: "eu",
    sku: 18,
    name: "Nail Lacquer",
    maker: "OPI",
    dept: "Makeup",
    aisle: ["Nails", "Polish"],
    cost: 9,
    tags: ["red"],
    in_stock: false,
  },
];
const COLUMNS = {
  item: ["shop", "sku"],
  title: "name",
  brand: "maker",
  category: ["dept", "aisle"],
  price: "cost",
  attributes: "tags",
};

test("a shop's own feed imports through prepare's item column mapping", async () => {
  const dir = tempDir("catalog-columns");
  const file = join(dir.path, "feed.jsonl");
  writeFileSync(file, `${FEED.map((r) => JSON.stringify(r)).join("\n")}\n`);
  const s = store();
  assert.equal(await importCatalog(s, file, COLUMNS), 2);
  const a = await s.catalogue.get("eu:17");
  assert.deepEqual(
    [a?.title, a?.brand, a?.category, a?.price, a?.attributes, a?.inStock],
    ["Dry Shampoo, Cherry", "Batiste", "Hair Care > Shampoo", 6.5, ["dry hair", "travel size"], true],
  );
  const b = await s.catalogue.get("eu:18");
  assert.deepEqual(
    [b?.category, b?.price, b?.attributes, b?.inStock],
    ["Makeup > Nails > Polish", 9, ["red"], false],
  );
  await s.close();
  dir.remove();
});

test("real data: amazon-beauty's catalogue keyed by its ASINs through a mapping", async () => {
  const s = store();
  const file = join(datasetsDir, "amazon-beauty", "items.jsonl");
  const n = await importCatalog(s, file, { item: "asin", title: "title", attributes: "attributes" });
  assert.equal(n, 12_101);
  const item = await s.catalogue.get("B004756YJA");
  assert.equal(item?.title, "OPI Nail Lacquer, Simmer and Shimmer, 0.5-Fluid Ounce");
  assert.deepEqual(item?.attributes, ["OPI", "Makeup", "Nails", "Nail Polish"]);
  assert.equal(await s.catalogue.get("1"), undefined, "not keyed by item_id");
  await s.close();
});

test("a bad line names file, line and field, and nothing of the file is written", async () => {
  const dir = tempDir("catalog-columns");
  const file = join(dir.path, "feed.jsonl");
  const s = store();
  for (const [bad, field] of [
    [{ ...FEED[1], cost: "about ten" }, "cost: expected a price"],
    [{ ...FEED[1], sku: null }, "shop, sku: expected the item id"],
  ] as const) {
    writeFileSync(file, `${JSON.stringify(FEED[0])}\n\n${JSON.stringify(bad)}\n`);
    await assert.rejects(importCatalog(s, file, COLUMNS), (err: Error & { code?: string }) => {
      assert.equal(err.code, "SR_ERR_CATALOG_FILE");
      assert.ok(err.message.startsWith(`${file}:3: ${field}`), err.message);
      return true;
    });
    assert.equal((await s.stats()).items, 0, "the good first line is not written either");
  }
  writeFileSync(file, "[1, 2]\n");
  await assert.rejects(importCatalog(s, file), /feed\.jsonl:1: not a JSON object/);
  await s.close();
  dir.remove();
});

test("the mapping is checked with the service config: only item columns, no unknown keys", () => {
  assert.throws(
    () => parseServeConfig({ catalogColumns: { item: "sku", user: "buyer" } as never }),
    (err: Error & { code?: string }) =>
      err.code === "SR_ERR_CONFIG" && /unknown key "user" in catalogColumns/.test(err.message),
  );
  assert.deepEqual(parseServeConfig({ catalogColumns: { item: "sku" } }).catalogColumns, { item: "sku" });
});

test("a bad catalogue stops the start before any sequence is seeded", async () => {
  const dir = tempDir("catalog-columns");
  const file = join(dir.path, "feed.jsonl");
  writeFileSync(file, `${JSON.stringify({ ...FEED[0], cost: "n/a" })}\n`);
  const db = join(dir.path, "store.db");
  await assert.rejects(
    testApp({
      dataDir: preparedDataset("movielens-100k"),
      catalogFile: file,
      catalogColumns: COLUMNS,
      storage: { sqlitePath: db },
    }),
    (err: Error & { code?: string }) => err.code === "SR_ERR_CATALOG_FILE",
  );
  const after = store(db);
  assert.deepEqual([(await after.stats()).users, (await after.stats()).items], [0, 0]);
  await after.close();
  dir.remove();
});
