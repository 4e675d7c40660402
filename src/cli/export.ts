// `seqrank export <run dir> --registry <dir> [--as <version>]`: the run's best weights as a servable model (ONNX user
// encoder + item vectors + id map) in a model registry, activated atomically; plus the full inference graph as
// ONNX and the weights as safetensors.
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { BuildContext } from "../graph/context.js";
import { exportOnnx, exportWeights } from "../graph/export.js";
import { Graph } from "../graph/graph.js";
import { exportServingModel, ModelRegistry } from "../serve/model/index.js";
import { loadRun } from "../train/run-dir.js";
import { printResultLine } from "../util/result-line.js";

export async function exportRun(runDir: string, registryRoot: string, version?: string) {
  const dir = resolve(runDir);
  const { model, datasetDir } = loadRun(dir);
  const registry = new ModelRegistry(resolve(registryRoot));
  const v = version ?? `v${Date.now()}`;
  const target = registry.dir(v);
  const manifest = await exportServingModel(model, target, {
    version: v,
    itemsTsv: join(datasetDir, "items.tsv"),
    resultsJson: join(dir, "results.json"),
  });
  const g = new Graph();
  exportOnnx(
    join(target, "model.onnx"),
    { scores: model.buildScoreGraph(new BuildContext(g, model.store, false)) },
    model.store,
  );
  exportWeights(join(target, "weights.safetensors"), model.store, { model: model.name });
  registry.activate(v);
  return { version: v, dir: target, manifest };
}

export function registerExport(program: Command): void {
  program
    .command("export")
    .description(
      "export a trained run: ONNX (user encoder and full scorer), item vectors, safetensors weights",
    )
    .argument("<run>", "run directory written by seqrank train")
    .requiredOption("--registry <dir>", "model registry root (runs/<version>/ + current)")
    .option("--as <version>", "version name (default v<timestamp>)")
    .action(async (run: string, flags: { registry: string; as?: string }) => {
      const r = await exportRun(run, flags.registry, flags.as);
      printResultLine({ command: "export", version: r.version, dir: r.dir });
    });
}
