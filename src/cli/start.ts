// `seqrank start` (= `npm start`): the main job on the default data. Prepares amazon-beauty if it is not
// prepared, trains SASRec if no model is registered, exports it, then serves the API and the dashboard.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { MODEL_JSON, ModelRegistry } from "../artifact/index.js";
import { defaultDatasetsDir } from "../data/presets.js";
import { dashboard } from "../serve/plugins/dashboard.js";
import { recommender } from "../serve/plugins/recommender.js";
import { startServer } from "../serve/server.js";
import { runNextItem } from "../train/run.js";
import { defined } from "../util/defined.js";
import { printResultLine } from "../util/result-line.js";
import { exportRun } from "./export.js";
import { preparePreset } from "./prepare.js";
import { serveConfigFromFlags } from "./serve.js";
import { progressHooks } from "./train.js";

interface StartFlags {
  dataset: string;
  port: number;
  host: string;
  epochs?: number;
}

/** Whether a registry version's model.json records its files' checksums and its encoder feeds. */
function isCurrentExport(versionDir: string): boolean {
  try {
    const manifest = JSON.parse(readFileSync(join(versionDir, MODEL_JSON), "utf8"));
    return manifest.files !== undefined && manifest.feeds !== undefined;
  } catch {
    return true; // unreadable: let the loader report it with the file named
  }
}

async function startAction(flags: StartFlags): Promise<void> {
  const dataDir = resolve("data", flags.dataset);
  if (!existsSync(join(dataDir, "meta.json"))) {
    process.stderr.write(`preparing ${flags.dataset} into ${dataDir}\n`);
    await preparePreset(flags.dataset, dataDir);
  }
  const registry = new ModelRegistry(resolve("runs", "registry"));
  const runDir = resolve("runs", `${flags.dataset}-sasrec-ce`);
  const current = registry.current();
  if (current && !isCurrentExport(registry.dir(current)) && existsSync(join(runDir, "results.json"))) {
    // A version exported before checksums and feed specs would be refused at load: export the run again.
    process.stderr.write(`re-exporting ${runDir}: ${current} predates the current model.json\n`);
    await exportRun(runDir, registry.root, `v${Date.now()}`);
  }
  if (!registry.current()) {
    process.stderr.write(`training SASRec on ${flags.dataset} into ${runDir} (resumes if interrupted)\n`);
    const run = await runNextItem(
      {
        dataset: dataDir,
        out: runDir,
        model: "sasrec",
        modelConfig: { loss: { kind: "ce" } },
        fit: defined({ epochs: flags.epochs, seed: 42 }),
        seed: 42,
      },
      progressHooks(true),
    );
    const ndcg = run.test["NDCG@10"];
    process.stderr.write(
      `trained ${run.name}: test NDCG@10 ${ndcg === undefined ? "?" : ndcg.toFixed(4)} (${join(runDir, "report.html")})\n`,
    );
    await exportRun(runDir, registry.root, "v1");
  }
  const catalog = join(defaultDatasetsDir(), flags.dataset, "items.jsonl");
  const config = serveConfigFromFlags({
    data: dataDir,
    model: registry.root,
    catalog: existsSync(catalog) ? catalog : undefined,
    db: resolve("runs", "seqrank.db"),
    host: flags.host,
    port: flags.port,
    // Local demo: the dashboard reads and sends click events without a key (said in the output).
    publicReads: true,
    openWrites: true,
    apiKey: [],
    rateLimit: false,
  } as Parameters<typeof serveConfigFromFlags>[0]);
  const server = await startServer({ config, plugins: [recommender(), dashboard()] });
  process.stderr.write(
    `local demo: reads and writes need no API key; do not expose ${server.url} (seqrank serve is the service)\n`,
  );
  printResultLine({
    command: "start",
    listening: server.url,
    dashboard: `${server.url}/`,
    model: registry.current(),
    publicReads: config.auth.publicReads,
    openWrites: config.auth.openWrites,
  });
}

export function registerStart(program: Command): void {
  program
    .command("start")
    .description(
      "prepare the default dataset, train and export SASRec if no model exists, then serve API + dashboard",
    )
    .option("--dataset <preset>", "dataset preset", "amazon-beauty")
    .option("--host <host>", "listen address", "127.0.0.1")
    .option("--port <port>", "listen port", Number, 8080)
    .option("--epochs <n>", "most training epochs (default 200 with early stopping)", Number)
    .action(startAction);
}
