// A trained run directory (written by `seqrank train`): results.json names the dataset, the model and its
// config; checkpoints/best.safetensors holds the weights of the best validation epoch.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadDataset } from "../data/cache.js";
import { type RunResult, readRunResult } from "../eval/index.js";
import { loadParamsInto } from "../graph/checkpoint.js";
import { BuildContext } from "../graph/context.js";
import { Graph } from "../graph/graph.js";
import { ParamStore } from "../graph/param-store.js";
import type { SequenceRecommender } from "../models/model.js";
import { NEURAL_MODELS } from "../models/registry.js";
import { parseConfig } from "../util/config-issues.js";
import { SeqrankError } from "../util/errors.js";
import { modelDataOf, type TrainData, trainDataFrom } from "./train-data.js";

export interface LoadedRun {
  run: RunResult;
  model: SequenceRecommender;
  data: TrainData;
  datasetDir: string;
}

export function loadRun(dir: string): LoadedRun {
  const run = readRunResult(dir);
  const factory = NEURAL_MODELS[run.model];
  if (!factory) throw new SeqrankError("SR_ERR_RUN", `${dir}: model "${run.model}" has no weights to load`);
  const config = run.config as { model?: unknown; dataset?: string };
  if (!config.dataset || !existsSync(join(config.dataset, "meta.json"))) {
    throw new SeqrankError(
      "SR_ERR_RUN",
      `${dir}: its dataset ${config.dataset ?? "(none)"} is not prepared here`,
    );
  }
  const data = trainDataFrom(loadDataset(config.dataset));
  const weights = join(dir, "checkpoints", "best.safetensors");
  if (!existsSync(weights)) throw new SeqrankError("SR_ERR_RUN", `${dir}: no checkpoints/best.safetensors`);
  const modelConfig = parseConfig(
    factory.configSchema,
    config.model,
    `${join(dir, "results.json")}: model config`,
  );
  const model = factory.create(modelConfig, modelDataOf(data), new ParamStore());
  // Parameters come into existence when a graph is recorded: record the score graph to create every one the
  // model scores with, then overwrite them all from the checkpoint (which must hold each with its shape).
  model.buildScoreGraph(new BuildContext(new Graph(), model.store, false));
  loadParamsInto(weights, model.store);
  return { run, model, data, datasetDir: config.dataset };
}
