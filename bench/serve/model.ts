// The benchmark's model: SASRec trained briefly on amazon-beauty (enough for realistic vectors and encoder
// cost, not for accuracy), exported as serving artefacts into a registry and activated. Reused when present.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { exportServingModel, MODEL_JSON, ModelRegistry, readManifest } from "../../src/artifact/index.js";
import { datasetInteractions } from "../../src/artifact/interactions.js";
import { attachRanker } from "../../src/artifact/ranker-model.js";
import { loadDataset } from "../../src/data/index.js";
import { writeRunReport } from "../../src/eval/index.js";
import { loadParamsInto } from "../../src/graph/checkpoint.js";
import { BuildContext } from "../../src/graph/context.js";
import { exportWeights } from "../../src/graph/export.js";
import { Graph } from "../../src/graph/graph.js";
import { ParamStore } from "../../src/graph/param-store.js";
import { sasrec } from "../../src/models/sasrec.js";
import { fit } from "../../src/train/fit.js";
import { runRerank } from "../../src/train/rerank/run-rerank.js";
import { trainDataFrom } from "../../src/train/train-data.js";

export const VERSION = "sasrec-beauty-2ep";
/** The same model with a learned re-ranker (DeepFM over its top 100), for the ranker's latency row. */
export const RANKED_VERSION = "sasrec-beauty-2ep-deepfm";
const WEIGHTS = "weights.safetensors";
const SASREC = { dim: 64, maxLen: 50 };

export function ensurePrepared(repoRoot: string, dataDir: string): void {
  if (existsSync(join(dataDir, "meta.json"))) return;
  console.log(`preparing amazon-beauty into ${dataDir} …`);
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", join(repoRoot, "src/cli/index.ts"), "prepare", "amazon-beauty", "--out", dataDir],
    { cwd: repoRoot, stdio: ["ignore", "ignore", "inherit"] },
  );
  if (r.status !== 0) throw new Error("prepare amazon-beauty failed");
}

/** Trains (2 epochs, d = 64) and registers the model unless the registry already has it. */
export async function ensureModel(
  dataDir: string,
  registryRoot: string,
): Promise<{ trained: boolean; valid: Record<string, number> }> {
  const registry = new ModelRegistry(registryRoot);
  const dir = registry.dir(VERSION);
  if (existsSync(join(dir, MODEL_JSON))) {
    registry.activate(VERSION);
    return { trained: false, valid: {} };
  }
  const data = trainDataFrom(loadDataset(dataDir));
  const cfg = sasrec.configSchema.parse(SASREC);
  const model = sasrec.create(cfg, { nItems: data.nItems, maxSeqLen: 50 }, new ParamStore(42));
  console.log("training SASRec for 2 epochs on amazon-beauty (latency benchmark model) …");
  const result = await fit(model, data, { epochs: 2, threads: 1 }, undefined, {
    onEpoch: (r) =>
      console.log(
        `epoch ${r.epoch}: loss ${r.loss.toFixed(4)}, valid NDCG@10 ${r.valid["NDCG@10"]?.toFixed(4)}`,
      ),
  });
  mkdirSync(dir, { recursive: true });
  exportWeights(join(dir, WEIGHTS), model.store, { model: "sasrec" });
  await exportServingModel(model, dir, {
    version: VERSION,
    itemsTsv: join(dataDir, "items.tsv"),
    eventTypes: loadDataset(dataDir).eventTypes,
    interactions: datasetInteractions(dataDir),
  });
  writeRunReport(dir, {
    name: VERSION,
    model: "sasrec",
    dataset: "amazon-beauty",
    config: { model: cfg, fit: { epochs: 2 } },
    maskSeen: true,
    bestEpoch: result.bestEpoch,
    valid: result.valid,
    test: result.test,
    history: result.history,
    timings: { train: result.trainSeconds },
  });
  registry.activate(VERSION);
  return { trained: true, valid: result.valid };
}

/**
 * Re-ranks VERSION's top 100 with DeepFM (runRerank on the first 4,000 users, 2 epochs: a latency model) and
 * registers VERSION plus the ranker as RANKED_VERSION, unless the registry has it. Does not activate it.
 */
export async function ensureRankedModel(dataDir: string, registryRoot: string): Promise<void> {
  const registry = new ModelRegistry(registryRoot);
  const dir = registry.dir(RANKED_VERSION);
  if (existsSync(join(dir, MODEL_JSON))) return;
  const base = registry.dir(VERSION);
  const data = trainDataFrom(loadDataset(dataDir));
  const model = sasrec.create(
    sasrec.configSchema.parse(SASREC),
    { nItems: data.nItems, maxSeqLen: 50 },
    new ParamStore(42),
  );
  model.buildScoreGraph(new BuildContext(new Graph(), model.store, false)); // creates the parameters
  loadParamsInto(join(base, WEIGHTS), model.store);
  console.log("training DeepFM over the model's top 100 (latency benchmark ranker) …");
  const rerankDir = join(registryRoot, "..", "rerank-run");
  await runRerank({
    retriever: { model, data },
    candidates: 100,
    limitUsers: 4000,
    fit: { epochs: 2 },
    threads: 1,
    out: rerankDir,
  });
  cpSync(base, dir, { recursive: true });
  await attachRanker(rerankDir, dir, { ...readManifest(dir), version: RANKED_VERSION });
}
