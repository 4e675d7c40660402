// The benchmark's model: SASRec trained briefly on amazon-beauty (enough for realistic vectors and encoder
// cost, not for accuracy), exported as serving artefacts into a registry and activated. Reused when present.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { exportServingModel, MODEL_JSON, ModelRegistry } from "../../src/artifact/index.js";
import { loadDataset } from "../../src/data/index.js";
import { writeRunReport } from "../../src/eval/index.js";
import { ParamStore } from "../../src/graph/param-store.js";
import { sasrec } from "../../src/models/sasrec.js";
import { fit } from "../../src/train/fit.js";
import { trainDataFrom } from "../../src/train/train-data.js";

export const VERSION = "sasrec-beauty-2ep";

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
  const cfg = sasrec.configSchema.parse({ dim: 64, maxLen: 50 });
  const model = sasrec.create(cfg, { nItems: data.nItems, maxSeqLen: 50 }, new ParamStore(42));
  console.log("training SASRec for 2 epochs on amazon-beauty (latency benchmark model) …");
  const result = await fit(model, data, { epochs: 2, threads: 1 }, undefined, {
    onEpoch: (r) =>
      console.log(
        `epoch ${r.epoch}: loss ${r.loss.toFixed(4)}, valid NDCG@10 ${r.valid["NDCG@10"]?.toFixed(4)}`,
      ),
  });
  await exportServingModel(model, dir, { version: VERSION, itemsTsv: join(dataDir, "items.tsv") });
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
