// Damaged serving models for the fault tests: a tiny SASRec on movielens-100k exported for real (ONNX encoder,
// item vectors, model.json with checksums), and copies of it broken the ways disks, copies and diverged
// training break them.
import { cpSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exportServingModel, MODEL_JSON, recordArtefacts } from "../../src/artifact/index.js";
import { loadDataset } from "../../src/data/index.js";
import { BuildContext } from "../../src/graph/context.js";
import { Graph } from "../../src/graph/graph.js";
import { Rng } from "../../src/graph/init.js";
import { ParamStore } from "../../src/graph/param-store.js";
import { sasrec } from "../../src/models/sasrec.js";
import { preparedDataset } from "../helpers/prepared.js";

export const dataDir = preparedDataset("movielens-100k");
const ds = loadDataset(dataDir);

/** Exports a tiny SASRec (weights from `seed`) into `dir`; `poison` may change its weights first. */
export async function exportTiny(
  dir: string,
  version: string,
  seed: number,
  poison?: (store: ParamStore) => void,
): Promise<void> {
  const cfg = sasrec.configSchema.parse({ dim: 8, maxLen: 10, blocks: 1 });
  const model = sasrec.create(cfg, { nItems: ds.nItems, maxSeqLen: 50 }, new ParamStore(seed));
  model.buildScoreGraph(new BuildContext(new Graph(), model.store, false)); // creates the parameters
  poison?.(model.store);
  await exportServingModel(model, dir, { version, itemsTsv: join(dataDir, "items.tsv") });
}

/** Rewrites model.json's checksums to match the files as they are now (an export of a broken model). */
export function rehash(dir: string): void {
  const path = join(dir, MODEL_JSON);
  const manifest = JSON.parse(readFileSync(path, "utf8"));
  writeFileSync(path, JSON.stringify({ ...manifest, files: recordArtefacts(dir) }));
}

/** The ways a copy of a valid version is broken; each names the file the refusal must name, and why. */
export const DAMAGES: Record<string, { file: string; reason: RegExp; apply: (dir: string) => void }> = {
  "4 KB of random bytes inside encoder.onnx": {
    file: "encoder.onnx",
    reason: /sha256 does not match/,
    apply: (dir) => {
      const path = join(dir, "encoder.onnx");
      const bytes = readFileSync(path);
      const rng = new Rng(3);
      const at = Math.floor(bytes.length / 2) - 2048;
      for (let i = 0; i < 4096; i++) bytes[at + i] = Math.floor(rng.next() * 256);
      writeFileSync(path, bytes);
    },
  },
  "truncated encoder.onnx": {
    file: "encoder.onnx",
    reason: /truncated/,
    apply: (dir) => {
      const path = join(dir, "encoder.onnx");
      truncateSync(path, Math.floor(readFileSync(path).length / 2));
    },
  },
  "NaN and Inf in item_vectors.f32": {
    file: "item_vectors.f32",
    reason: /sha256 does not match/,
    apply: (dir) => {
      const path = join(dir, "item_vectors.f32");
      const bytes = readFileSync(path);
      bytes.writeFloatLE(Number.NaN, 64);
      bytes.writeFloatLE(Number.POSITIVE_INFINITY, 68);
      writeFileSync(path, bytes);
    },
  },
  "NaN in item_vectors.f32 with matching checksums (a diverged model exported)": {
    file: "item_vectors.f32",
    reason: /item row 2 dim 0 is NaN/,
    apply: (dir) => {
      DAMAGES["NaN and Inf in item_vectors.f32"].apply(dir);
      rehash(dir);
    },
  },
  "truncated model.json": {
    file: MODEL_JSON,
    reason: /not valid JSON/,
    apply: (dir) => {
      const path = join(dir, MODEL_JSON);
      writeFileSync(path, readFileSync(path, "utf8").slice(0, 60));
    },
  },
};

/** A copy of `from` at `to` with `damage` applied. */
export function damagedCopy(from: string, to: string, damage: string): void {
  cpSync(from, to, { recursive: true });
  DAMAGES[damage].apply(to);
}
