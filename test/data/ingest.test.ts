// Ingest behaviour beyond single bad inputs: ordering, multi-source merging, timestamp formats, config errors.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { openDuckDB, queryRows } from "../../src/data/db.js";
import { ingest } from "../../src/data/ingest.js";
import { presetSpec } from "../../src/data/presets.js";
import type { IngestSpecInput } from "../../src/data/source.js";
import { SeqrankError } from "../../src/util/errors.js";

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "sr-ingest-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
const out = () => mkdtempSync(join(tmpdir(), "sr-ingest-out-"));
const cols = { user: "user", item: "item", event: "event", timestamp: "ts" };

test("events are chronological per user, equal timestamps keep file order", async () => {
  const baseDir = dirWith({
    "log.csv": "user,item,event,ts\nu2,a,view,100\nu1,b,view,50\nu1,c,view,10\nu1,d,view,50\nu1,e,view,10\n",
  });
  const r = await ingest(
    { name: "t", baseDir, events: [{ path: "log.csv", columns: cols }] },
    { out: out() },
  );
  const rows = await queryRows(r.conn, "SELECT user_id, item_id, ts, ord, src_line FROM events");
  assert.deepEqual(
    rows.map((e) => `${e.user_id}:${e.item_id}@${e.src_line}`),
    ["u1:c@4", "u1:e@6", "u1:b@3", "u1:d@5", "u2:a@2"],
  );
  r.close();
});

test("several sources: catalog fields first, events fill the gaps; composite ids; profiles merge", async () => {
  const baseDir = dirWith({
    "a.csv":
      "shop,sku,user,kind,when,name,cat,colour,age\nS1,1,u1,buy,2024-01-02T03:04:05+01:00,From events,Toys|Cars,red,31\nS1,2,u1,view,2024-01-02T03:04:06+01:00,Second,Toys,blue,31\n",
    "b.csv":
      "shop,sku,user,kind,when,name,cat,colour,age\nS1,1,u2,view,2024-01-03T00:00:00Z,Ignored,X,green,40\n",
    "items.jsonl": '{"id":"S1:1","title":"Catalog title","price":"12.5","tags":["a","b"]}\n',
    "users.tsv": "uid\tcountry\nu1\tNL\n",
  });
  const spec: IngestSpecInput = {
    name: "multi",
    baseDir,
    events: ["a.csv", "b.csv"].map((path) => ({
      path,
      columns: {
        user: "user",
        item: ["shop", "sku"],
        event: "kind",
        timestamp: "when",
        title: "name",
        category: "cat",
        attributes: "colour",
        profile: ["age"],
      },
    })),
    items: [
      { path: "items.jsonl", columns: { item: "id", title: "title", price: "price", attributes: "tags" } },
    ],
    users: [{ path: "users.tsv", columns: { user: "uid" } }],
  };
  const r = await ingest(spec, { out: out() });
  assert.deepEqual(r.counts, { users: 2, items: 2, interactions: 3 });
  const items = await queryRows(r.conn, "SELECT * FROM items ORDER BY item_id");
  assert.deepEqual(items, [
    {
      item_id: "S1:1",
      title: "Catalog title",
      category: "Toys > Cars",
      brand: null,
      price: 12.5,
      attributes: ["a", "b"],
      profile: null,
    },
    {
      item_id: "S1:2",
      title: "Second",
      category: "Toys",
      brand: null,
      price: null,
      attributes: ["blue"],
      profile: null,
    },
  ]);
  const users = await queryRows(r.conn, "SELECT user_id, profile::VARCHAR AS p FROM users ORDER BY 1");
  assert.deepEqual(
    users.map((u) => [u.user_id, JSON.parse(String(u.p))]),
    [
      ["u1", { age: "31", country: "NL" }],
      ["u2", { age: "40" }],
    ],
  );
  const [first] = await queryRows(r.conn, "SELECT ts, src_file FROM events WHERE user_id = 'u1' LIMIT 1");
  assert.equal(first.ts, Date.UTC(2024, 0, 2, 2, 4, 5) / 1000);
  assert.ok(String(first.src_file).endsWith("a.csv"));
  assert.deepEqual(
    r.files.map((f) => [f.role, f.rows]),
    [
      ["events", 2],
      ["events", 1],
      ["items", 1],
      ["users", 1],
    ],
  );
  r.close();
});

test("timestamp formats: unix milliseconds, strptime patterns", async () => {
  const baseDir = dirWith({
    "ms.csv": "user,item,event,ts\nu1,a,view,1700000000999\n",
    "eu.csv": "user,item,event,ts\nu1,b,view,14/11/2023 22:13\nu1,c,view,2023-11-14\n",
  });
  const r = await ingest(
    {
      name: "ts",
      baseDir,
      events: [
        { path: "ms.csv", columns: cols, timestampFormat: "unix_ms" },
        { path: "eu.csv", columns: cols, timestampFormat: "%d/%m/%Y %H:%M" },
      ],
    },
    { out: out() },
  );
  const rows = await queryRows(r.conn, "SELECT item_id, ts FROM events ORDER BY ord");
  assert.deepEqual(rows, [
    { item_id: "a", ts: 1700000000 },
    { item_id: "b", ts: 1699999980 },
  ]);
  assert.deepEqual(
    r.rules.filter((x) => x.quarantined).map((x) => x.rule),
    ["events.bad_timestamp"],
  );
  r.close();
});

test("a caller's connection receives events, items and users and no staging tables", async () => {
  const baseDir = dirWith({ "log.csv": "user,item,event,ts\nu1,a,view,1\n" });
  const db = await openDuckDB();
  const r = await ingest(
    { name: "c", baseDir, events: [{ path: "log.csv", columns: cols }] },
    { out: out(), conn: db.conn },
  );
  assert.equal(r.conn, db.conn);
  const tables = await queryRows(db.conn, "SELECT table_name FROM duckdb_tables() ORDER BY 1");
  assert.deepEqual(
    tables.map((t) => t.table_name),
    ["events", "items", "users"],
  );
  db.close();
});

test("config mistakes are SR_ERR_CONFIG / SR_ERR_UNKNOWN_PRESET with the reason", async () => {
  const baseDir = dirWith({ "log.txt": "u1 a\n", "log.csv": "user,item\nu1,a\n" });
  const cases: [IngestSpecInput, string, string][] = [
    [{ name: "x", baseDir, events: [{ path: "log.txt", columns: cols }] }, "SR_ERR_CONFIG", 'set "format"'],
    [
      { name: "x", baseDir, events: [{ path: "log.csv", columns: { user: "user" } }] },
      "SR_ERR_CONFIG",
      'map the "item" column',
    ],
    [
      {
        name: "x",
        baseDir,
        events: [{ path: "log.csv", columns: { user: "user", item: "item", typo: "x" } }],
      } as never,
      "SR_ERR_CONFIG",
      "typo",
    ],
    [
      {
        name: "x",
        baseDir,
        events: [{ path: "log.csv", columns: { user: "user", item: "item" } }],
        cleaning: { eventTypes: ["buy"] },
      },
      "SR_ERR_CONFIG",
      'eventType "interaction" is not in cleaning.eventTypes',
    ],
    [
      {
        name: "x",
        baseDir,
        events: [{ path: "log.txt", format: "csv", header: false, columns: { user: "a", item: "b" } }],
      },
      "SR_ERR_CONFIG",
      "columnNames",
    ],
  ];
  for (const [spec, code, part] of cases) {
    await assert.rejects(ingest(spec, { out: out() }), (e: unknown) => {
      assert.ok(e instanceof SeqrankError && e.code === code && e.message.includes(part), String(e));
      return true;
    });
  }
  assert.throws(() => presetSpec("amazon-beuty"), /SR_ERR_UNKNOWN_PRESET|unknown preset "amazon-beuty"/);
});
