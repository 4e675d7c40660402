// Hyperparameter search: random configurations from a declared space, trained with successive halving — every
// trial runs a few epochs, the best third continues with three times the budget, and so on. Trials continue
// from their own checkpoints (fit resumes), so no epoch is trained twice.
import { join } from "node:path";
import { z } from "zod";
import { Rng } from "../graph/init.js";
import { ParamStore } from "../graph/param-store.js";
import type { ModelFactory } from "../models/model.js";
import { parseConfig } from "../util/config-issues.js";
import { type FitConfig, fit } from "./fit.js";
import { modelDataOf, type TrainData } from "./train-data.js";

/** A value list to choose from, or a numeric range sampled uniformly (or log-uniformly). */
const DimensionSchema = z.union([
  z.array(z.union([z.number(), z.string(), z.boolean()])).min(1),
  z.strictObject({
    min: z.number(),
    max: z.number(),
    log: z.boolean().default(false),
    int: z.boolean().default(false),
  }),
]);
/** Keys are dotted paths into the model config ("loss.negatives") or "fit.<option>" ("fit.lr"). */
export const SearchSpaceSchema = z.record(z.string(), DimensionSchema);
export type SearchSpace = z.infer<typeof SearchSpaceSchema>;

export const TuneConfigSchema = z.strictObject({
  trials: z.number().int().positive().default(12),
  /** Epochs of the first rung; each later rung trains three times as long. */
  minEpochs: z.number().int().positive().default(3),
  rungs: z.number().int().positive().default(3),
  seed: z.number().int().default(1),
});
export type TuneConfig = z.infer<typeof TuneConfigSchema>;

export interface Trial {
  id: number;
  params: Record<string, unknown>;
  epochs: number;
  validNdcg10: number;
  test?: Record<string, number>;
}

export function sampleParams(space: SearchSpace, rng: Rng): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, dim] of Object.entries(space)) {
    if (Array.isArray(dim)) out[key] = dim[rng.int(dim.length)];
    else {
      const u = rng.next();
      let v = dim.log
        ? Math.exp(Math.log(dim.min) + u * (Math.log(dim.max) - Math.log(dim.min)))
        : dim.min + u * (dim.max - dim.min);
      if (dim.int) v = Math.round(v);
      out[key] = v;
    }
  }
  return out;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  let node = target;
  for (const k of keys.slice(0, -1)) {
    node[k] = { ...((node[k] as Record<string, unknown>) ?? {}) };
    node = node[k] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}

export async function tune(
  factory: ModelFactory<unknown>,
  data: TrainData,
  space: SearchSpace,
  base: { model?: Record<string, unknown>; fit?: Partial<FitConfig> },
  cfg: Partial<TuneConfig>,
  outDir: string,
  onTrial?: (t: Trial) => void,
): Promise<Trial[]> {
  const c = parseConfig(TuneConfigSchema, cfg, "tune config");
  const rng = new Rng(c.seed);
  let alive: Trial[] = Array.from({ length: c.trials }, (_, id) => ({
    id,
    params: sampleParams(space, rng),
    epochs: 0,
    validNdcg10: -1,
  }));
  const all = [...alive];
  let epochs = c.minEpochs;
  for (let rung = 0; rung < c.rungs && alive.length > 0; rung++) {
    for (const t of alive) {
      const model: Record<string, unknown> = { ...(base.model ?? {}) };
      const fitCfg: Record<string, unknown> = { ...(base.fit ?? {}), epochs, patience: epochs };
      for (const [k, v] of Object.entries(t.params)) {
        if (k.startsWith("fit.")) fitCfg[k.slice(4)] = v;
        else setPath(model, k, v);
      }
      const instance = factory.create(
        factory.configSchema.parse(model),
        modelDataOf(data),
        new ParamStore(c.seed + t.id),
      );
      const r = await fit(instance, data, fitCfg as Partial<FitConfig>, join(outDir, `trial-${t.id}`));
      t.epochs = r.epochsRun;
      t.validNdcg10 = r.valid["NDCG@10"] ?? -1;
      t.test = r.test;
      onTrial?.(t);
    }
    alive = [...alive]
      .sort((a, b) => b.validNdcg10 - a.validNdcg10)
      .slice(0, Math.max(1, Math.floor(alive.length / 3)));
    if (alive.length === 1 && rung > 0) break;
    epochs *= 3;
  }
  return all.sort((a, b) => b.validNdcg10 - a.validNdcg10);
}
