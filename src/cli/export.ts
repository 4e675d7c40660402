// `seqrank export <run dir> --registry <dir> [--as <version>] [--quantize int8|int8-weights]`: the run's best weights
// as a servable model (ONNX user encoder, optionally with int8 weight matmuls; item vectors; id map; the title
// encoder and token vocabulary when the model has a title tower) in a model registry, activated atomically; plus
// the full inference graph as ONNX and the weights as safetensors. A model whose encoder reads an input no
// feature builder fills is refused here (SR_ERR_MODEL_EXPORT naming the input), not when it is served.
import { resolve } from "node:path";
import { type Command, Option } from "commander";
import { exportRunVersion, ModelRegistry } from "../artifact/index.js";
import { QUANTIZE_MODES, type QuantizeMode } from "../graph/quantize.js";
import { printResultLine } from "../util/result-line.js";

export async function exportRun(
  runDir: string,
  registryRoot: string,
  version?: string,
  quantize?: QuantizeMode,
) {
  const registry = new ModelRegistry(resolve(registryRoot));
  const v = version ?? `v${Date.now()}`;
  const target = registry.dir(v);
  const manifest = await exportRunVersion(runDir, target, v, quantize);
  registry.activate(v);
  return { version: v, dir: target, manifest };
}

export function registerExport(program: Command): void {
  program
    .command("export")
    .description(
      "export a trained run: ONNX (user encoder and full scorer), item vectors, safetensors weights; a Pop or ItemKNN run as its baseline tables",
    )
    .argument("<run>", "run directory written by seqrank train")
    .requiredOption("--registry <dir>", "model registry root (runs/<version>/ + current)")
    .option("--as <version>", "version name (default v<timestamp>)")
    .addOption(
      new Option("--quantize <mode>", "int8 weight matmuls in the user encoder").choices(QUANTIZE_MODES),
    )
    .action(async (run: string, flags: { registry: string; as?: string; quantize?: QuantizeMode }) => {
      const r = await exportRun(run, flags.registry, flags.as, flags.quantize);
      const m = r.manifest;
      printResultLine({
        command: "export",
        version: r.version,
        dir: r.dir,
        ...("encoder" in m
          ? {
              quantization: m.quantization,
              titleEncoder: m.title !== undefined,
              // What the service will feed the user encoder, and which builder fills each input.
              encoderInputs: m.encoder.inputs.map((i) => `${i.name}:${i.builder}`).join(","),
            }
          : { baseline: m.name }),
      });
    });
}
