// Test helper: amazon-beauty prepared with its preset in a temp dir (the library calls `seqrank prepare`
// makes), a short fit() of a model on it, and Pop on the same valid users for comparison.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildDataset, ingest, loadDataset, presetSpec } from "../../src/data/index.js";
import type { EvalData } from "../../src/eval/index.js";
import { evaluateFullRanking } from "../../src/eval/index.js";
import { ParamStore } from "../../src/graph/index.js";
import { createPop } from "../../src/models/baselines/index.js";
import type { ModelFactory } from "../../src/models/model.js";
import { type FitConfig, type FitResult, fit } from "../../src/train/fit.js";
import { type TrainData, trainDataFrom } from "../../src/train/train-data.js";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const datasetsDir = join(repoRoot, "..", "shared", "datasets");

/** amazon-beauty as TrainData, with the valid and test parts cut to their first `evalUsers` users. */
export async function beautyTrainData(evalUsers: number): Promise<TrainData> {
  const out = mkdtempSync(join(tmpdir(), "sr-models-beauty-"));
  try {
    const ingested = await ingest(presetSpec("amazon-beauty", datasetsDir), { out });
    try {
      await buildDataset(ingested.conn, { ...ingested.build, out, name: ingested.name });
    } finally {
      ingested.close();
    }
    const data = trainDataFrom(loadDataset(out));
    const head = (d: EvalData): EvalData => ({
      ...d,
      users: d.users.slice(0, evalUsers),
      histories: d.histories.slice(0, evalUsers),
      targets: d.targets.slice(0, evalUsers),
    });
    return { ...data, valid: head(data.valid), test: head(data.test) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export interface BeautyRun {
  fit: FitResult;
  /** Pop's metrics on the same users. */
  pop: { valid: Record<string, number>; test: Record<string, number> };
  secondsPerEpoch: number;
}

/** Trains a fresh model (seeded store) with `fitConfig` (one thread) and evaluates Pop alongside. */
export async function fitOnBeauty<C>(
  data: TrainData,
  factory: ModelFactory<C>,
  config: unknown,
  fitConfig: Partial<FitConfig>,
): Promise<BeautyRun> {
  const maxSeqLen = data.sequences.reduce((m, s) => Math.max(m, s.length), 0);
  const model = factory.create(
    factory.configSchema.parse(config),
    { nItems: data.nItems, maxSeqLen },
    new ParamStore(7),
  );
  const result = await fit(model, data, { threads: 1, ...fitConfig });
  const pop = createPop(data.trainPopularity);
  const popOn = async (d: EvalData) => (await evaluateFullRanking(pop.scorerFor(d), d)).metrics;
  const r = {
    fit: result,
    pop: { valid: await popOn(data.valid), test: await popOn(data.test) },
    secondsPerEpoch: result.trainSeconds / result.epochsRun,
  };
  const show = (m: Record<string, number>) =>
    `NDCG@10 ${m["NDCG@10"].toFixed(4)} HR@10 ${m["HR@10"].toFixed(4)}`;
  console.log(
    `# ${factory.name}: valid ${show(result.valid)}, test ${show(result.test)}; Pop valid ${show(r.pop.valid)}, test ${show(r.pop.test)}; ` +
      `${r.secondsPerEpoch.toFixed(1)} s/epoch`,
  );
  return r;
}
