import assert from "node:assert/strict";
import { test } from "node:test";
import { ParamStore, Rng } from "../../src/graph/index.js";
import { bert4rec, maskedItemFeeds } from "../../src/models/bert4rec.js";
import { beautyTrainData, fitOnBeauty } from "./beauty-fit.js";
import { runGraphs } from "./model-graphs.js";

const ints = (t: { data: unknown }) => Array.from(t.data as BigInt64Array, Number);

test("masking: rate, [MASK] id, targets only at masked positions, at least one per sequence", () => {
  const maskId = 1001;
  const rng = new Rng(5);
  const seqs = Array.from({ length: 400 }, (_, r) =>
    Int32Array.from({ length: 2 + (r % 30) }, (_, j) => 1 + ((r * 7 + j) % 1000)),
  );
  const maxLen = 20;
  const feeds = maskedItemFeeds(seqs, maxLen, 0.2, maskId, rng);
  const [b, len] = feeds.items.dims;
  assert.deepEqual([b, len], [400, maxLen]);
  const items = ints(feeds.items);
  const at = ints(feeds.loss_at);
  const targets = ints(feeds.targets);
  assert.equal(at.length, targets.length);
  const masked = new Set(at);
  let real = 0;
  let lastMasked = 0;
  for (let r = 0; r < b; r++) {
    const s = seqs[r].subarray(Math.max(0, seqs[r].length - maxLen));
    const start = len - s.length;
    let rowMasked = 0;
    for (let t = 0; t < len; t++) {
      const p = r * len + t;
      if (t < start) {
        assert.equal(items[p], 0, "left padding");
        assert.ok(!masked.has(p), "padding is never a target");
        continue;
      }
      real++;
      if (masked.has(p)) {
        rowMasked++;
        assert.equal(items[p], maskId);
        if (t === len - 1) lastMasked++;
      } else assert.equal(items[p], s[t - start], "unmasked items are kept");
    }
    assert.ok(rowMasked >= 1, `row ${r} has a masked position`);
  }
  // Each target is the original item at its masked position.
  at.forEach((p, k) => {
    const r = Math.floor(p / len);
    const s = seqs[r].subarray(Math.max(0, seqs[r].length - maxLen));
    assert.equal(targets[k], s[(p % len) - (len - s.length)]);
  });
  // 0.2 of ~5,000 real positions, plus the forced mask of rows that drew none (0.8^n of short rows).
  const rate = at.length / real;
  assert.ok(rate > 0.19 && rate < 0.25, `mask rate ${rate}`);
  assert.ok(lastMasked > 50 && lastMasked < 130, `last position masked in ${lastMasked} rows`);
});

test("graphs: scalar loss ≈ ln(nItems + 1) at init, scores [B, nItems + 1] read at an appended [MASK]", async () => {
  const nItems = 30;
  const model = bert4rec.create(
    bert4rec.configSchema.parse({ maxLen: 8 }),
    { nItems, maxSeqLen: 12 },
    new ParamStore(3),
  );
  const seqs = [Int32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), Int32Array.of(4, 5)];
  const histories = [Int32Array.of(3), Int32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), Int32Array.of(7, 7)];
  const r = await runGraphs(model, seqs, histories);
  assert.deepEqual(r.lossShape, []);
  assert.deepEqual(r.scoreShape, ["batch", nItems + 1]);
  assert.deepEqual(r.scoreDims, [3, nItems + 1]);
  assert.ok(Math.abs(r.loss - Math.log(nItems + 1)) < 0.1, `initial loss ${r.loss}`);
  assert.ok(r.scores.every(Number.isFinite));
  // The score feeds keep maxLen − 1 items and end every row with [MASK].
  const feeds = model.scoreFeeds(histories);
  assert.deepEqual(feeds.items.dims, [3, 8]);
  const items = ints(feeds.items);
  assert.deepEqual(items.slice(8, 16), [4, 5, 6, 7, 8, 9, 10, nItems + 1]);
  assert.deepEqual(items.slice(16), [0, 0, 0, 0, 0, 7, 7, nItems + 1]);
});

test("amazon-beauty: 2 epochs on 3,000 sequences beat Pop's valid NDCG@10 by 1.5×", async () => {
  const data = await beautyTrainData(3000);
  const run = await fitOnBeauty(data, bert4rec, {}, { epochs: 2, limitSequences: 3000 });
  assert.ok(run.fit.valid["NDCG@10"] > 1.5 * run.pop.valid["NDCG@10"]);
  assert.ok(run.fit.test["NDCG@10"] > run.pop.test["NDCG@10"]);
});
