import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { buildDataset, evalTargets, historyBefore, readVocabTsv } from "../../src/data/index.js";
import { SeqrankError } from "../../src/util/errors.js";
import { loadBeauty, loadTaobao, memoryConnection, type TaobaoRow, tempDir } from "./build-tables.js";

const out = tempDir("build");
after(() => out.remove());

test("amazon-beauty leave-one-out: 22,363 test users, last two items are the targets", async () => {
  const conn = await memoryConnection();
  const sequences = await loadBeauty(conn);
  const { dataset: ds, meta } = await buildDataset(conn, { out: join(out.path, "beauty") });
  assert.equal(ds.nUsers, 22363);
  assert.equal(ds.nItems, 12101);
  assert.equal(ds.nEvents, 198502);
  assert.equal(meta.split.testUsers, 22363);
  assert.equal(meta.split.validUsers, 22363);
  assert.deepEqual(meta.eventTypes.names, ["interaction"]);
  assert.equal(meta.counts.sessions, 0, "no timestamps, no source sessions: no sessions");
  // First appearance in file order reproduces S3-Rec's own dense ids for users and items.
  const users = readVocabTsv(join(out.path, "beauty", "users.tsv"));
  const items = readVocabTsv(join(out.path, "beauty", "items.tsv"));
  for (let id = 1; id <= ds.nItems; id++) assert.equal(items.value(id), String(id));
  const test = evalTargets(ds, "test");
  const valid = evalTargets(ds, "valid");
  assert.equal(test.users.length, 22363);
  for (const [row, [user, ...seq]] of sequences.entries()) {
    const u = row + 1;
    assert.equal(users.value(u), user);
    const start = ds.offsets[u];
    assert.deepEqual(Array.from(ds.items.subarray(start, ds.offsets[u + 1]), String), seq);
    assert.equal(ds.split.trainEnd[u] - start, seq.length - 2);
    assert.equal(String(ds.items[valid.positions[row]]), seq[seq.length - 2]);
    assert.equal(String(ds.items[test.positions[row]]), seq[seq.length - 1]);
    assert.deepEqual(Array.from(historyBefore(ds, u, test.positions[row]), String), seq.slice(0, -1));
  }
});

/** Raw events of one user in the order the build must produce: by timestamp, file order within ties. */
function chronological(rows: TaobaoRow[]): Map<string, TaobaoRow[]> {
  const byUser = new Map<string, TaobaoRow[]>();
  for (const r of rows) byUser.set(r.user, [...(byUser.get(r.user) ?? []), r]);
  for (const list of byUser.values()) list.sort((a, b) => a.ts - b.ts); // stable sort keeps file order
  return byUser;
}

test("taobao: train on pv+fav+cart+buy, evaluate on buy; sessions by a 30-minute gap", async () => {
  const conn = await memoryConnection();
  const rows = await loadTaobao(conn);
  const dir = join(out.path, "taobao");
  const { dataset: ds, meta } = await buildDataset(conn, { out: dir, eventTypes: { eval: ["buy"] } });
  const byUser = chronological(rows);
  const buyers = [...byUser.values()].filter((l) => l.filter((r) => r.type === "buy").length >= 2);
  assert.equal(meta.split.testUsers, buyers.length);
  assert.equal(meta.split.validUsers, buyers.length);
  const users = readVocabTsv(join(dir, "users.tsv"));
  const items = readVocabTsv(join(dir, "items.tsv"));
  const typeCode = (name: string) => ds.eventTypes.indexOf(name);
  for (let u = 1; u <= ds.nUsers; u++) {
    const raw = byUser.get(users.value(u))!;
    const start = ds.offsets[u];
    assert.deepEqual(
      Array.from(ds.items.subarray(start, ds.offsets[u + 1]), (i) => items.value(i)),
      raw.map((r) => r.item),
    );
    const buys = raw.flatMap((r, p) => (r.type === "buy" ? [p] : []));
    if (buys.length < 2) {
      assert.equal(ds.split.trainEnd[u], ds.offsets[u + 1], "users with < 2 buys are train-only");
      continue;
    }
    assert.equal(ds.split.trainEnd[u], start + buys[buys.length - 2]);
    assert.equal(ds.split.validEnd[u], start + buys[buys.length - 1]);
    assert.equal(ds.events[ds.split.validEnd[u]], typeCode("buy"));
    // The test input history holds every earlier event, page views included.
    assert.equal(historyBefore(ds, u, ds.split.validEnd[u]).length, buys[buys.length - 1]);
  }
  // Sessions: consecutive events of a user share a session exactly when they are ≤ 1800 s apart.
  let sessions = 0;
  for (let u = 1; u <= ds.nUsers; u++) {
    for (let p = ds.offsets[u]; p < ds.offsets[u + 1]; p++) {
      const first = p === ds.offsets[u];
      const sameSession = !first && ds.ts[p] - ds.ts[p - 1] <= 1800;
      assert.equal(ds.sessions[p] === ds.sessions[p - 1], sameSession);
      if (!sameSession) sessions++;
    }
  }
  assert.equal(meta.counts.sessions, sessions);
  assert.ok(sessions > 5 * ds.nUsers, `taobao users have many sessions (${sessions})`);
});

test("source session ids take precedence over the gap rule", async () => {
  const conn = await memoryConnection();
  await loadTaobao(conn);
  // One source session per user and calendar day (UTC), whatever the gaps inside the day.
  await conn.run("UPDATE events SET session_id = user_id || '-' || (ts // 86400)::VARCHAR");
  const { dataset: ds } = await buildDataset(conn, { out: join(out.path, "taobao-days") });
  for (let u = 1; u <= ds.nUsers; u++) {
    for (let p = ds.offsets[u] + 1; p < ds.offsets[u + 1]; p++) {
      const sameDay = Math.floor(ds.ts[p] / 86400) === Math.floor(ds.ts[p - 1] / 86400);
      assert.equal(ds.sessions[p] === ds.sessions[p - 1], sameDay);
    }
  }
});

test("rows come out chronological whatever the physical order of the events table", async () => {
  const conn = await memoryConnection();
  await loadTaobao(conn);
  const { dataset: sorted } = await buildDataset(conn, { out: join(out.path, "sorted") });
  await conn.run("CREATE OR REPLACE TABLE events AS SELECT * FROM events ORDER BY hash(ord)");
  const { dataset: shuffled } = await buildDataset(conn, { out: join(out.path, "shuffled") });
  for (const key of ["offsets", "items", "events", "ts", "sessions"] as const) {
    assert.deepEqual(shuffled[key], sorted[key], key);
  }
});

test("unknown event types and empty results fail with coded errors", async () => {
  const conn = await memoryConnection();
  await loadTaobao(conn);
  await assert.rejects(
    buildDataset(conn, { out: join(out.path, "bad"), eventTypes: { eval: ["purchase"] } }),
    (e: unknown) => e instanceof SeqrankError && e.code === "SR_ERR_UNKNOWN_EVENT_TYPE",
  );
  await assert.rejects(
    buildDataset(conn, { out: join(out.path, "empty"), kCore: 10_000 }),
    (e: unknown) => e instanceof SeqrankError && e.code === "SR_ERR_EMPTY_DATASET",
  );
});
