// CTR datasets by name (a shared-dataset folder, or ctr-samples/<criteo|avazu|movielens>) or by directory:
// the reader is chosen by the files the folder holds.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { defined } from "../../util/defined.js";
import { SeqrankError } from "../../util/errors.js";
import { defaultDatasetsDir } from "../presets.js";
import type { RawCtrData } from "./ctr-data.js";
import { CTR_SAMPLES, type CtrSample, readCtrSample } from "./ctr-samples.js";
import { type MovielensCtrOptions, readMovielens1mCtr } from "./movielens.js";
import { readTaobaoCtr } from "./taobao.js";

export interface LoadCtrOptions {
  /** Folder holding the shared datasets (default: $SEQRANK_DATASETS or ../shared/datasets). */
  datasetsDir?: string;
  seed?: number;
  /** History length of the sequence fields (0 = no history, movielens-1m only). */
  historyLen?: number;
  /** movielens-1m: "threshold" (every rating, ≥ 4 positive) or "recbole" (rating-3 rows deleted). */
  protocol?: MovielensCtrOptions["protocol"];
}

export const CTR_DATASETS = [
  "movielens-1m",
  "taobao-userbehavior-sample",
  ...CTR_SAMPLES.map((s) => `ctr-samples/${s}`),
] as const;

export function loadCtrDataset(nameOrDir: string, opts: LoadCtrOptions = {}): RawCtrData {
  const [base, sample] = nameOrDir.split(/\/(?=criteo$|avazu$|movielens$)/);
  const named = join(opts.datasetsDir ?? defaultDatasetsDir(), base);
  const dir = existsSync(named) ? named : resolve(base);
  const common = defined({ seed: opts.seed, historyLen: opts.historyLen });
  if (existsSync(join(dir, "ratings.tsv")))
    return readMovielens1mCtr(dir, { ...common, ...defined({ protocol: opts.protocol }) });
  if (opts.protocol !== undefined && opts.protocol !== "threshold") {
    throw new SeqrankError("SR_ERR_CTR_DATA", `protocol ${opts.protocol} applies to movielens-1m only`);
  }
  if (existsSync(join(dir, "user_behavior.csv"))) return readTaobaoCtr(dir, common);
  if (sample && (CTR_SAMPLES as readonly string[]).includes(sample)) {
    return readCtrSample(dir, sample as CtrSample, opts.seed);
  }
  throw new SeqrankError(
    "SR_ERR_CTR_DATA",
    `no CTR dataset at ${nameOrDir}: use one of ${CTR_DATASETS.join(", ")} or a folder holding one of them`,
  );
}
