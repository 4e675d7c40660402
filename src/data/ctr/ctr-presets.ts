// The built-in CTR protocols by name: each is a prepare config over its shared-dataset folder (movielens.ts,
// taobao.ts), recognised by a file the folder holds. `seqrank prepare <name> --task ctr` prepares one into a
// folder; loadCtrDataset(<name>) prepares it once into the cache (ctr-prepared-cache.ts) and loads it.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { defined } from "../../util/defined.js";
import { SeqrankError } from "../../util/errors.js";
import { defaultDatasetsDir } from "../presets.js";
import type { IngestSpecInput } from "../source.js";
import { type MovielensCtrOptions, movielens1mCtrSpec } from "./movielens.js";
import { taobaoCtrSpec } from "./taobao.js";

export interface CtrPresetOptions {
  /** Split (and liked/disliked shuffle) seed; default 2024. */
  seed?: number;
  /** History length of the sequence fields (movielens-1m: 0 = none). */
  historyLen?: number;
  /** movielens-1m: "threshold" (every rating, ≥ 4 positive) or "recbole" (rating-3 rows filtered). */
  protocol?: MovielensCtrOptions["protocol"];
}

interface CtrPreset {
  /** A file the dataset folder holds. */
  marker: string;
  spec(dir: string, opts: CtrPresetOptions): IngestSpecInput;
}

const noProtocol = (name: string, opts: CtrPresetOptions) => {
  if (opts.protocol !== undefined && opts.protocol !== "threshold") {
    throw new SeqrankError(
      "SR_ERR_CTR_DATA",
      `protocol ${opts.protocol} applies to movielens-1m only, not ${name}`,
    );
  }
};

export const CTR_PRESETS: Record<string, CtrPreset> = {
  "movielens-1m": {
    marker: "ratings.tsv",
    spec: (dir, o) =>
      movielens1mCtrSpec(dir, defined({ seed: o.seed, historyLen: o.historyLen, protocol: o.protocol })),
  },
  "taobao-userbehavior-sample": {
    marker: "user_behavior.csv",
    spec: (dir, o) => {
      noProtocol("taobao-userbehavior-sample", o);
      return taobaoCtrSpec(dir, defined({ seed: o.seed, historyLen: o.historyLen }));
    },
  },
};

/** The preset whose marker file `dir` holds. */
export function ctrPresetOf(dir: string): CtrPreset | undefined {
  return Object.values(CTR_PRESETS).find((p) => existsSync(join(dir, p.marker)));
}

/** The prepare config of a built-in CTR protocol, reading from `datasetsDir` (default: defaultDatasetsDir()). */
export function ctrPresetSpec(
  name: string,
  opts: CtrPresetOptions & { datasetsDir?: string } = {},
): IngestSpecInput {
  const preset = CTR_PRESETS[name];
  if (!preset) {
    throw new SeqrankError(
      "SR_ERR_UNKNOWN_PRESET",
      `no CTR preset "${name}"; CTR presets: ${Object.keys(CTR_PRESETS).join(", ")} (or --config <file.json> with a "ctr" section)`,
    );
  }
  return preset.spec(join(opts.datasetsDir ?? defaultDatasetsDir(), name), opts);
}
