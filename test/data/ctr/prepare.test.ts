// The built-in CTR protocols as prepare configs (src/data/ctr/movielens.ts, taobao.ts) go through the DuckDB
// stage like any shop's log; the tables they produce must equal what the hand-written readers produced:
// the same rows, labels, split, users, items and field values, column for column.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { readCtrTable } from "../../../src/data/ctr/ctr-cache.js";
import type { RawCtrData } from "../../../src/data/ctr/ctr-data.js";
import { movielens1mCtrSpec, readMovielens1mCtr } from "../../../src/data/ctr/movielens.js";
import { prepareCtr } from "../../../src/data/ctr/prepare-ctr.js";
import { readTaobaoCtr, taobaoCtrSpec } from "../../../src/data/ctr/taobao.js";
import type { IngestSpecInput } from "../../../src/data/source.js";
import { ctrChecksum } from "../../helpers/ctr-checksum.js";
import { datasetsDir } from "../../helpers/datasets.js";

const ml = join(datasetsDir, "movielens-1m");
const tb = join(datasetsDir, "taobao-userbehavior-sample");

async function prepared(spec: IngestSpecInput): Promise<RawCtrData> {
  const out = mkdtempSync(join(tmpdir(), "sr-ctr-prep-"));
  await prepareCtr(spec, { out });
  return readCtrTable(out).data;
}

function assertSameTable(actual: RawCtrData, expected: RawCtrData): void {
  assert.equal(actual.name, expected.name);
  assert.deepEqual([actual.nUsers, actual.nItems], [expected.nUsers, expected.nItems]);
  assert.deepEqual(actual.user, expected.user);
  assert.deepEqual(actual.item, expected.item);
  assert.deepEqual(actual.split, expected.split);
  assert.deepEqual(actual.labels, expected.labels);
  assert.deepEqual(
    actual.columns.map((c) => c.name),
    expected.columns.map((c) => c.name),
  );
  actual.columns.forEach((c, k) => {
    assert.deepEqual(c, expected.columns[k], c.name);
  });
  assert.equal(ctrChecksum(actual), ctrChecksum(expected));
}

test("movielens-1m, threshold protocol with liked/disliked histories: the prepared table is the old reader's", async () => {
  assertSameTable(await prepared(movielens1mCtrSpec(ml)), readMovielens1mCtr(ml));
});

test("movielens-1m, recbole protocol without histories: the prepared table is the old reader's", async () => {
  const opts = { protocol: "recbole", historyLen: 0 } as const;
  assertSameTable(await prepared(movielens1mCtrSpec(ml, opts)), readMovielens1mCtr(ml, opts));
});

test("taobao, user-item pairs with cart/buy labels and pv histories: the prepared table is the old reader's", async () => {
  assertSameTable(await prepared(taobaoCtrSpec(tb)), readTaobaoCtr(tb));
});
