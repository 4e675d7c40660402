// A training run directory (written by `seqrank train`) as a servable model version: the run's best weights
// exported into `dir` (serving artefacts of export.ts, plus the full scorer as ONNX and the weights as
// safetensors, all recorded in model.json's checksums); a baseline run as baseline-model.ts writes it; a
// re-rank run as its retriever's version with the ranker added (ranker-model.ts). Used by `seqrank export` and by `serve --model <run>`.
import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { META_JSON } from "../data/cache.js";
import type { DatasetMeta } from "../data/prepared.js";
import { BuildContext } from "../graph/context.js";
import { exportOnnx, exportWeights } from "../graph/export.js";
import { Graph } from "../graph/graph.js";
import type { QuantizeMode } from "../graph/quantize.js";
import { loadRun } from "../train/run-dir.js";
import { SeqrankError } from "../util/errors.js";
import { exportBaselineRun, isBaselineRun } from "./baseline-model.js";
import { exportServingModel } from "./export.js";
import { datasetInteractions } from "./interactions.js";
import { attachRanker, isCtrRun, rerankRetriever } from "./ranker-model.js";
import type { BaselineManifest, ServingManifest } from "./serving-model.js";

export async function exportRunVersion(
  runDir: string,
  dir: string,
  version: string,
  quantize?: QuantizeMode,
): Promise<ServingManifest | BaselineManifest> {
  const run = resolve(runDir);
  if (isCtrRun(run))
    throw new SeqrankError(
      "SR_ERR_MODEL_EXPORT",
      `${run} is a CTR run (seqrank train --task ctr): it scores rows of a feature table and has no user encoder to serve; serve a next-item run, or train --task rerank over one to serve a learned ranker`,
    );
  const retriever = rerankRetriever(run);
  if (retriever) {
    const manifest = await exportRunVersion(retriever, dir, version, quantize);
    if (manifest.format !== "seqrank-serving-model")
      throw new SeqrankError(
        "SR_ERR_MODEL_EXPORT",
        `${run}: its retriever ${retriever} has no vectors to re-rank`,
      );
    return attachRanker(run, dir, manifest);
  }
  if (isBaselineRun(run)) return exportBaselineRun(run, dir, version);
  const { model, datasetDir } = loadRun(run);
  mkdirSync(dir, { recursive: true });
  // Written first so that the serving export records them with the rest.
  const g = new Graph();
  exportOnnx(
    join(dir, "model.onnx"),
    { scores: model.buildScoreGraph(new BuildContext(g, model.store, false)) },
    model.store,
  );
  exportWeights(join(dir, "weights.safetensors"), model.store, { model: model.name });
  return exportServingModel(model, dir, {
    version,
    itemsTsv: join(datasetDir, "items.tsv"),
    resultsJson: join(run, "results.json"),
    tokensTsv: join(datasetDir, "tokens.tsv"),
    eventTypes: datasetEventTypes(datasetDir),
    interactions: datasetInteractions(datasetDir),
    quantize,
  });
}

/** The prepared dataset's event-type names by code (meta.json). */
function datasetEventTypes(datasetDir: string): string[] {
  const meta = JSON.parse(readFileSync(join(datasetDir, META_JSON), "utf8")) as DatasetMeta;
  return meta.eventTypes.names;
}
