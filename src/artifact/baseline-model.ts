// The baselines as servable versions. A Pop or ItemKNN run has no weights: `seqrank train` records the
// dataset and config it fitted, and the export fits the same model again (both fits are deterministic) and
// writes what serving needs:
//   pop       nothing but model.json and the interactions: the service's own popularity source (the
//             training interactions the version ships and the live events) is the model;
//   itemknn   its neighbour tables, little-endian: knn_offsets.i32 [nItems + 2], knn_items.i32 and
//             knn_similarities.f32 [edges] (item i's neighbours at offsets[i] .. offsets[i + 1]),
//             knn_item_users.i32 [nItems + 1] (training users per item: the popularity tie-break), items.tsv.
// Served, ItemKNN has no vectors (dim 0): `retrieve` sums its neighbours over the history, exactly its
// offline scorer, and the recommender proposes those items as the model's candidates.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadDataset } from "../data/cache.js";
import { readVocabTsv } from "../data/vocab.js";
import { type RunResult, readRunResult, TopK } from "../eval/index.js";
import { fitItemKnn, ItemKnnConfigSchema, itemKnnFromTables } from "../models/baselines/index.js";
import { trainDataFrom } from "../train/train-data.js";
import { parseConfig } from "../util/config-issues.js";
import { SeqrankError } from "../util/errors.js";
import { recordArtefacts, verifyArtefacts } from "./artefacts.js";
import {
  datasetInteractions,
  INTERACTIONS_FILE,
  readInteractions,
  writeInteractions,
} from "./interactions.js";
import {
  type BaselineManifest,
  ITEMS_TSV,
  MODEL_JSON,
  popularityModel,
  type ServingModel,
} from "./serving-model.js";

export const BASELINES = ["pop", "itemknn"] as const;

const KNN_FILES = {
  offsets: "knn_offsets.i32",
  items: "knn_items.i32",
  similarities: "knn_similarities.f32",
  itemUsers: "knn_item_users.i32",
} as const;

const bytesOf = (a: Int32Array | Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Whether a run directory holds a baseline (Pop, ItemKNN) rather than a trained network. */
export function isBaselineRun(runDir: string): boolean {
  return (BASELINES as readonly string[]).includes(readRunResult(runDir).model);
}

/** Fits the run's baseline again on its dataset and writes it into `dir` as version `version`. */
export function exportBaselineRun(runDir: string, dir: string, version: string): BaselineManifest {
  const run: RunResult = readRunResult(runDir);
  const config = run.config as { model?: unknown; dataset?: string } | undefined;
  if (!config?.dataset || !existsSync(join(config.dataset, "meta.json")))
    throw new SeqrankError(
      "SR_ERR_RUN",
      `${runDir}: its dataset ${config?.dataset ?? "(not recorded: trained by an older seqrank, train it again)"} is not prepared here`,
    );
  const dataset = loadDataset(config.dataset);
  const data = trainDataFrom(dataset);
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(config.dataset, ITEMS_TSV), join(dir, ITEMS_TSV));
  copyFileSync(join(runDir, "results.json"), join(dir, "results.json"));
  writeInteractions(dir, datasetInteractions(config.dataset, dataset));
  let recencyDecay: number | undefined;
  if (run.model === "itemknn") {
    const cfg = parseConfig(ItemKnnConfigSchema, config.model ?? {}, `${runDir}: itemknn config`);
    const knn = fitItemKnn(data.sequences, data.nItems, cfg);
    writeFileSync(join(dir, KNN_FILES.offsets), bytesOf(knn.offsets));
    writeFileSync(join(dir, KNN_FILES.items), bytesOf(knn.neighbourItems));
    writeFileSync(join(dir, KNN_FILES.similarities), bytesOf(knn.similarities));
    writeFileSync(join(dir, KNN_FILES.itemUsers), bytesOf(knn.itemUsers));
    recencyDecay = cfg.recencyDecay;
  }
  const manifest: BaselineManifest = {
    format: "seqrank-baseline-model",
    name: run.model as BaselineManifest["name"],
    version,
    nItems: data.nItems,
    recencyDecay,
    eventTypes: dataset.eventTypes,
    interactions: INTERACTIONS_FILE,
    createdAt: new Date().toISOString(),
    files: recordArtefacts(dir),
  };
  writeFileSync(join(dir, MODEL_JSON), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/**
 * Pop over a prepared dataset, made in memory: what the service serves when no model is configured (its
 * training interactions are what its popularity and co-visitation start from).
 */
export function datasetPopModel(datasetDir: string): ServingModel {
  const ds = loadDataset(datasetDir);
  return {
    ...popularityModel(ds.nItems, `pop-${ds.name}`),
    name: "pop",
    itemIds: readVocabTsv(join(datasetDir, ITEMS_TSV)).values,
    eventTypes: ds.eventTypes,
    interactions: datasetInteractions(datasetDir, ds),
  };
}

/** A table of the export, checked against its expected length. */
function readTable<T extends Int32Array | Float32Array>(
  dir: string,
  file: string,
  make: (b: ArrayBuffer) => T,
  length?: number,
): T {
  const path = join(dir, file);
  const bytes = readFileSync(path);
  const table = make(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  if (length !== undefined && table.length !== length)
    throw new SeqrankError("SR_ERR_MODEL_INVALID", `${path}: ${table.length} values, expected ${length}`);
  return table;
}

/** Loads a baseline version (files verified against model.json first). */
export function loadBaselineModel(dir: string, m: BaselineManifest): ServingModel {
  const itemIds = readVocabTsv(join(dir, ITEMS_TSV)).values;
  const files = [ITEMS_TSV, ...(m.name === "itemknn" ? Object.values(KNN_FILES) : [])];
  verifyArtefacts(dir, m, m.interactions ? [...files, m.interactions] : files);
  if (itemIds.length !== m.nItems + 1)
    throw new SeqrankError(
      "SR_ERR_MODEL_INVALID",
      `${join(dir, ITEMS_TSV)} has ${itemIds.length - 1} items, ${MODEL_JSON} ${m.nItems}`,
    );
  const shipped = {
    eventTypes: m.eventTypes,
    interactions: m.interactions ? readInteractions(join(dir, m.interactions), m.nItems) : undefined,
  };
  if (m.name === "pop") return { ...popularityModel(m.nItems, m.version), name: "pop", itemIds, ...shipped };
  const offsets = readTable(dir, KNN_FILES.offsets, (b) => new Int32Array(b), m.nItems + 2);
  const edges = offsets[m.nItems + 1];
  const items = readTable(dir, KNN_FILES.items, (b) => new Int32Array(b), edges);
  const similarities = readTable(dir, KNN_FILES.similarities, (b) => new Float32Array(b), edges);
  const itemUsers = readTable(dir, KNN_FILES.itemUsers, (b) => new Int32Array(b), m.nItems + 1);
  for (let e = 0; e < edges; e++)
    if (items[e] < 1 || items[e] > m.nItems || !Number.isFinite(similarities[e]))
      throw new SeqrankError(
        "SR_ERR_MODEL_INVALID",
        `${join(dir, KNN_FILES.items)}: neighbour ${e} is out of range or not finite`,
      );
  const cfg = ItemKnnConfigSchema.parse({ recencyDecay: m.recencyDecay ?? 1 });
  const knn = itemKnnFromTables(cfg, m.nItems, offsets, items, similarities, itemUsers);
  const scores = new Float32Array(m.nItems + 1);
  const top = (k: number) => new TopK(Math.min(k, m.nItems));
  return {
    ...popularityModel(m.nItems, m.version),
    name: "itemknn",
    itemIds,
    ...shipped,
    retrieve(history, k) {
      knn.scoreHistory(history, scores);
      scores[0] = Number.NEGATIVE_INFINITY;
      const heap = top(k);
      for (let i = 1; i <= m.nItems; i++) heap.offer(i, scores[i]);
      const best = new Int32Array(Math.min(k, m.nItems));
      heap.drainInto(best, 0);
      return { items: best, scores: Float32Array.from(best, (i) => scores[i]) };
    },
  };
}
