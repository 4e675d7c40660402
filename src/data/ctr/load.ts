// CTR datasets by name or by directory: a prepared CTR table (a folder holding ctr.json, made by
// `seqrank prepare … --task ctr` or a config with a "ctr" section), a built-in protocol (movielens-1m,
// taobao-userbehavior-sample: prepared once through the same DuckDB stage and cached, ctr-prepared-cache.ts;
// also a folder holding one of their files), or DeepCTR's samples (ctr-samples/<criteo|avazu|movielens>).
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { SeqrankError } from "../../util/errors.js";
import { defaultDatasetsDir } from "../presets.js";
import { CTR_JSON, readCtrTable } from "./ctr-cache.js";
import type { RawColumn, RawCtrData } from "./ctr-data.js";
import { preparedCtrDir } from "./ctr-prepared-cache.js";
import { type CtrPresetOptions, ctrPresetOf } from "./ctr-presets.js";
import { CTR_SAMPLES, type CtrSample, readCtrSample } from "./ctr-samples.js";

export interface LoadCtrOptions extends CtrPresetOptions {
  /** Folder holding the shared datasets (default: $SEQRANK_DATASETS or ../shared/datasets). */
  datasetsDir?: string;
}

export const CTR_DATASETS = [
  "movielens-1m",
  "taobao-userbehavior-sample",
  ...CTR_SAMPLES.map((s) => `ctr-samples/${s}`),
] as const;

export async function loadCtrDataset(nameOrDir: string, opts: LoadCtrOptions = {}): Promise<RawCtrData> {
  const [base, sample] = nameOrDir.split(/\/(?=criteo$|avazu$|movielens$)/);
  const named = join(opts.datasetsDir ?? defaultDatasetsDir(), base);
  const dir = existsSync(named) ? named : resolve(base);
  if (existsSync(join(dir, CTR_JSON))) return loadPrepared(dir, opts);
  const preset = ctrPresetOf(dir);
  if (preset) return readCtrTable(await preparedCtrDir(preset.spec(dir, opts))).data;
  if (opts.protocol !== undefined && opts.protocol !== "threshold") {
    throw new SeqrankError("SR_ERR_CTR_DATA", `protocol ${opts.protocol} applies to movielens-1m only`);
  }
  if (sample && (CTR_SAMPLES as readonly string[]).includes(sample)) {
    return readCtrSample(dir, sample as CtrSample, opts.seed);
  }
  throw new SeqrankError(
    "SR_ERR_CTR_DATA",
    `no CTR dataset at ${nameOrDir}: use a folder prepared with a "ctr" config (seqrank prepare), or one of ${CTR_DATASETS.join(", ")}`,
  );
}

/** A folder prepared by `seqrank prepare`: its split is fixed; `historyLen` re-cuts its sequence fields. */
function loadPrepared(dir: string, opts: LoadCtrOptions): RawCtrData {
  if (opts.protocol !== undefined) {
    throw new SeqrankError(
      "SR_ERR_CTR_DATA",
      `${dir}: --protocol applies to the built-in movielens-1m; a prepared table's labels come from its config`,
    );
  }
  const { meta, data } = readCtrTable(dir);
  if (opts.seed !== undefined && meta.split.seed !== opts.seed) {
    throw new SeqrankError(
      "SR_ERR_CTR_DATA",
      `${dir}: the split was made at prepare time (ctr.split ${JSON.stringify(meta.split)}); prepare again for another seed`,
    );
  }
  return withHistoryLen(data, opts.historyLen, dir);
}

/** historyLen 0 drops the sequence fields; n feeds at most n entries of each (a row's prepared list must be
 *  at least that long: it was cut at prepare time). */
function withHistoryLen(data: RawCtrData, historyLen: number | undefined, dir = data.name): RawCtrData {
  if (historyLen === undefined) return data;
  const columns: RawColumn[] = [];
  for (const c of data.columns) {
    if (c.group !== "sequence" || c.kind !== "multi") {
      columns.push(c);
      continue;
    }
    if (historyLen === 0) continue;
    if (c.key === "row" && historyLen > c.maxLen) {
      throw new SeqrankError(
        "SR_ERR_CTR_DATA",
        `${dir}: ${c.name} was prepared with length ${c.maxLen}; prepare again for a longer history than that`,
      );
    }
    columns.push({ ...c, maxLen: historyLen });
  }
  return { ...data, columns };
}
