// `npm run bench -- int8 [--run runs/beauty-sasrec-ce-side] [--calls 2000] [--batches 30]`: the int8 options of
// serving on a trained amazon-beauty SASRec run, all in one run:
//   1. the run exported three ways (float32, int8 = dynamic activations + int8 weights, int8-weights = weight
//      only), item vectors identical (float32);
//   2. test NDCG@10 / HR@10 over every test user, full ranking with seen items masked: each encoder with exact
//      float32 item vectors, and each with the ANN index (usearch HNSW) over f32 or int8 item vectors (the top
//      10 unseen items it returns);
//   3. the cosine of int8 and float32 user vectors over every test user;
//   4. encoder latency per call: median over `calls` single users (batch 1) and over `batches` batches of 256
//      users, real test histories, the three encoders interleaved round by round.
// Last stdout line: one JSON object.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ort from "onnxruntime-node";
import { ENCODER_FILE, exportServingModel, readManifest } from "../src/artifact/index.js";
import { type EvalData, evaluateFullRanking } from "../src/eval/index.js";
import { Graph } from "../src/graph/graph.js";
import { Runner, tensor } from "../src/graph/session.js";
import * as o from "../src/graph/tensor-ops.js";
import { historyFeeds } from "../src/models/history-feeds.js";
import { ItemIndex } from "../src/retrieval/index.js";
import { loadRun } from "../src/train/run-dir.js";
import { printResultLine } from "../src/util/result-line.js";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const runDir = arg("run", "runs/beauty-sasrec-ce-side");
const CALLS = Number(arg("calls", "2000"));
const BATCHES = Number(arg("batches", "30"));
const BATCH = 256;
const VARIANTS = ["none", "int8", "int8-weights"] as const;
type Variant = (typeof VARIANTS)[number];

const round = (x: number, d = 5) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const { model, data, datasetDir, run } = loadRun(runDir);
const work = join(".tmp", "bench-int8");
const encoders = new Map<Variant, ort.InferenceSession>();
for (const v of VARIANTS) {
  const dir = join(work, v);
  await exportServingModel(model, dir, {
    version: v,
    itemsTsv: join(datasetDir, "items.tsv"),
    tokensTsv: join(datasetDir, "tokens.tsv"),
    quantize: v === "none" ? undefined : v,
  });
  // The service's session settings (src/artifact/onnx-model.ts): one intra-op thread.
  encoders.set(
    v,
    await ort.InferenceSession.create(join(dir, ENCODER_FILE), {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: "all",
    }),
  );
}
const { dim, nItems, feeds } = readManifest(join(work, "none"));

/** User vectors [histories.length, dim] from one encoder run (the serving encoder's feeds). */
async function encode(v: Variant, histories: readonly Int32Array[]): Promise<Float32Array> {
  const session = encoders.get(v)!;
  return (await session.run(historyFeeds(feeds, histories))).user.data as Float32Array;
}

// Item vectors exactly as exported (row 0 padding), and a scorer graph users × itemsᵀ on ONNX Runtime.
const itemVectors = new Float32Array(readFileSync(join(work, "none", "item_vectors.f32")).buffer.slice(0));
const g = new Graph();
const u = g.input("u", "float32", ["batch", dim]);
const table = g.constant(itemVectors, [nItems + 1, dim]);
const scorer = await Runner.create({ scores: o.matmul(u, table, { transB: true }) }, undefined, {
  threads: 1,
});

const test: EvalData = data.test;
const exactScorer = (v: Variant) => async (rows: Int32Array, out: Float32Array) => {
  const users = await encode(
    v,
    Array.from(rows, (r) => test.histories[r]),
  );
  const s = (await scorer.run({ u: tensor(users, [rows.length, dim]) })).scores.data as Float32Array;
  out.set(s);
};

/** Scores only what the ANN index returns (10 + history length, so ≥ 10 unseen); −∞ elsewhere. */
const annScorer = (v: Variant, index: ItemIndex) => async (rows: Int32Array, out: Float32Array) => {
  const users = await encode(
    v,
    Array.from(rows, (r) => test.histories[r]),
  );
  out.fill(Number.NEGATIVE_INFINITY);
  rows.forEach((r, i) => {
    const hits = index.search(users.subarray(i * dim, (i + 1) * dim), 10 + test.histories[r].length);
    hits.items.forEach((item, j) => {
      out[i * (nItems + 1) + item] = hits.scores[j];
    });
  });
};

const out: Record<string, number | string> = {
  run: runDir,
  run_test_ndcg10: round(run.test["NDCG@10"]),
  users: test.targets.length,
};
const quality = async (name: string, s: Parameters<typeof evaluateFullRanking>[0]) => {
  const r = await evaluateFullRanking(s, test, { metrics: ["NDCG", "HR"], ks: [10] });
  out[`${name}_ndcg10`] = round(r.metrics["NDCG@10"]);
  out[`${name}_hr10`] = round(r.metrics["HR@10"]);
  console.log(`${name}: NDCG@10 ${r.metrics["NDCG@10"].toFixed(4)} HR@10 ${r.metrics["HR@10"].toFixed(4)}`);
};
const indexes = {
  f32: ItemIndex.build(itemVectors, dim, { quantization: "f32", threads: 2 }),
  i8: ItemIndex.build(itemVectors, dim, { quantization: "i8", threads: 2 }),
};
for (const v of VARIANTS) {
  const enc = v === "none" ? "fp32" : v;
  await quality(`${enc}_exact`, exactScorer(v));
  for (const [kind, index] of Object.entries(indexes))
    await quality(`${enc}_ann_${kind}`, annScorer(v, index));
}

// Cosine of each int8 variant's user vector with float32's, over every test user (batches of 256).
for (const v of ["int8", "int8-weights"] as const) {
  const cos: number[] = [];
  for (let first = 0; first < test.histories.length; first += BATCH) {
    const batch = test.histories.slice(first, first + BATCH);
    const [a, b] = [await encode("none", batch), await encode(v, batch)];
    for (let r = 0; r < batch.length; r++) {
      let [ab, aa, bb] = [0, 0, 0];
      for (let d = r * dim; d < (r + 1) * dim; d++) {
        ab += a[d] * b[d];
        aa += a[d] * a[d];
        bb += b[d] * b[d];
      }
      cos.push(ab / Math.sqrt(aa * bb));
    }
  }
  out[`${v}_cosine_min`] = round(Math.min(...cos), 6);
  out[`${v}_cosine_median`] = round(median(cos), 6);
}

// Latency: the three encoders interleaved, 10 rounds each of calls/10 single users and batches/10 batches.
const single = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
const batched = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
const histories = test.histories;
for (const v of VARIANTS) await encode(v, histories.slice(0, BATCH)); // warm-up
for (let round_ = 0; round_ < 10; round_++) {
  for (const v of VARIANTS) {
    for (let c = 0; c < CALLS / 10; c++) {
      const h = histories[(round_ * CALLS) / 10 + c];
      const t0 = performance.now();
      await encode(v, [h]);
      single.get(v)!.push(performance.now() - t0);
    }
    for (let b = 0; b < BATCHES / 10; b++) {
      const start = ((round_ * BATCHES) / 10 + b) * BATCH;
      const batch = Array.from({ length: BATCH }, (_, i) => histories[(start + i) % histories.length]);
      const t0 = performance.now();
      await encode(v, batch);
      batched.get(v)!.push(performance.now() - t0);
    }
  }
}
for (const v of VARIANTS) {
  const enc = v === "none" ? "fp32" : v;
  out[`${enc}_batch1_median_ms`] = round(median(single.get(v)!), 4);
  out[`${enc}_batch256_median_ms`] = round(median(batched.get(v)!), 2);
  out[`${enc}_batch256_per_user_us`] = round((median(batched.get(v)!) / BATCH) * 1000, 1);
}
for (const v of ["int8", "int8-weights"] as const) {
  out[`${v}_speedup_batch1`] = round(median(single.get("none")!) / median(single.get(v)!), 2);
  out[`${v}_speedup_batch256`] = round(median(batched.get("none")!) / median(batched.get(v)!), 2);
}
for (const s of encoders.values()) await s.release();
await scorer.release();
printResultLine(out);
