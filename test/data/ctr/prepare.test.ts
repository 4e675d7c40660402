// The built-in CTR protocols are prepare configs (src/data/ctr/movielens.ts, taobao.ts) that go through the
// DuckDB stage like any shop's log. Until the change that made them so, hand-written readers produced these
// tables; a test (in that commit) compared the two row for row, column for column. What stays pinned here:
// the counts, a few spot values and the sha256 of each table, all equal to the old readers' output.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { readCtrTable } from "../../../src/data/ctr/ctr-cache.js";
import { type RawCtrData, rowsOf, TEST, TRAIN, VALID } from "../../../src/data/ctr/ctr-data.js";
import { loadCtrDataset } from "../../../src/data/ctr/load.js";
import { movielens1mCtrSpec } from "../../../src/data/ctr/movielens.js";
import { prepareCtr } from "../../../src/data/ctr/prepare-ctr.js";
import { taobaoCtrSpec } from "../../../src/data/ctr/taobao.js";
import type { IngestSpecInput } from "../../../src/data/source.js";
import { ctrChecksum } from "../../helpers/ctr-checksum.js";
import { datasetsDir } from "../../helpers/datasets.js";

const ml = join(datasetsDir, "movielens-1m");

/** Prepared afresh (not from the cache), as `seqrank prepare` does. */
async function prepared(spec: IngestSpecInput): Promise<RawCtrData> {
  const out = mkdtempSync(join(tmpdir(), "sr-ctr-prep-"));
  await prepareCtr(spec, { out });
  return readCtrTable(out).data;
}

const value = (d: RawCtrData, name: string, at: number) => d.columns.find((c) => c.name === name)!.values[at];

function assertCounts(d: RawCtrData, rows: number, users: number, items: number, split: number[]): void {
  assert.deepEqual([d.user.length, d.nUsers, d.nItems], [rows, users, items]);
  assert.deepEqual(
    [TRAIN, VALID, TEST].map((p) => rowsOf(d, p).length),
    split,
  );
}

const positives = (d: RawCtrData) =>
  Object.fromEntries(Object.entries(d.labels).map(([t, l]) => [t, l.reduce((a, b) => a + b, 0)]));

test("movielens-1m, threshold protocol with liked/disliked histories: the old reader's table", async () => {
  const d = await prepared(movielens1mCtrSpec(ml));
  assertCounts(d, 1_000_209, 6040, 3706, [800_167, 100_021, 100_021]);
  assert.deepEqual(positives(d), { click: 348_971 + 226_310 });
  // Row 12345: user 93 rated movie 2288 (The Thing, 1982) 3, a negative, in the validation part.
  assert.deepEqual(
    [d.user[12345], d.item[12345], d.split[12345], d.labels.click[12345]],
    [92, 977, VALID, 0],
  );
  assert.deepEqual(
    [value(d, "user_id", 92), value(d, "gender", 92), value(d, "age", 92), value(d, "item_id", 977)],
    ["93", "M", "25", "2288"],
  );
  assert.deepEqual(value(d, "genres", 977), ["Action", "Horror", "Sci-Fi", "Thriller"]);
  assert.equal(value(d, "year", 977), 1982);
  assert.deepEqual((value(d, "liked", 92) as string[]).slice(0, 3), ["610", "589", "2528"]);
  assert.equal(ctrChecksum(d), "33b9357efbdff6dcb5896a3278a7f6386a036c59f018eced123edb46c124b181");
});

test("movielens-1m, recbole protocol: rating-3 rows filtered before the split, no zip, no histories", async () => {
  const d = await prepared(movielens1mCtrSpec(ml, { protocol: "recbole", historyLen: 0 }));
  assertCounts(d, 739_012, 6040, 3668, [591_210, 73_901, 73_901]);
  assert.deepEqual(positives(d), { click: 348_971 + 226_310 });
  assert.deepEqual(
    d.columns.map((c) => c.name),
    ["user_id", "gender", "age", "occupation", "item_id", "genres", "year"],
  );
  assert.equal(ctrChecksum(d), "cb5fd77cb2f80c9ce2d7656182284bde421a00ab54a5eaeab331003fe35a286b");
});

test("taobao: user-item pairs, cart/buy labels, pv histories newest first, Beijing hour and weekday", async () => {
  const d = await prepared(taobaoCtrSpec(join(datasetsDir, "taobao-userbehavior-sample")));
  assertCounts(d, 63_831, 814, 55_233, [51_065, 6_383, 6_383]);
  assert.deepEqual(positives(d), { cart: 4358, buy: 1671 });
  const r = 12345;
  assert.deepEqual(
    ["user_id", "item_id", "category"].map((f) => value(d, f, f === "user_id" ? d.user[r] : d.item[r])),
    ["1000723", "2824566", "2578647"],
  );
  assert.deepEqual(
    ["hour", "weekday", "pv_before"].map((f) => value(d, f, r)),
    ["21", "5", 110],
  );
  assert.deepEqual((value(d, "hist_items", r) as string[]).slice(0, 3), ["3937655", "4239673", "4387078"]);
  assert.equal(ctrChecksum(d), "cd65bdf25420ec4b840f59cdaede326401c0329e68a9b91b54cfe117b7891b60");
});

test("a built-in name loads the same table through the cached prepare", async () => {
  const d = await loadCtrDataset("taobao-userbehavior-sample", { datasetsDir });
  assert.equal(ctrChecksum(d), "cd65bdf25420ec4b840f59cdaede326401c0329e68a9b91b54cfe117b7891b60");
  await assert.rejects(
    () => loadCtrDataset("taobao-userbehavior-sample", { datasetsDir, historyLen: 0 }),
    /SR_ERR_CONFIG|historyLen/,
  );
});
