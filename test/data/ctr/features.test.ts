import assert from "node:assert/strict";
import { test } from "node:test";
import {
  encodeCtrData,
  fillSlots,
  loadCtrDataset,
  rowsOf,
  slotLayout,
  TEST,
  TRAIN,
  VALID,
} from "../../../src/data/ctr/index.js";
import type { SeqrankError } from "../../../src/util/errors.js";
import { datasetsDir } from "../../helpers/datasets.js";

const ml = await loadCtrDataset("movielens-1m", { datasetsDir });

test("movielens-1m CTR: every rating, rating ≥ 4 positive, seeded 8:1:1 split", async () => {
  assert.equal(ml.user.length, 1_000_209);
  assert.equal(ml.nUsers, 6040);
  assert.equal(ml.nItems, 3706);
  assert.equal(
    ml.labels.click.reduce((a, b) => a + b, 0),
    348_971 + 226_310,
  );
  const parts = [TRAIN, VALID, TEST].map((p) => rowsOf(ml, p).length);
  assert.deepEqual(parts, [800_167, 100_021, 100_021]);
  const again = await loadCtrDataset("movielens-1m", { datasetsDir, historyLen: 0 });
  assert.deepEqual(again.split, ml.split, "same seed, same split");
});

test("movielens-1m CTR, recbole protocol: rating-3 rows deleted before labelling and splitting, no zip", async () => {
  const rb = await loadCtrDataset("movielens-1m", { datasetsDir, protocol: "recbole", historyLen: 0 });
  assert.equal(rb.user.length, 1_000_209 - 261_197); // 739,012, RecBole's ml-1m_context row count
  assert.equal(
    rb.labels.click.reduce((a, b) => a + b, 0),
    348_971 + 226_310,
  );
  assert.deepEqual(
    rb.columns.map((c) => c.name),
    ["user_id", "gender", "age", "occupation", "item_id", "genres", "year"],
  );
  const parts = [TRAIN, VALID, TEST].map((p) => rowsOf(rb, p).length);
  assert.deepEqual(parts, [591_210, 73_901, 73_901]);
  await assert.rejects(
    () => loadCtrDataset("taobao-userbehavior-sample", { datasetsDir, protocol: "recbole" }),
    (e: SeqrankError) => e.code === "SR_ERR_CTR_DATA",
  );
});

test("histories come from training rows only and never contain the row's own movie", () => {
  const table = encodeCtrData(ml);
  const layout = slotLayout(table);
  const liked = layout.fields.find((f) => f.name === "liked")!;
  const item = layout.fields.find((f) => f.name === "item_id")!;
  assert.equal(liked.offset, item.offset, "the history shares the item ids");
  // Movies of valid/test rows the user liked must not appear in that user's liked history.
  const trainLiked = new Set<string>();
  for (const r of rowsOf(ml, TRAIN)) if (ml.labels.click[r]) trainLiked.add(`${ml.user[r]}:${ml.item[r]}`);
  const itemField = table.fields.find((f) => f.name === "item_id")!;
  const globalToItem = new Map<number, number>();
  for (let i = 0; i < ml.nItems; i++) globalToItem.set(item.offset + itemField.ids![i], i);
  const rows = rowsOf(ml, TEST).subarray(0, 2000);
  const slots = fillSlots(table, layout, rows);
  let seen = 0;
  rows.forEach((r, b) => {
    for (let s = liked.start; s < liked.start + liked.count; s++) {
      const id = Number(slots.ids[b * layout.slots + s]);
      if (id === 0) continue;
      seen++;
      const movie = globalToItem.get(id)!;
      assert.ok(
        trainLiked.has(`${ml.user[r]}:${movie}`),
        `row ${r}: history movie ${movie} is not a liked training row`,
      );
      assert.notEqual(movie, ml.item[r]);
    }
  });
  assert.ok(seen > 10_000);
  // A training row's history excludes its own movie.
  const trainRows = rowsOf(ml, TRAIN).subarray(0, 2000);
  const own = fillSlots(table, layout, trainRows);
  trainRows.forEach((r, b) => {
    const target = BigInt(item.offset + itemField.ids![ml.item[r]]);
    for (let s = liked.start; s < liked.start + liked.count; s++)
      assert.notEqual(own.ids[b * layout.slots + s], target);
  });
});

test("vocabulary: values unseen in training rows map to the out-of-vocabulary id; buckets and weights", () => {
  const table = encodeCtrData(ml, { drop: ["liked", "disliked"] });
  const itemField = table.fields.find((f) => f.name === "item_id")!;
  const inTrain = new Set(Array.from(rowsOf(ml, TRAIN), (r) => ml.item[r]));
  const unseen = [...Array(ml.nItems).keys()].filter((i) => !inTrain.has(i));
  assert.ok(unseen.length > 0);
  for (const i of unseen) assert.equal(itemField.ids![i], 1);
  assert.equal(itemField.vocab, inTrain.size + 1);
  const year = table.fields.find((f) => f.name === "year")!;
  assert.equal(year.kind, "categorical", "bucketed numeric becomes a categorical");
  assert.ok(Math.max(...year.ids!) <= year.vocab);
  const genres = table.fields.find((f) => f.name === "genres")!;
  const layout = slotLayout(table);
  const g = layout.fields.find((f) => f.name === "genres")!;
  const slots = fillSlots(table, layout, [0]);
  const weights = Array.from(slots.weights.subarray(g.start, g.start + g.count)).filter((w) => w > 0);
  assert.ok(Math.abs(weights.reduce((a, b) => a + b, 0) - 1) < 1e-6, "multi-valued weights mean-pool");
  assert.equal(genres.slots, 6);
});

test("taobao: one row per (user, item) pair, cart/buy labels, pv history strictly before the pair", async () => {
  const tb = await loadCtrDataset("taobao-userbehavior-sample", { datasetsDir });
  assert.equal(tb.user.length, 63_831);
  assert.equal(tb.nUsers, 814);
  assert.equal(
    tb.labels.cart.reduce((a, b) => a + b, 0),
    4358,
  );
  assert.equal(
    tb.labels.buy.reduce((a, b) => a + b, 0),
    1671,
  );
  const hist = tb.columns.find((c) => c.name === "hist_items")!;
  const pv = tb.columns.find((c) => c.name === "pv_before")!;
  assert.equal(hist.kind, "multi");
  assert.equal(pv.kind, "numeric");
  if (hist.kind !== "multi" || pv.kind !== "numeric") return;
  for (let r = 0; r < tb.user.length; r++) {
    assert.ok(hist.values[r].length === Math.min(30, pv.values[r]));
  }
  const table = encodeCtrData(tb);
  assert.ok((table.fields.find((f) => f.name === "pv_before")!.fitted.std as number) > 0);
  // Items seen once in training rows share the out-of-vocabulary id, so that id is trained; twice → own id.
  const counts = new Map<number, number>();
  for (const r of rowsOf(tb, TRAIN)) counts.set(tb.item[r], (counts.get(tb.item[r]) ?? 0) + 1);
  const itemIds = table.fields.find((f) => f.name === "item_id")!.ids!;
  let once = 0;
  for (const [item, c] of counts) {
    if (c === 1) once++;
    assert.equal(itemIds[item] === 1, c < 2, `item ${item} seen ${c}×`);
  }
  assert.ok(once > counts.size / 2, "most taobao items occur in one training row");
});

test("a constant numeric column is left unscaled, not divided by its rounding-noise variance", () => {
  // log1p(9) repeated: its computed variance is ~1e-31, not 0 (the served re-ranker once saw ±1e15 weights).
  const rows = 50;
  const table = encodeCtrData({
    name: "constant",
    user: new Int32Array(rows),
    item: new Int32Array(rows),
    nUsers: 1,
    nItems: 1,
    labels: { click: new Uint8Array(rows) },
    split: new Uint8Array(rows),
    columns: [
      {
        name: "history_length",
        kind: "numeric",
        key: "row",
        group: "user",
        transform: "log-standardize",
        values: new Float64Array(rows).fill(9),
      },
    ],
  });
  const weights = table.fields[0].weights!;
  assert.ok(
    weights.every((w) => Math.abs(w) < 1e-6),
    `weights ${weights[0]}`,
  );
  assert.equal(table.fields[0].numeric?.std, 1);
});
