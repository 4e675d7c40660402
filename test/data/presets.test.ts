// Every shared dataset, ingested with its preset's defaults, has the statistics its README states.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { queryRows } from "../../src/data/db.js";
import { type IngestResult, ingest } from "../../src/data/ingest.js";
import { PRESETS, presetSpec } from "../../src/data/presets.js";
import { EventRowSchema, ItemRowSchema, UserRowSchema } from "../../src/data/schema.js";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const datasets = join(repoRoot, "..", "shared", "datasets");

async function ingestPreset(name: string): Promise<IngestResult> {
  return ingest(presetSpec(name, datasets), { out: mkdtempSync(join(tmpdir(), `sr-${name}-`)) });
}

const README_STATS: Record<string, [users: number, items: number, interactions: number]> = {
  "amazon-beauty": [22363, 12101, 198502],
  "amazon-beauty-bert4rec": [40226, 54542, 353962],
  "amazon-sports": [35598, 18357, 296337],
  "amazon-toys": [19412, 11924, 167597],
  "movielens-1m-sasrec-seq": [6040, 3416, 987019],
};

for (const [name, [users, items, interactions]] of Object.entries(README_STATS)) {
  test(`${name}: users, items and interactions match the README`, async () => {
    const r = await ingestPreset(name);
    assert.deepEqual(r.counts, { users, items, interactions });
    assert.equal(r.quarantined, 0);
    for (const rule of r.rules) assert.equal(rule.rowsIn, rule.kept + rule.quarantined, rule.rule);
  });
}

test("taobao-userbehavior-sample: 84,287 events by type, chronological per user with file order on ties", async () => {
  const r = await ingestPreset("taobao-userbehavior-sample");
  assert.equal(r.counts.interactions, 84287);
  assert.equal(r.counts.users, 814);
  assert.equal(r.counts.items, 55233);
  assert.deepEqual(r.eventTypes, { pv: 75693, cart: 4494, fav: 2351, buy: 1749 });
  const [order] = await queryRows(
    r.conn,
    `SELECT count(*) FILTER (WHERE prev_ts > ts OR (prev_ts = ts AND prev_ord > ord)) AS bad,
            count(*) FILTER (WHERE prev_ts = ts) AS ties
     FROM (SELECT ts, ord, lag(ts) OVER w AS prev_ts, lag(ord) OVER w AS prev_ord
           FROM (SELECT *, row_number() OVER () AS pos FROM events)
           WINDOW w AS (PARTITION BY user_id ORDER BY pos))`,
  );
  assert.equal(order.bad, 0);
  assert.ok(Number(order.ties) > 0, "the sample has equal timestamps, so the tie-break is exercised");
  const [cat] = await queryRows(r.conn, "SELECT count(DISTINCT category) AS n FROM items");
  assert.equal(cat.n, 2911);
});

test("movielens-1m: ratings as event types, movies and demographics joined", async () => {
  const r = await ingestPreset("movielens-1m");
  assert.deepEqual(r.counts, { users: 6040, items: 3706, interactions: 1000209 });
  assert.deepEqual(r.eventTypes, { "4": 348971, "3": 261197, "5": 226310, "2": 107557, "1": 56174 });
  assert.deepEqual(r.catalog, { items: 3883, users: 6040 });
  const [movie] = await queryRows(r.conn, "SELECT * FROM items WHERE item_id = '1'");
  assert.deepEqual(ItemRowSchema.parse(movie), {
    item_id: "1",
    title: "Toy Story (1995)",
    category: null,
    brand: null,
    price: null,
    attributes: ["Animation", "Children's", "Comedy"],
  });
  const [user] = await queryRows(
    r.conn,
    "SELECT user_id, profile::VARCHAR AS profile FROM users WHERE user_id = '2'",
  );
  assert.deepEqual(JSON.parse(String(user.profile)), {
    gender: "M",
    age: "56",
    occupation: "16",
    zip: "70072",
  });
});

test("movielens-100k: timestamps parsed and events sorted by time within a user", async () => {
  const r = await ingestPreset("movielens-100k");
  assert.deepEqual(r.counts, { users: 943, items: 1682, interactions: 100000 });
  const [span] = await queryRows(r.conn, "SELECT min(ts) AS lo, max(ts) AS hi FROM events");
  assert.deepEqual(span, {
    lo: Date.UTC(1997, 8, 20, 3, 5, 10) / 1000,
    hi: Date.UTC(1998, 3, 22, 23, 10, 38) / 1000,
  });
  const first = await queryRows(r.conn, "SELECT * FROM events LIMIT 3");
  for (const row of first) EventRowSchema.parse(row);
  assert.ok(Number(first[0].ts) <= Number(first[1].ts) && first[0].user_id === first[1].user_id);
});

test("amazon-beauty: titles and attribute names, reviewer ids as profiles", async () => {
  const r = await ingestPreset("amazon-beauty");
  const [item] = await queryRows(r.conn, "SELECT * FROM items WHERE item_id = '1'");
  assert.deepEqual(ItemRowSchema.parse(item).attributes, ["OPI", "Makeup", "Nails", "Nail Polish"]);
  assert.equal(item.title, "OPI Nail Lacquer, Simmer and Shimmer, 0.5-Fluid Ounce");
  const [titled] = await queryRows(r.conn, "SELECT count(title) AS n FROM items");
  assert.equal(titled.n, 12094);
  const [user] = await queryRows(
    r.conn,
    "SELECT user_id, profile::VARCHAR AS profile FROM users WHERE user_id = '1'",
  );
  assert.deepEqual(UserRowSchema.parse({ ...user, profile: JSON.parse(String(user.profile)) }).profile, {
    reviewer_id: "A1YJEY40YUW4SE",
  });
  // Sequence lines keep their order: user 1's line is `1 1 2 3 4 5`.
  const seq = await queryRows(r.conn, "SELECT item_id FROM events WHERE user_id = '1'");
  assert.deepEqual(
    seq.map((e) => e.item_id),
    ["1", "2", "3", "4", "5"],
  );
});

test("every preset ingests without quarantining anything", async () => {
  const rest = Object.keys(PRESETS).filter(
    (n) =>
      !(n in README_STATS) &&
      !["taobao-userbehavior-sample", "movielens-1m", "movielens-100k", "amazon-beauty"].includes(n),
  );
  for (const name of rest) {
    const r = await ingestPreset(name);
    assert.equal(r.quarantined, 0, name);
    assert.ok(r.catalog.items > 0, name);
  }
});
