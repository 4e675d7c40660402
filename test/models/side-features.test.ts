import assert from "node:assert/strict";
import { test } from "node:test";
import { loadDataset } from "../../src/data/cache.js";
import { BuildContext } from "../../src/graph/context.js";
import { Graph } from "../../src/graph/graph.js";
import { Rng } from "../../src/graph/init.js";
import { ParamStore } from "../../src/graph/param-store.js";
import { contextFeeds, gapBucket } from "../../src/models/context-features.js";
import { padBags } from "../../src/models/item-features.js";
import { sasrec } from "../../src/models/sasrec.js";
import { fit } from "../../src/train/fit.js";
import { modelDataOf, trainDataFrom } from "../../src/train/train-data.js";
import { preparedDataset } from "../helpers/prepared.js";

const beautyDs = loadDataset(preparedDataset("amazon-beauty"));
const beauty = trainDataFrom(beautyDs);
const taobao = trainDataFrom(loadDataset(preparedDataset("taobao-userbehavior-sample")));

test("padBags keeps each item's first attributes with mean weights", () => {
  const csr = beautyDs.features.attributes;
  const bags = padBags(csr, beautyDs.nItems, 3);
  assert.equal(bags.width, 3);
  for (const i of [1, 2, 500, beautyDs.nItems]) {
    const n = Math.min(3, csr.offsets[i + 1] - csr.offsets[i]);
    const ids = [...bags.ids.subarray(i * 3, i * 3 + n)].map(Number);
    assert.deepEqual(ids, [...csr.values.subarray(csr.offsets[i], csr.offsets[i] + n)]);
    const w = bags.weights.subarray(i * 3, i * 3 + 3).reduce((a, x) => a + x, 0);
    assert.ok(Math.abs(w - 1) < 1e-6);
  }
  assert.ok(
    bags.weights.subarray(0, 3).every((x) => x === 0),
    "padding row pools nothing",
  );
});

test("gap buckets grow on a log scale; unknown and first events have their own ids", () => {
  assert.equal(gapBucket(Number.NaN), 0);
  assert.equal(gapBucket(0), 2);
  assert.ok(gapBucket(60) < gapBucket(3600) && gapBucket(3600) < gapBucket(86_400));
  assert.equal(gapBucket(1e30), gapBucket(1e40), "capped");
});

test("context feeds line up with the item window of training and scoring feeds (taobao event types, timestamps)", () => {
  const space = taobao.contextSpace;
  assert.ok(space?.hasTimestamps && space.nEventTypes === 4);
  const at = taobao.sequences.findIndex((s) => s.length > 5 && s.length < 40);
  const seq = taobao.sequences[at];
  const ctx = taobao.sequenceContexts?.[at];
  assert.ok(ctx, "every training sequence has its context");
  assert.equal(ctx.events.length, seq.length);
  const len = seq.length + 2; // wider than the sequence: left padding
  const cfg = { events: true, timeGaps: true };
  const train = contextFeeds(cfg, [seq], [ctx], len, true);
  const events = [...(train.event_ids.data as BigInt64Array)].map(Number);
  const pad = len - (seq.length - 1);
  assert.deepEqual(events.slice(0, pad), Array(pad).fill(0));
  assert.deepEqual(
    events.slice(pad),
    [...ctx.events.subarray(0, seq.length - 1)].map((e) => e + 1),
  );
  const gaps = [...(train.gap_ids.data as BigInt64Array)].map(Number);
  assert.equal(gaps[pad], 1, "first event");
  assert.equal(gaps[pad + 1], gapBucket(ctx.ts[1] - ctx.ts[0]));
  const score = contextFeeds(cfg, [seq], [ctx], 3, false); // scoring: the last 3 events, last one included
  assert.deepEqual(
    [...(score.event_ids.data as BigInt64Array)].map(Number),
    [...ctx.events.subarray(seq.length - 3)].map((e) => e + 1),
  );
  assert.ok(
    taobao.valid.histories.every((h, i) => taobao.valid.contexts?.[i]?.events.length === h.length),
    "evaluation histories too, aligned",
  );
});

test("without side features the model has exactly plain SASRec's parameters", () => {
  const names = (data: object) => {
    const store = new ParamStore(1);
    const model = sasrec.create(sasrec.configSchema.parse({}), { ...modelDataOf(beauty), ...data }, store);
    model.buildTrainGraph(new BuildContext(new Graph(), store, true));
    return [...store.entries.keys()].sort();
  };
  assert.deepEqual(names({}), names({ itemSide: undefined, contexts: undefined }));
  assert.ok(!names({}).some((n) => /attribute|title|event|gap/.test(n)));
});

test("side features the data cannot provide are coded errors", () => {
  const make = (cfg: object, data = modelDataOf(beauty)) =>
    sasrec.create(sasrec.configSchema.parse(cfg), data, new ParamStore(1));
  assert.throws(() => make({ side: { categories: true } }), { code: "SR_ERR_SIDE_FEATURES" });
  assert.throws(() => make({ context: { timeGaps: true } }), { code: "SR_ERR_SIDE_DATA" });
  assert.throws(() => make({ side: { title: true } }, { nItems: beauty.nItems, maxSeqLen: 50 }), {
    code: "SR_ERR_SIDE_DATA",
  });
});

test("taobao: event-type, time-gap and category embeddings train with the model", async () => {
  const config = sasrec.configSchema.parse({
    maxLen: 20,
    side: { categories: true },
    context: { events: true, timeGaps: true },
  });
  const store = new ParamStore(5);
  const model = sasrec.create(config, modelDataOf(taobao), store);
  model.buildTrainGraph(new BuildContext(new Graph(), store, true));
  const before = new Map(
    ["event_emb", "gap_emb", "category_emb"].map((n) => [n, store.get(n).value.slice()]),
  );
  const feeds = model.trainFeeds(
    taobao.sequences.slice(0, 4),
    new Rng(1),
    taobao.sequenceContexts?.slice(0, 4),
  );
  assert.deepEqual(Object.keys(feeds).sort(), [
    "causal_bias",
    "event_ids",
    "gap_ids",
    "items",
    "loss_at",
    "pad_bias",
    "positions",
    "targets",
  ]);
  const r = await fit(model, taobao, { epochs: 1, batchSize: 64, limitSequences: 128, threads: 1, lr: 3e-3 });
  assert.ok(Number.isFinite(r.history[0].loss));
  for (const [name, init] of before)
    assert.notDeepEqual(store.get(name).value, init, `${name} is updated by training`);
});
