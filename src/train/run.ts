// Training one next-item model as a library verb: a prepared dataset in, a run directory out (results.json,
// report.html and, for a network, checkpoints/ with resume after a kill), evaluated with the leave-one-out
// full-ranking protocol at the best validation epoch. `seqrank train` only turns its flags into this config;
// `seqrank start`, benchmarks and tests call it directly.
import { join, resolve } from "node:path";
import { loadDataset } from "../data/cache.js";
import { evaluateFullRanking, popularityDeciles, type RunResult, writeRunReport } from "../eval/index.js";
import { ParamStore } from "../graph/param-store.js";
import { createPop, fitItemKnn } from "../models/baselines/index.js";
import { ItemKnnConfigSchema } from "../models/baselines/item-knn.js";
import { BASELINE_MODELS, NEURAL_MODELS } from "../models/registry.js";
import { parseConfig } from "../util/config-issues.js";
import { SeqrankError } from "../util/errors.js";
import { type FitConfig, type FitHooks, fit } from "./fit.js";
import { modelDataOf, trainDataFrom } from "./train-data.js";

export interface NextItemRunConfig {
  /** A prepared dataset directory (meta.json). */
  dataset: string;
  /** The run directory written. */
  out: string;
  /** A model of the registries: sasrec, bert4rec, gru4rec, bprmf, pop, itemknn. */
  model: string;
  /** The model's config (its schema's keys; unknown keys are an error naming them). */
  modelConfig?: Record<string, unknown>;
  /** The training loop's config (networks only). */
  fit?: Partial<FitConfig>;
  /** Seed of the initial weights (the loop's own seed is fit.seed). */
  seed?: number;
}

/** Trains, evaluates and writes the run; resolves with what results.json holds. */
export async function runNextItem(config: NextItemRunConfig, hooks: FitHooks = {}): Promise<RunResult> {
  const dir = resolve(config.dataset);
  const ds = loadDataset(dir);
  const data = trainDataFrom(ds);
  const out = resolve(config.out);
  const started = performance.now();
  const base = { name: config.model, model: config.model, dataset: ds.name, maskSeen: true };

  if ((BASELINE_MODELS as readonly string[]).includes(config.model)) {
    // Recorded with the dataset, so that `seqrank export` can fit the same model again for serving.
    const modelConfig =
      config.model === "pop"
        ? {}
        : parseConfig(ItemKnnConfigSchema, config.modelConfig ?? {}, "itemknn config");
    const model =
      config.model === "pop"
        ? createPop(data.trainPopularity)
        : fitItemKnn(data.sequences, data.nItems, modelConfig);
    const valid = await evaluateFullRanking(model.scorerFor(data.valid), data.valid);
    const test = await evaluateFullRanking(model.scorerFor(data.test), data.test);
    return writeRunReport(out, {
      ...base,
      config: { model: modelConfig, dataset: dir },
      valid: valid.metrics,
      test: test.metrics,
      timings: { total: (performance.now() - started) / 1000 },
      popularityBias: test.recommendedCounts
        ? popularityDeciles(data.trainPopularity, test.recommendedCounts)
        : undefined,
    }).run;
  }

  const factory = NEURAL_MODELS[config.model];
  if (!factory)
    throw new SeqrankError(
      "SR_ERR_CONFIG",
      `model: unknown model "${config.model}" (choose ${[...BASELINE_MODELS, ...Object.keys(NEURAL_MODELS)].join(", ")})`,
    );
  const modelConfig = parseConfig(factory.configSchema, config.modelConfig ?? {}, `${config.model} config`);
  const model = factory.create(modelConfig, modelDataOf(data), new ParamStore(config.seed ?? 42));
  const loss = (modelConfig as { loss?: { kind?: string } }).loss?.kind;
  if (loss) base.name = `${config.model}-${loss}`;
  const fitConfig = config.fit ?? {};
  const result = await fit(model, data, fitConfig, join(out, "checkpoints"), hooks);
  return writeRunReport(out, {
    ...base,
    config: { model: modelConfig, fit: fitConfig, dataset: dir },
    bestEpoch: result.bestEpoch,
    valid: result.valid,
    test: result.test,
    history: result.history,
    timings: {
      train: result.trainSeconds,
      toBestEpoch: result.secondsToBest,
      epochsRun: result.epochsRun,
      total: (performance.now() - started) / 1000,
    },
    popularityBias: result.testDetail.recommendedCounts
      ? popularityDeciles(data.trainPopularity, result.testDetail.recommendedCounts)
      : undefined,
  }).run;
}
