// The CTR rankers by name (an explicit table: no lookup by convention).
import type { ParamStore } from "../graph/param-store.js";
import { parseConfig } from "../util/config-issues.js";
import { SeqrankError } from "../util/errors.js";
import { deepfm } from "./models/deepfm.js";
import { din } from "./models/din.js";
import { fm } from "./models/fm.js";
import { hybridMf } from "./models/hybrid-mf.js";
import { lr } from "./models/lr.js";
import { mmoe } from "./models/mmoe.js";
import type { CtrModelFactory, CtrRanker, RankerData } from "./ranker.js";

export const CTR_MODELS: Record<string, CtrModelFactory<unknown>> = {
  lr,
  fm,
  deepfm,
  "hybrid-mf": hybridMf,
  din,
  mmoe,
} as Record<string, CtrModelFactory<unknown>>;

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
