// Every model seqrank can train, by name: one explicit table (no lookup by convention), each entry tagged
// with its task. next-item models read behaviour sequences and score the whole catalogue: the networks train
// through src/train/fit.ts, the baselines (pop, itemknn) are fitted directly by src/train/run.ts. ctr models
// are the rankers of src/models/ctr, trained by src/train/ctr and, over a sequence model's candidates, by
// src/train/rerank. The lookups below (and the CLI's choices, help texts and errors) are derived from it.
import type { ParamStore } from "../graph/param-store.js";
import { parseConfig } from "../util/config-issues.js";
import { SeqrankError } from "../util/errors.js";
import { bert4rec } from "./bert4rec.js";
import { bprmf } from "./bprmf.js";
import { deepfm } from "./ctr/deepfm.js";
import { din } from "./ctr/din.js";
import { fm } from "./ctr/fm.js";
import { hybridMf } from "./ctr/hybrid-mf.js";
import { lr } from "./ctr/lr.js";
import { mmoe } from "./ctr/mmoe.js";
import type { CtrModelFactory, CtrRanker, RankerData } from "./ctr/ranker.js";
import { gru4rec } from "./gru4rec.js";
import type { ModelFactory } from "./model.js";
import { sasrec } from "./sasrec.js";

export type ModelTask = "next-item" | "ctr";

export type ModelEntry =
  | { task: "next-item"; kind: "neural"; factory: ModelFactory<unknown> }
  | { task: "next-item"; kind: "baseline" }
  | { task: "ctr"; kind: "neural"; factory: CtrModelFactory<unknown> };

const nextItem = <C>(factory: ModelFactory<C>): ModelEntry => ({
  task: "next-item",
  kind: "neural",
  factory: factory as ModelFactory<unknown>,
});
const baseline: ModelEntry = { task: "next-item", kind: "baseline" };
const ctr = <C>(factory: CtrModelFactory<C>): ModelEntry => ({
  task: "ctr",
  kind: "neural",
  factory: factory as CtrModelFactory<unknown>,
});

/** The table, in the order the CLI lists the choices. */
export const MODELS: Readonly<Record<string, ModelEntry>> = {
  sasrec: nextItem(sasrec),
  bert4rec: nextItem(bert4rec),
  gru4rec: nextItem(gru4rec),
  bprmf: nextItem(bprmf),
  pop: baseline,
  itemknn: baseline,
  lr: ctr(lr),
  fm: ctr(fm),
  deepfm: ctr(deepfm),
  "hybrid-mf": ctr(hybridMf),
  din: ctr(din),
  mmoe: ctr(mmoe),
};

/** The names of a task's models, in the table's order. */
export function modelNames(task: ModelTask): string[] {
  return Object.keys(MODELS).filter((name) => MODELS[name].task === task);
}

/** The next-item networks by name. */
export const NEURAL_MODELS: Record<string, ModelFactory<unknown>> = {};
/** The CTR rankers by name. */
export const CTR_MODELS: Record<string, CtrModelFactory<unknown>> = {};
const baselines: string[] = [];
for (const [name, entry] of Object.entries(MODELS)) {
  if (entry.kind === "baseline") baselines.push(name);
  else if (entry.task === "next-item") NEURAL_MODELS[name] = entry.factory;
  else CTR_MODELS[name] = entry.factory;
}
/** The next-item baselines, fitted rather than trained. */
export const BASELINE_MODELS: readonly string[] = baselines;

export function createRanker(name: string, config: unknown, data: RankerData, store: ParamStore): CtrRanker {
  const factory = CTR_MODELS[name];
  if (!factory) {
    throw new SeqrankError(
      "SR_ERR_CTR_MODEL",
      `unknown CTR model ${name} (have ${Object.keys(CTR_MODELS).join(", ")})`,
    );
  }
  return factory.create(parseConfig(factory.configSchema, config ?? {}, `${name} config`), data, store);
}
