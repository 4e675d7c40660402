// A learned re-ranker in a model version. Export: a re-rank run (`seqrank train --task rerank`) is exported
// as its retriever's version (the sequence model it re-ranks, export-run.ts) plus the ranker's two files
// (src/train/rerank/served-ranker.ts), recorded in model.json's `ranker` and checksums. Load: the ranker
// orders the model's own top-k unseen items, as it was trained to: the items' scores are the products of the
// user vector with the item vectors (the score graph's MatMul, on ONNX Runtime), the top k are chosen by
// the offline retriever's own routine, the features are built by the re-rank trainer's query features, and
// the ranker's ONNX graph scores them. The ranker is dry-run on real histories before the version loads.
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ort from "onnxruntime-node";
import { TopK } from "../eval/top-k.js";
import { Graph } from "../graph/graph.js";
import { Runner, tensor } from "../graph/session.js";
import * as o from "../graph/tensor-ops.js";
import { unseenTopK } from "../train/rerank/candidates.js";
import { RerankFeatures } from "../train/rerank/query-features.js";
import { RANKER_FEATURES, RANKER_ONNX, RANKER_OUTPUT } from "../train/rerank/served-ranker.js";
import { SeqrankError } from "../util/errors.js";
import { recordArtefacts } from "./artefacts.js";
import { type LearnedRanker, MODEL_JSON, type ServingManifest } from "./serving-model.js";

const invalid = (message: string) => new SeqrankError("SR_ERR_MODEL_INVALID", message);
const refuse = (message: string) => new SeqrankError("SR_ERR_MODEL_EXPORT", message);

const RANKER_INPUTS = [
  { name: "ids", dtype: "int64", shape: ["rows", "slots"], builder: "ranker-slots" },
  { name: "weights", dtype: "float32", shape: ["rows", "slots"], builder: "ranker-slots" },
];

interface RerankRunRecord {
  task?: string;
  tasks?: unknown;
  model?: string;
  retriever?: string;
}

/** The task a run directory's results.json records (`seqrank train --task …`), if it is readable. */
function runRecord(runDir: string): RerankRunRecord | undefined {
  const path = join(runDir, "results.json");
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as RerankRunRecord;
  } catch {
    return undefined;
  }
}

function rerankRecord(runDir: string): RerankRunRecord | undefined {
  const r = runRecord(runDir);
  return r?.task === "rerank" ? r : undefined;
}

/**
 * Whether a run directory holds a CTR ranker (`seqrank train --task ctr`: table rows in, no user encoder);
 * its results.json lists the label tasks it predicts.
 */
export function isCtrRun(runDir: string): boolean {
  const r = runRecord(runDir);
  return r?.task === "ctr" || (r?.task === undefined && Array.isArray(r?.tasks));
}

/** Whether a run directory holds a re-ranker (`seqrank train --task rerank`). */
export const isRerankRun = (runDir: string) => rerankRecord(runDir) !== undefined;

/** The retriever run of a re-rank run directory, or undefined when `runDir` is not one. */
export function rerankRetriever(runDir: string): string | undefined {
  const r = rerankRecord(runDir);
  if (!r) return undefined;
  if (!r.retriever || !existsSync(r.retriever))
    throw new SeqrankError(
      "SR_ERR_RUN",
      `${runDir}: its retriever run ${r.retriever ?? "(not recorded: trained by an older seqrank, train it again)"} is not here`,
    );
  return r.retriever;
}

/**
 * Adds the re-rank run's ranker to the version in `dir` (already holding its retriever's export, `manifest`):
 * refuses a ranker whose graph reads other inputs than its slots or whose features do not fit the model.
 */
export async function attachRanker(
  runDir: string,
  dir: string,
  manifest: ServingManifest,
): Promise<ServingManifest> {
  for (const f of [RANKER_ONNX, RANKER_FEATURES])
    if (!existsSync(join(runDir, f)))
      throw refuse(`${runDir} has no ${f} (trained by an older seqrank: train it again)`);
  const features = RerankFeatures.decode(
    readFileSync(join(runDir, RANKER_FEATURES)),
    join(runDir, RANKER_FEATURES),
  );
  if (features.dim !== manifest.dim || features.nItems !== manifest.nItems)
    throw refuse(
      `${runDir}: the ranker was trained over ${features.nItems} items of width ${features.dim}, the model has ${manifest.nItems} of ${manifest.dim}`,
    );
  const session = await ort.InferenceSession.create(join(runDir, RANKER_ONNX));
  const reads = [...session.inputNames].sort().join(", ");
  const outputs = [...session.outputNames];
  await session.release();
  if (reads !== "ids, weights" || !outputs.includes(RANKER_OUTPUT))
    throw refuse(
      `${join(runDir, RANKER_ONNX)} reads ${reads} and gives ${outputs.join(", ")}; a served ranker reads ids, weights and gives ${RANKER_OUTPUT}`,
    );
  copyFileSync(join(runDir, RANKER_ONNX), join(dir, RANKER_ONNX));
  copyFileSync(join(runDir, RANKER_FEATURES), join(dir, RANKER_FEATURES));
  const withRanker: ServingManifest = {
    ...manifest,
    ranker: {
      name: rerankRecord(runDir)?.model ?? "ranker",
      file: RANKER_ONNX,
      features: RANKER_FEATURES,
      candidates: features.candidates,
      inputs: RANKER_INPUTS,
      output: RANKER_OUTPUT,
    },
    files: recordArtefacts(dir),
  };
  writeFileSync(join(dir, MODEL_JSON), `${JSON.stringify(withRanker, null, 2)}\n`);
  return withRanker;
}

/** The feature file, any refusal of it as SR_ERR_MODEL_INVALID naming it. */
function readFeatures(path: string): RerankFeatures {
  try {
    return RerankFeatures.decode(readFileSync(path), path);
  } catch (err) {
    if (err instanceof SeqrankError && err.code === "SR_ERR_MODEL_INVALID") throw err;
    throw invalid(`${path}: ${(err as Error).message}`);
  }
}

/** The version's ranker over `itemVectors` ([nItems + 1, dim]), dry-run on `histories` with their vectors. */
export async function loadRanker(
  dir: string,
  m: ServingManifest,
  itemVectors: Float32Array,
  dryRun: { histories: Int32Array[]; encode: (h: Int32Array) => Promise<Float32Array> },
  threads = 1,
): Promise<LearnedRanker> {
  const spec = m.ranker!;
  const path = join(dir, spec.file);
  const features = readFeatures(join(dir, spec.features));
  if (features.dim !== m.dim || features.nItems !== m.nItems || features.candidates !== spec.candidates)
    throw invalid(
      `${join(dir, spec.features)} does not fit the model (${features.nItems} items of width ${features.dim}, ${features.candidates} candidates)`,
    );
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(path, { intraOpNumThreads: threads, interOpNumThreads: 1 });
  } catch (err) {
    throw invalid(`${path}: ${(err as Error).message}`);
  }
  const k = features.candidates;
  const slots = features.layout.slots;
  const heap = new TopK(k);
  const row = new Float32Array(m.nItems + 1);
  const scorer = await itemScorer(itemVectors, m.dim, threads);
  const rank = async (history: Int32Array, userVector: Float32Array) => {
    row.set((await scorer.run({ user: tensor(userVector, [1, m.dim]) })).scores.data as Float32Array);
    const items = new Int32Array(k);
    const scores = new Float32Array(k);
    unseenTopK(row, history, heap, items, scores, 0);
    const batch = features.slots(history, userVector, items, scores);
    const out = await session.run({
      ids: tensor(batch.ids, [k, slots]),
      weights: tensor(batch.weights, [k, slots]),
    });
    const logits = out[spec.output].data as Float32Array;
    const n = items.indexOf(0) < 0 ? k : items.indexOf(0); // empty slots (fewer unseen items than k) are last
    return { items: items.slice(0, n), scores: Float32Array.from(logits.subarray(0, n)) };
  };
  try {
    for (const h of dryRun.histories) {
      const { scores } = await rank(h, await dryRun.encode(h));
      const bad = scores.findIndex((s) => !Number.isFinite(s));
      if (bad >= 0) throw invalid(`${path} dry run: candidate ${bad} scored ${scores[bad]}`);
    }
  } catch (err) {
    await session.release();
    await scorer.release();
    throw err instanceof SeqrankError ? err : invalid(`${path} dry run: ${(err as Error).message}`);
  }
  const dispose = async () => {
    await session.release();
    await scorer.release();
  };
  return { name: spec.name, candidates: k, rank, dispose };
}

/**
 * Every item's score for a user vector: MatMul(user, item tableᵀ) on ONNX Runtime, the operation the offline
 * retriever's score graph ends in (a JavaScript loop over 12k × 64 took 1.5 ms a request). The table is
 * transposed once here: [dim, nItems + 1] as the constant took 102 µs a run, [nItems + 1, dim] with transB 184.
 */
async function itemScorer(itemVectors: Float32Array, dim: number, threads: number): Promise<Runner> {
  const rows = itemVectors.length / dim;
  const transposed = new Float32Array(itemVectors.length);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < dim; j++) transposed[j * rows + i] = itemVectors[i * dim + j];
  const g = new Graph();
  const user = g.input("user", "float32", [1, dim]);
  return Runner.create({ scores: o.matmul(user, g.constant(transposed, [dim, rows])) }, undefined, {
    threads,
  });
}
