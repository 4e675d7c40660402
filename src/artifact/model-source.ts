// What `--model <path>` (config modelDir) names, decided once at start, never by falling back: a model registry
// (serves its `current` version and can hot-swap), an exported model directory (model.json), or a training run
// directory (results.json + checkpoints/: exported to a temporary directory, loaded through the same verified
// loader, and the temporary copy removed). Anything else, a missing path included, is SR_ERR_MODEL_PATH.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { SeqrankError } from "../util/errors.js";
import { isBaselineRun } from "./baseline-model.js";
import { exportRunVersion } from "./export-run.js";
import { type LoadModelOptions, loadServingModel } from "./onnx-model.js";
import { isRerankRun } from "./ranker-model.js";
import { ModelRegistry } from "./registry.js";
import { MODEL_JSON, type ServingModel } from "./serving-model.js";

export type ModelSource =
  | { kind: "registry"; path: string; registry: ModelRegistry }
  | { kind: "model-dir"; path: string }
  | { kind: "run"; path: string };

/** The version name a training run served directly gets (it is not in any registry). */
export const RUN_VERSION = "run";

const pathError = (path: string, why: string) =>
  new SeqrankError("SR_ERR_MODEL_PATH", `--model ${path}: ${why}`);

export function resolveModelSource(given: string): ModelSource {
  const path = resolve(given);
  if (!existsSync(path)) throw pathError(path, "no such file or directory");
  if (!statSync(path).isDirectory()) throw pathError(path, "is not a directory");
  if (existsSync(join(path, MODEL_JSON))) return { kind: "model-dir", path };
  if (
    existsSync(join(path, "results.json")) &&
    (existsSync(join(path, "checkpoints")) || isBaselineRun(path) || isRerankRun(path))
  )
    return { kind: "run", path };
  const registry = new ModelRegistry(path);
  const versions = registry.versions();
  if (existsSync(join(path, "current")) || versions.length > 0) {
    const current = registry.current();
    if (!current) {
      throw pathError(
        path,
        `a model registry with no current version (versions: ${versions.join(", ") || "none"}); ` +
          "activate one with `seqrank export <run> --registry <root>` or write its name into current",
      );
    }
    return { kind: "registry", path, registry };
  }
  const entries = readdirSync(path).slice(0, 5).join(", ");
  throw pathError(
    path,
    "neither a model registry (<version>/model.json + current), an exported model (model.json) nor a " +
      `training run (results.json + checkpoints/); it holds ${entries || "nothing"}`,
  );
}

export interface OpenedModel {
  model: ServingModel;
  /** The directory whose results.json the dashboard shows. */
  dir: string;
}

/** Loads `version` of a registry; the served version is the registry's name for it, whatever model.json says. */
export async function loadRegistryVersion(
  registry: ModelRegistry,
  version: string,
  opts?: LoadModelOptions,
): Promise<OpenedModel> {
  const dir = registry.dir(version);
  const model = await loadServingModel(dir, opts);
  return { model: { ...model, version }, dir };
}

/** Loads the model a source names; `log` says what is done (a run is exported first). */
export async function openModelSource(
  source: ModelSource,
  opts: LoadModelOptions | undefined,
  log: (message: string) => void,
): Promise<OpenedModel> {
  if (source.kind === "registry")
    return loadRegistryVersion(source.registry, source.registry.current()!, opts);
  if (source.kind === "model-dir")
    return { model: await loadServingModel(source.path, opts), dir: source.path };
  const tmp = mkdtempSync(join(tmpdir(), "seqrank-run-model-"));
  try {
    log(
      `--model ${source.path} is a training run: exporting it (its best checkpoint, or its baseline) for serving ` +
        "(not kept; `seqrank export <run> --registry <root>` makes a registry version that can hot-swap)",
    );
    await exportRunVersion(source.path, tmp, RUN_VERSION);
    // The sessions hold the encoders in memory: the exported copy is not needed once loaded.
    return { model: await loadServingModel(tmp, opts), dir: source.path };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
