// Every next-item model the CLI trains exports and serves with the scores it has offline. Each variant is
// trained for one short epoch on the first few hundred real users (movielens-100k; the taobao sample, whose
// view/fav/cart/buy events carry types and times, for event-type / time-gap context), exported, loaded
// through the service's model loader, and the served top-10 (user vector from the served encoder · served
// item vectors) for real test histories is compared with the model's own score graph on the same histories:
// SASRec with each loss, with segments under each pool, with event-type / time-gap context, with side
// information and a title tower (amazon-beauty, whose items carry titles and attributes), BERT4Rec, GRU4Rec,
// BPR-MF.
// Pop and ItemKNN have no encoder: they export as baseline versions (test/serve/baseline-export.test.ts).
// A graph with an input its feed spec cannot fill is refused at export.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  exportServingModel,
  type HistoryEvents,
  loadServingModel,
  readManifest,
} from "../../src/artifact/index.js";
import { loadDataset } from "../../src/data/index.js";
import { readVocabTsv } from "../../src/data/vocab.js";
import { BuildContext } from "../../src/graph/context.js";
import { Graph } from "../../src/graph/graph.js";
import { ParamStore } from "../../src/graph/param-store.js";
import { Runner } from "../../src/graph/session.js";
import * as o from "../../src/graph/tensor-ops.js";
import type { ModelFactory, SequenceRecommender } from "../../src/models/model.js";
import { NEURAL_MODELS } from "../../src/models/registry.js";
import { sasrec } from "../../src/models/sasrec.js";
import { recommender } from "../../src/serve/plugins/recommender.js";
import { sequenceEvents } from "../../src/serve/recommender/history-events.js";
import type { RecommenderService } from "../../src/serve/recommender/service.js";
import type { StoredEvent } from "../../src/serve/storage/event-log.js";
import { fit } from "../../src/train/fit.js";
import { modelDataOf, type TrainData } from "../../src/train/train-data.js";
import { firstUsers, preparedDataset } from "../helpers/prepared.js";
import { tempDir, testApp, WRITE } from "./helpers.js";

const USERS = 300;
const CHECKED = 8;
const K = 10;
const movielens = firstUsers("movielens-100k", USERS);
const taobaoDir = preparedDataset("taobao-userbehavior-sample");
const taobao = firstUsers("taobao-userbehavior-sample", USERS);
const taobaoTypes = loadDataset(taobaoDir).eventTypes;
const beautyDir = preparedDataset("amazon-beauty");
const beauty = firstUsers("amazon-beauty", USERS);
const out = tempDir("export-matrix");
after(() => out.remove());

/** Indices of the k highest scores of one row (item 0, padding, excluded), best first. */
function topK(scores: Float32Array, k: number): number[] {
  const ids = Array.from({ length: scores.length - 1 }, (_, i) => i + 1);
  return ids.sort((a, b) => scores[b] - scores[a] || a - b).slice(0, k);
}

/** Offline: the model's full score graph [B, nItems + 1] on its own scoreFeeds. */
async function offlineScores(
  model: SequenceRecommender,
  histories: Int32Array[],
  data?: TrainData,
): Promise<Float32Array[]> {
  const scores = model.buildScoreGraph(new BuildContext(new Graph(), model.store, false));
  const runner = await Runner.create({ scores }, model.store, { threads: 1 });
  const contexts = data && histories.map((h) => contextOf(data, h));
  const flat = (await runner.run(model.scoreFeeds(histories, contexts))).scores.data as Float32Array;
  await runner.release();
  const w = model.nItems + 1;
  return histories.map((_, b) => flat.slice(b * w, (b + 1) * w));
}

/** Served: the loaded encoder's user vectors against the exported item vectors. */
function servedScores(vectors: Float32Array, dim: number, user: Float32Array): Float32Array {
  const n = vectors.length / dim;
  const s = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let dot = 0;
    for (let j = 0; j < dim; j++) dot += user[j] * vectors[i * dim + j];
    s[i] = dot;
  }
  return s;
}

/** The dataset's context of one of its test histories. */
const contextOf = (data: TrainData, h: Int32Array) => data.test.contexts?.[data.test.histories.indexOf(h)];

/** The stored events of a history as the service passes them (type names, unix ms). */
function eventsOf(data: TrainData, h: Int32Array): HistoryEvents | undefined {
  const c = contextOf(data, h);
  return c && { types: Array.from(c.events, (e) => taobaoTypes[e]), ts: Array.from(c.ts, (s) => s * 1000) };
}

/** Test histories: the longest of the first users' (long enough to fill several segments) and a 1-item one. */
function checkedHistories(data: TrainData): Int32Array[] {
  const byLength = [...data.test.histories].sort((a, b) => b.length - a.length);
  return [...byLength.slice(0, CHECKED - 1), byLength[byLength.length - 1]];
}

const CONTEXT = "SASRec + event-type and time-gap context (taobao)";

interface Variant {
  factory: ModelFactory<unknown>;
  config: object;
  data: TrainData;
  /** Builders recorded in model.json beyond item ids. */
  builders: string[];
  /** The dataset's token vocabulary, for a model with a title tower. */
  tokensTsv?: string;
}

const SASREC_BUILDERS = ["positions", "padding-mask", "causal-mask", "last-position"];
const sasrecWith = (config: object, builders = SASREC_BUILDERS): Variant => ({
  factory: NEURAL_MODELS.sasrec,
  config: { dim: 16, maxLen: 20, blocks: 1, ...config },
  data: movielens,
  builders,
});

const VARIANTS: Record<string, Variant> = {
  "SASRec-CE": {
    factory: NEURAL_MODELS.sasrec,
    config: { dim: 16, maxLen: 20, blocks: 1 },
    data: movielens,
    builders: ["positions", "padding-mask", "causal-mask", "last-position"],
  },
  "SASRec-sampled": sasrecWith({ loss: { kind: "sampled", negatives: 32 } }),
  "SASRec-gBCE": sasrecWith({ loss: { kind: "gbce", negatives: 32 } }),
  "SASRec-BCE": sasrecWith({ loss: { kind: "bce" } }),
  ...Object.fromEntries(
    (["mean", "last", "attention"] as const).map((pool) => [
      `SASRec + segments (${pool} pool)`,
      // The last pool takes the newest segment, always there: it reads no mask.
      sasrecWith(
        { maxLen: 10, segments: { count: 3, pool } },
        pool === "last" ? SASREC_BUILDERS : [...SASREC_BUILDERS, "segment-mask"],
      ),
    ]),
  ),
  "SASRec + side information and title tower (amazon-beauty)": {
    ...sasrecWith({ side: { attributes: true, title: true } }),
    data: beauty,
    tokensTsv: join(beautyDir, "tokens.tsv"),
  },
  [CONTEXT]: {
    factory: NEURAL_MODELS.sasrec,
    config: { dim: 16, maxLen: 20, blocks: 1, context: { events: true, timeGaps: true } },
    data: taobao,
    builders: ["positions", "padding-mask", "causal-mask", "last-position", "event-types", "time-gaps"],
  },
  BERT4Rec: {
    factory: NEURAL_MODELS.bert4rec,
    config: { dim: 16, maxLen: 20, blocks: 1 },
    data: movielens,
    builders: ["positions", "padding-mask", "last-position"],
  },
  GRU4Rec: { factory: NEURAL_MODELS.gru4rec, config: { dim: 16, maxLen: 20 }, data: movielens, builders: [] },
  "BPR-MF": {
    factory: NEURAL_MODELS.bprmf,
    config: { dim: 16, maxLen: 20 },
    data: movielens,
    builders: ["history-scale"],
  },
};

const trainedModels = new Map<string, Promise<SequenceRecommender>>();
/** The variant trained for one epoch (once per test process). */
function trained(name: string): Promise<SequenceRecommender> {
  let model = trainedModels.get(name);
  if (!model) {
    const v = VARIANTS[name];
    const m = v.factory.create(
      v.factory.configSchema.parse(v.config),
      modelDataOf(v.data),
      new ParamStore(5),
    );
    model = fit(m, v.data, { epochs: 1, lr: 3e-3, threads: 1 }).then(() => m);
    trainedModels.set(name, model);
  }
  return model;
}

for (const [name, v] of Object.entries(VARIANTS)) {
  test(`${name}: trained one epoch, exported and served, its top-${K} equals offline scoring`, async () => {
    const model = await trained(name);
    const dir = join(out.path, name.replace(/[^A-Za-z0-9]+/g, "-"));
    await exportServingModel(model, dir, { version: "v1", eventTypes: taobaoTypes, tokensTsv: v.tokensTsv });
    const manifest = readManifest(dir);
    assert.deepEqual(
      manifest.encoder.inputs.map((i) => i.builder).sort(),
      ["item-ids", ...v.builders].sort(),
      "model.json records every encoder input with its builder",
    );
    const served = await loadServingModel(dir);
    try {
      const histories = checkedHistories(v.data);
      const offline = await offlineScores(model, histories, v.data);
      for (const [b, h] of histories.entries()) {
        const user = await served.encodeUser(h, eventsOf(v.data, h));
        const online = servedScores(served.itemVectors, served.dim, user);
        assert.deepEqual(topK(online, K), topK(offline[b], K), `history ${b} (${h.length} items)`);
      }
    } finally {
      await served.dispose?.();
    }
  });
}

/** A SASRec whose score graph reads one more input than its feed spec fills. */
function withExtraInput(inner: SequenceRecommender, input: string): SequenceRecommender {
  return {
    name: inner.name,
    nItems: inner.nItems,
    store: inner.store,
    maxLen: inner.maxLen,
    feedSpec: inner.feedSpec,
    buildTrainGraph: (ctx) => inner.buildTrainGraph(ctx),
    trainFeeds: (seqs, rng, contexts) => inner.trainFeeds(seqs, rng, contexts),
    scoreFeeds: (h, contexts) => inner.scoreFeeds(h, contexts),
    buildScoreGraph: (ctx) => {
      const scores = inner.buildScoreGraph(ctx);
      // The user rows scaled by an input nothing fills, keeping MatMul(user, Transpose(table)) at the end.
      const [user, transposed] = scores.node.inputs;
      const scaled = o.mul(user, ctx.g.input(input, ctx.g.floatType, ["batch", 1]));
      return o.matmul(scaled, transposed.node.inputs[0], { transB: true });
    },
  };
}

test("export refuses a graph with an input the feed spec cannot account for, naming the input", async () => {
  const cfg = sasrec.configSchema.parse({ dim: 8, maxLen: 10, blocks: 1 });
  const inner = sasrec.create(cfg, { nItems: movielens.nItems, maxSeqLen: 50 }, new ParamStore(1));
  for (const input of ["user_age", "segment_mask", "event_ids"]) {
    await assert.rejects(
      exportServingModel(withExtraInput(inner, input), join(out.path, `refused-${input}`), { version: "v1" }),
      (err: Error & { code?: string }) =>
        err.code === "SR_ERR_MODEL_EXPORT" && err.message.includes(`'${input}'`),
    );
  }
});

test("a model whose graph reads event types is not exported without the dataset's event-type names", async () => {
  await assert.rejects(
    exportServingModel(await trained(CONTEXT), join(out.path, "no-types"), { version: "v1" }),
    (err: Error & { code?: string }) =>
      err.code === "SR_ERR_MODEL_EXPORT" && /event-type names/.test(err.message),
  );
});

/** The context variant exported with the taobao item ids, and one real history of it with its events as posted. */
async function contextService(name: string, user: string) {
  const dir = join(out.path, name);
  await exportServingModel(await trained(CONTEXT), dir, {
    version: "v1",
    eventTypes: taobaoTypes,
    itemsTsv: join(taobaoDir, "items.tsv"),
  });
  const rawIds = readVocabTsv(join(taobaoDir, "items.tsv")).values;
  const h = checkedHistories(VARIANTS[CONTEXT].data).find((x) => x.length <= 40)!;
  const events = eventsOf(VARIANTS[CONTEXT].data, h)!;
  const payload = {
    events: Array.from(h, (item, i) => ({
      user_id: user,
      item_id: rawIds[item],
      type: events.types[i],
      ts: events.ts[i],
    })),
  };
  return { dir, h, events, payload };
}

test("the service feeds a context model its users' live event types and times: served top-10 = offline", async () => {
  const model = await trained(CONTEXT);
  const { dir, h, events, payload } = await contextService("context-service", "matrix-live-user");
  let service: RecommenderService | undefined;
  const app = await testApp(
    { dataDir: taobaoDir },
    { plugins: [recommender({ modelDir: dir, pollMs: 0, onReady: (s) => (service = s) })] },
  );
  const loaded = await loadServingModel(dir);
  try {
    const res = await app.inject({ method: "POST", url: "/v1/events", headers: WRITE, payload });
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(service);
    const { history } = await service.recommendFor("matrix-live-user", { k: K });
    assert.deepEqual([...history], [...h], "the stored sequence is the history in the model's ids");
    // No pseudonymisation here: the store files the user under its id.
    const cached = await service.userVectors.get("matrix-live-user", history);
    assert.ok(cached);
    assert.deepEqual(cached, await loaded.encodeUser(h, events), "encoded with the stored types and times");
    assert.notDeepEqual(cached, await loaded.encodeUser(h), "not as unknown context");
    const [offline] = await offlineScores(model, [h], VARIANTS[CONTEXT].data);
    assert.deepEqual(topK(servedScores(loaded.itemVectors, loaded.dim, cached), K), topK(offline, K));
  } finally {
    await loaded.dispose?.();
    await app.close();
  }
});

test("after a restart, a context model's users are encoded with their stored events, not warmed without", async () => {
  const { dir, h, events, payload } = await contextService("context-restart", "restart-user");
  const db = join(out.path, "context-restart.db");
  let service: RecommenderService | undefined;
  const start = () =>
    testApp(
      { dataDir: taobaoDir, storage: { sqlitePath: db } },
      { plugins: [recommender({ modelDir: dir, pollMs: 0, onReady: (s) => (service = s) })] },
    );
  const first = await start();
  const res = await first.inject({ method: "POST", url: "/v1/events", headers: WRITE, payload });
  assert.equal(res.statusCode, 200, res.body);
  await first.close();
  const second = await start(); // its start warms the user vectors of the stored users
  const loaded = await loadServingModel(dir);
  try {
    assert.ok(service);
    await service.warm(); // the start's warm-up, finished (users it already encoded are skipped)
    const { history } = await service.recommendFor("restart-user", { k: K });
    const vector = await service.userVectors.get("restart-user", history);
    assert.deepEqual(vector, await loaded.encodeUser(h, events), "encoded with the stored types and times");
  } finally {
    await loaded.dispose?.();
    await second.close();
  }
});

test("live context lines up with the sequence: seeded items read as unknown, a backdated event at its time", () => {
  const stored = (seq: number, itemId: string, type: string, ts: number): StoredEvent => ({
    seq,
    eventId: null,
    userId: "u",
    itemId,
    type,
    ts,
    props: null,
  });
  // "s1", "s2" seeded from training data (no events); "b" arrived last but happened before "a".
  const sequence = ["s1", "s2", "b", "a"];
  const events = sequenceEvents(sequence, [stored(1, "a", "cart", 2000), stored(2, "b", "pv", 1000)]);
  assert.deepEqual(events.types, ["", "", "pv", "cart"]);
  assert.deepEqual(events.ts, [Number.NaN, Number.NaN, 1000, 2000]);
});
