// Engine benchmark: a SASRec training step (d=64, 2 blocks, 1 head, dropout 0.1, full-softmax CE over
// amazon-beauty's 12,102 item rows, Adam) compiled to one ONNX graph, through the trainer's own path. Measures a
// full amazon-beauty epoch (175 random batches of 128 real training sequences, each encoded as 3 length streams),
// the same epoch with each batch as one padded block (the in-run baseline), length-sorted batches for reference,
// a dense batch-128 × length-50 step, and a 1024³ matmul ceiling.
// Flags: --threads N, --profile (writes an ORT trace and prints time by op type), --epochs N (default 2, median).
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BuildContext } from "../src/graph/context.js";
import { Graph } from "../src/graph/graph.js";
import { Rng } from "../src/graph/init.js";
import { ParamStore } from "../src/graph/param-store.js";
import { Runner, TrainStep, tensor } from "../src/graph/session.js";
import * as o from "../src/graph/tensor-ops.js";
import { sasrec } from "../src/models/sasrec.js";
import { lengthBucketedBatches } from "../src/train/batching.js";
import { printResultLine } from "../src/util/result-line.js";
import { latestProfile, profileByOpType } from "./profile.js";

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const threads = option("threads", cpus().length);
const epochs = option("epochs", 2);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const datasets = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "shared", "datasets");
/** amazon-beauty training sequences (each user's items without the validation and test items). */
function beautyTrainSequences(): { seqs: Int32Array[]; nItems: number } {
  const seqs: Int32Array[] = [];
  let nItems = 0;
  for (const line of readFileSync(join(datasets, "amazon-beauty", "sequences.txt"), "utf8").split("\n")) {
    if (!line.trim()) continue;
    const ids = line.trim().split(" ").slice(1).map(Number);
    for (const i of ids) nItems = Math.max(nItems, i);
    if (ids.length >= 4) seqs.push(Int32Array.from(ids.slice(0, -2)));
  }
  return { seqs, nItems };
}

/** The trainer's own path: SASRec's train graph and feeds (trainStreams length streams per batch). */
async function sasrecStep(nItems: number, trainStreams: number, profilePrefix?: string) {
  const store = new ParamStore(1);
  const model = sasrec.create(sasrec.configSchema.parse({ trainStreams }), { nItems, maxSeqLen: 50 }, store);
  const g = new Graph();
  const { loss } = model.buildTrainGraph(new BuildContext(g, store, true));
  const step = await TrainStep.create({ loss, optimizer: { kind: "adam" } }, store, {
    threads,
    profilePrefix,
  });
  return { model, step };
}

type Step = Awaited<ReturnType<typeof sasrecStep>>;

async function timeEpoch({ model, step }: Step, seqs: Int32Array[], poolBatches: number, seed: number) {
  const rng = new Rng(seed);
  const batches = lengthBucketedBatches(
    seqs.map((s) => s.length),
    128,
    rng,
    poolBatches,
  );
  let tokens = 0;
  let loss = 0;
  const t0 = performance.now();
  for (let b = 0; b < batches.length; b++) {
    const feeds = model.trainFeeds(
      [...batches[b]].map((i) => seqs[i]),
      rng,
    );
    feeds.seed = tensor(BigInt64Array.of(BigInt(seed * 100_000 + b)), []);
    tokens += feeds.targets.dims[0];
    loss = (await step.run(feeds, 1e-3)).loss;
  }
  return { seconds: (performance.now() - t0) / 1000, steps: batches.length, tokens, loss };
}

async function matmulGflops(): Promise<number> {
  const g = new Graph();
  const a = g.input("a", "float32", [1024, 1024]);
  const b = g.input("b", "float32", [1024, 1024]);
  const runner = await Runner.create({ c: o.matmul(a, b) }, undefined, { threads });
  const data = new Float32Array(1024 * 1024).map((_, i) => (i % 7) * 0.1);
  const feeds = { a: tensor(data, [1024, 1024]), b: tensor(data, [1024, 1024]) };
  for (let i = 0; i < 3; i++) await runner.run(feeds);
  const times: number[] = [];
  for (let i = 0; i < 15; i++) {
    const t = performance.now();
    await runner.run(feeds);
    times.push(performance.now() - t);
  }
  return (2 * 1024 ** 3) / (median(times) / 1000) / 1e9;
}

async function denseStepMs({ model, step }: Step, nItems: number): Promise<number> {
  const rng = new Rng(3);
  const seqs = Array.from({ length: 128 }, () => Int32Array.from({ length: 51 }, () => 1 + rng.int(nItems)));
  const feeds = model.trainFeeds(seqs, rng);
  feeds.seed = tensor(BigInt64Array.of(1n), []);
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    await step.run(feeds, 1e-3);
    times.push(performance.now() - t);
  }
  return median(times.slice(2));
}

const { seqs, nItems } = beautyTrainSequences();
const gflops = await matmulGflops();
const streamed = await sasrecStep(nItems, 3);
const block = await sasrecStep(nItems, 1);
await timeEpoch(streamed, seqs.slice(0, 128 * 5), 1, 99); // warm-up: session arenas, kernels
await timeEpoch(block, seqs.slice(0, 128 * 5), 1, 99);
type EpochTiming = Awaited<ReturnType<typeof timeEpoch>>;
const runs: Record<"streams" | "block" | "bucketed", EpochTiming[]> = {
  streams: [],
  block: [],
  bucketed: [],
};
for (let e = 0; e < epochs; e++) {
  runs.streams.push(await timeEpoch(streamed, seqs, 1, e + 1));
  runs.block.push(await timeEpoch(block, seqs, 1, e + 1));
  runs.bucketed.push(await timeEpoch(block, seqs, 64, e + 1));
}
const med = (rs: EpochTiming[]) => median(rs.map((r) => r.seconds));
const best = runs.streams.find((r) => r.seconds === med(runs.streams))!;
const dense = await denseStepMs(block, nItems);

let profile: Record<string, number> | undefined;
if (flag("profile")) {
  const resultsDir = join(dirname(fileURLToPath(import.meta.url)), "results");
  const profiled = await sasrecStep(nItems, 3, join(resultsDir, "engine"));
  await timeEpoch(profiled, seqs.slice(0, 128 * 30), 1, 7);
  profiled.step.session.endProfiling();
  profile = profileByOpType(latestProfile(resultsDir, "engine"));
}

printResultLine({
  benchmark: "engine",
  threads,
  epochs_measured: epochs,
  epoch_seconds_beauty: +best.seconds.toFixed(2),
  steps_per_s: +(best.steps / best.seconds).toFixed(2),
  tokens_per_s: Math.round(best.tokens / best.seconds),
  steps_per_epoch: best.steps,
  target_tokens_per_epoch: best.tokens,
  baseline_one_block_epoch_seconds: +med(runs.block).toFixed(2),
  speedup_streams_vs_one_block: +(med(runs.block) / best.seconds).toFixed(2),
  length_sorted_batches_epoch_seconds: +med(runs.bucketed).toFixed(2),
  dense_step_ms_b128_l50: +dense.toFixed(1),
  dense_epoch_seconds_175_steps: +((dense * 175) / 1000).toFixed(1),
  matmul_gflops: +gflops.toFixed(1),
  final_loss: +best.loss.toFixed(3),
  profile_ms_by_op_type: profile,
});
