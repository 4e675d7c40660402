// Without --catalog, the service imports the prepared dataset's catalogue (catalog.jsonl, written by prepare
// from the items it kept): a shop log's category (taobao: category_id) reaches items and recommendations,
// titles reach search (amazon-beauty). A --catalog file still wins over it.
import assert from "node:assert/strict";
import { appendFileSync, cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { CATALOG_JSONL } from "../../src/data/catalog-file.js";
import { readVocabTsv } from "../../src/data/vocab.js";
import { recommender } from "../../src/serve/plugins/recommender.js";
import { preparedDataset } from "../helpers/prepared.js";
import { KEYS, READ_KEY, tempDir, testApp } from "./helpers.js";

const read = { "x-api-key": READ_KEY };
const dir = tempDir("prepared-catalog");
after(() => dir.remove());

test("prepare writes catalog.jsonl: one line per kept item, in dense-id order, with its metadata", () => {
  const data = preparedDataset("amazon-beauty");
  const lines = readFileSync(join(data, CATALOG_JSONL), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  const ids = readVocabTsv(join(data, "items.tsv")).values.slice(1);
  assert.deepEqual(
    lines.map((l) => l.item_id),
    ids,
  );
  const withTitle = lines.filter((l) => typeof l.title === "string" && l.title.length > 0).length;
  assert.ok(withTitle > 0.9 * lines.length, `${withTitle} of ${lines.length} items have a title`);
  assert.ok(lines.some((l) => l.attributes.length > 0));
});

test("a prepared shop log's categories reach items and recommendations without --catalog", async () => {
  const data = preparedDataset("taobao-userbehavior-sample");
  const first = JSON.parse(readFileSync(join(data, CATALOG_JSONL), "utf8").split("\n")[0]);
  assert.ok(first.category, "taobao's category_id is in the prepared catalogue");
  const app = await testApp({ dataDir: data, auth: KEYS }, { plugins: [recommender({})] });
  try {
    const item = await app.inject({ method: "GET", url: `/v1/items/${first.item_id}`, headers: read });
    assert.equal(item.statusCode, 200, item.body);
    assert.equal(item.json().category, first.category);
    const user = readVocabTsv(join(data, "users.tsv")).values[1];
    const recs = await app.inject({
      method: "GET",
      url: `/v1/users/${user}/recommendations?k=10`,
      headers: read,
    });
    assert.equal(recs.statusCode, 200, recs.body);
    const items = recs.json().items as Array<{ category: string | null }>;
    assert.ok(items.length > 0 && items.every((r) => r.category !== null), JSON.stringify(items.slice(0, 3)));
  } finally {
    await app.close();
  }
});

test("search finds a prepared item by its title without --catalog; a --catalog file takes precedence", async () => {
  const data = preparedDataset("amazon-beauty");
  const line = readFileSync(join(data, CATALOG_JSONL), "utf8")
    .split("\n")
    .map((l) => (l ? JSON.parse(l) : undefined))
    .find((l) => l && typeof l.title === "string" && l.title.split(" ").length >= 4);
  const app = await testApp({ dataDir: data, auth: KEYS }, { plugins: [recommender({})] });
  try {
    const q = encodeURIComponent(line.title);
    const found = await app.inject({ method: "GET", url: `/v1/search?q=${q}&k=5`, headers: read });
    assert.equal(found.statusCode, 200, found.body);
    const hits = found.json().hits as Array<{ item_id: string }>;
    assert.ok(
      hits.some((h) => h.item_id === line.item_id),
      `"${line.title}" → ${hits.map((h) => h.item_id)}`,
    );
  } finally {
    await app.close();
  }
  const own = join(dir.path, "own.jsonl");
  writeFileSync(
    own,
    `${JSON.stringify({ id: line.item_id, title: "house brand conditioner", category: "Hair" })}\n`,
  );
  const withOwn = await testApp(
    { dataDir: data, catalogFile: own, auth: KEYS },
    { plugins: [recommender({})] },
  );
  try {
    const item = await withOwn.inject({ method: "GET", url: `/v1/items/${line.item_id}`, headers: read });
    assert.equal(item.json().category, "Hair");
    const other = await withOwn.inject({
      method: "GET",
      url: "/v1/search?q=nail%20polish&k=5",
      headers: read,
    });
    assert.equal(other.statusCode, 200);
  } finally {
    await withOwn.close();
  }
});

test("a damaged prepared catalogue stops the start with the file and line named", async () => {
  const data = join(dir.path, "beauty-copy");
  cpSync(preparedDataset("amazon-beauty"), data, { recursive: true });
  appendFileSync(join(data, CATALOG_JSONL), '{"item_id": "x", "title": \n');
  const lines = readFileSync(join(data, CATALOG_JSONL), "utf8").trim().split("\n").length;
  await assert.rejects(
    testApp({ dataDir: data, auth: KEYS }, { plugins: [recommender({})] }),
    (e: Error & { code?: string }) =>
      e.code === "SR_ERR_CATALOG_FILE" && e.message.includes(`${CATALOG_JSONL}:${lines}`),
  );
});
