// Incremental training vs a full retrain (src/train/incremental.ts), SASRec-CE on amazon-beauty:
//   1. hold out the newest --held-out fraction of events (file order: beauty has no timestamps) and train
//      a "deployed" model on the rest (checkpointed by fit);
//   2. full retrain: a fresh model on all events, --epochs epochs;
//   3. incremental: a model for the grown vocabularies loaded from the checkpoint (new item rows start from
//      the side towers), trained --cont-epochs epochs on the changed sequences plus a --replay sample.
// Both end models are tested on the same full-data leave-one-out test targets. Flags: --data <prepared dir>
// (default data/amazon-beauty, prepared if missing), --users N (first N users; 0 = all), --held-out F,
// --epochs N, --cont-epochs N, --replay F, --side none|attributes|title|both, --lr, --cont-lr, --threads, --seed.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadDataset } from "../src/data/cache.js";
import { ParamStore } from "../src/graph/param-store.js";
import { tensor } from "../src/graph/session.js";
import { type SasrecData, sasrec } from "../src/models/sasrec.js";
import { compileScorer, evaluateModel, type FitResult, fit } from "../src/train/fit.js";
import {
  continuationData,
  growFromCheckpoint,
  incrementalPair,
  snapshotBefore,
} from "../src/train/incremental.js";
import { modelDataOf, type TrainData } from "../src/train/train-data.js";
import { printResultLine } from "../src/util/result-line.js";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const option = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const dataDir = option("data", join(repoRoot, "data", "amazon-beauty"));
const users = Number(option("users", "6000"));
const heldOut = Number(option("held-out", "0.1"));
const epochs = Number(option("epochs", "6"));
const contEpochs = Number(option("cont-epochs", "2"));
const replay = Number(option("replay", "0.3"));
const side = option("side", "both");
const lr = Number(option("lr", "3e-3"));
// Continuing from trained weights with a fresh optimizer: a smaller step keeps it from overshooting.
const contLr = Number(option("cont-lr", "1e-3"));
const threads = Number(option("threads", "1"));
const seed = Number(option("seed", "1"));

if (!existsSync(join(dataDir, "meta.json"))) {
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", join(repoRoot, "src/cli/index.ts"), "prepare", "amazon-beauty", "--out", dataDir],
    { cwd: repoRoot, stdio: ["ignore", "ignore", "inherit"] },
  );
  if (r.status !== 0) throw new Error(`prepare amazon-beauty failed (exit ${r.status})`);
}
const full = loadDataset(dataDir);
const base =
  users > 0 && users < full.nUsers
    ? snapshotBefore(full, { by: "position", heldOut: 1 - full.offsets[users + 1] / full.nEvents })
    : full;
const { before, after } = incrementalPair(base, { heldOut, by: "position" });
const config = sasrec.configSchema.parse({
  side: { attributes: side === "attributes" || side === "both", title: side === "title" || side === "both" },
});
const usesSide = side !== "none";
const fitConfig = { lr, batchSize: 128, threads, patience: 100, seed };
const round = (x: number) => Math.round(x * 10_000) / 10_000;
const log = (label: string) => ({
  onEpoch: (e: { epoch: number; loss: number; seconds: number; valid: Record<string, number> }) =>
    process.stderr.write(
      `${label} epoch ${e.epoch}: loss ${e.loss.toFixed(3)} ${e.seconds.toFixed(1)} s valid NDCG@10 ${round(e.valid["NDCG@10"] ?? Number.NaN)}\n`,
    ),
});
const make = (data: SasrecData) => sasrec.create(config, data, new ParamStore(seed));

async function timed(label: string, run: () => Promise<FitResult>) {
  const t0 = performance.now();
  const r = await run();
  return {
    run: label,
    testNdcg10: round(r.test["NDCG@10"]),
    testHr10: round(r.test["HR@10"]),
    validNdcg10: round(r.valid["NDCG@10"]),
    epochs: r.epochsRun,
    bestEpoch: r.bestEpoch,
    trainSeconds: Math.round(r.trainSeconds * 10) / 10,
    wallSeconds: Math.round((performance.now() - t0) / 100) / 10,
  };
}

const dir = mkdtempSync(join(tmpdir(), "seqrank-bench-incremental-"));
try {
  process.stderr.write(
    `before: ${before.nItems} items, ${before.sequences.length} sequences; after: ${after.nItems} items, ${after.sequences.length} sequences\n`,
  );
  // The deployed model's test numbers are on the snapshot's own split (other targets): only its time compares.
  const deployed = await timed("deployed (before the new events)", () =>
    fit(make(modelDataOf(before)), before, { ...fitConfig, epochs }, dir, log("deployed")),
  );
  const retrain = await timed("full retrain", () =>
    fit(make(modelDataOf(after)), after, { ...fitConfig, epochs }, undefined, log("retrain")),
  );

  const t0 = performance.now();
  const grownModel = make(modelDataOf(after));
  const grow = growFromCheckpoint(grownModel, join(dir, "best.safetensors"), {
    zeroNewRows: usesSide ? ["item_emb"] : [],
  });
  const growSeconds = (performance.now() - t0) / 1000;
  const scorer = await compileScorer(grownModel, threads);
  const storeFeeds = () =>
    Object.fromEntries([...grownModel.store.entries].map(([n, e]) => [n, tensor(e.value, e.shape)]));
  const grownOnly = (await evaluateModel(grownModel, scorer, after.test, storeFeeds)).metrics["NDCG@10"];
  await scorer.release();
  const cont: TrainData = continuationData(before, after, { replay, seed });
  const incremental = await timed("incremental", () =>
    fit(grownModel, cont, { ...fitConfig, lr: contLr, epochs: contEpochs }, undefined, log("incremental")),
  );
  incremental.wallSeconds = Math.round((incremental.wallSeconds + growSeconds) * 10) / 10;

  const rows = [deployed, retrain, incremental];
  for (const r of rows) process.stderr.write(`${JSON.stringify(r)}\n`);
  printResultLine({
    bench: "incremental",
    dataset: base.name,
    users: base.nUsers,
    heldOut,
    side,
    itemsBefore: before.nItems,
    itemsAfter: after.nItems,
    continuationSequences: cont.sequences.length,
    grownParams: grow.grown,
    grownOnlyTestNdcg10: round(grownOnly),
    runs: rows,
    ndcgRatio: round(incremental.testNdcg10 / retrain.testNdcg10),
    trainTimeRatio: round(incremental.trainSeconds / retrain.trainSeconds),
    wallTimeRatio: round(incremental.wallSeconds / retrain.wallSeconds),
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
