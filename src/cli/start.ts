// `seqrank start` (= `npm start`): the demo on the default data, answering at once. Prepares amazon-beauty if it
// is not prepared. With a model registered it serves it; without, it serves Pop of the dataset (popularity and
// co-visitation from its interactions) at once and trains SASRec in a child process (start-training.ts), which
// exports it into the registry; the service follows the registry's `current` and hot-swaps it in, and the
// results are printed as a table. The service's logs go to runs/seqrank.log unless --verbose.
import { existsSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { MODEL_JSON, ModelRegistry, type ServingModel } from "../artifact/index.js";
import { defaultDatasetsDir } from "../data/presets.js";
import type { LogStream } from "../serve/logging.js";
import { dashboard } from "../serve/plugins/dashboard.js";
import { recommender } from "../serve/plugins/recommender.js";
import { startServer } from "../serve/server.js";
import { defined } from "../util/defined.js";
import { printResultLine } from "../util/result-line.js";
import { exportRun } from "./export.js";
import { preparePreset } from "./prepare.js";
import { serveConfigFromFlags } from "./serve.js";
import { resultsTable, TrainingProgress, trainedSummary } from "./start-progress.js";
import { registerStartTrain, trainInBackground } from "./start-training.js";

interface StartFlags {
  dataset: string;
  port: number;
  host: string;
  epochs?: number;
  limit?: number;
  maxSeconds?: number;
  threads?: number;
  verbose?: boolean;
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

/** The service's logs (a JSON line per request) appended to a file, written synchronously like stderr's. */
function fileLogStream(path: string): LogStream {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, "a");
  return { write: (line) => void writeSync(fd, line) };
}

const shown = (path: string) => relative(process.cwd(), path) || ".";

async function startAction(flags: StartFlags): Promise<void> {
  const dataDir = resolve("data", flags.dataset);
  if (!existsSync(join(dataDir, "meta.json"))) {
    process.stderr.write(`preparing ${flags.dataset} into ${shown(dataDir)} (once)\n`);
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
  // No model registered: serve Pop of the dataset now, train SASRec in the background, hot-swap it in.
  const training = !registry.current();
  const logFile = resolve("runs", "seqrank.log");
  const catalog = join(defaultDatasetsDir(), flags.dataset, "items.jsonl");
  const config = serveConfigFromFlags({
    data: dataDir,
    model: training ? undefined : registry.root,
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
  let swapped: (outcome: { model?: ServingModel; err?: unknown }) => void = () => {};
  const swap = new Promise<{ model?: ServingModel; err?: unknown }>((r) => {
    swapped = r;
  });
  const server = await startServer({
    config,
    logStream: flags.verbose ? undefined : fileLogStream(logFile),
    plugins: [
      recommender(
        training
          ? {
              followRegistry: registry.root,
              swapEvents: {
                swapped: (o) => swapped({ model: o.model }),
                failed: (_, err) => swapped({ err }),
              },
            }
          : {},
      ),
      dashboard(),
    ],
  });
  const serving = training
    ? `serving Pop of ${flags.dataset} while SASRec trains in the background`
    : `serving ${registry.current()} from ${shown(registry.root)}`;
  process.stderr.write(`listening on ${server.url}/ (dashboard; API under /v1) · ${serving}\n`);
  process.stderr.write(
    `local demo: reads and writes need no API key; do not expose ${server.url} (seqrank serve is the service)\n`,
  );
  if (!flags.verbose) process.stderr.write(`request logs: ${shown(logFile)} (--verbose prints them here)\n`);
  printResultLine({
    command: "start",
    listening: server.url,
    dashboard: `${server.url}/`,
    model: training ? null : registry.current(),
    training,
    publicReads: config.auth.publicReads,
    openWrites: config.auth.openWrites,
  });
  if (training) trainAndSwap({ flags, dataDir, runDir, registry, swap });
}

interface TrainAndSwap {
  flags: StartFlags;
  dataDir: string;
  runDir: string;
  registry: ModelRegistry;
  swap: Promise<{ model?: ServingModel; err?: unknown }>;
}

/** Trains in a child process while the service serves Pop; prints the results table once swapped in. */
function trainAndSwap({ flags, dataDir, runDir, registry, swap }: TrainAndSwap): void {
  // With --verbose the service's log lines share stderr: a line per epoch, no redrawn line.
  const out = flags.verbose ? { write: (t: string) => process.stderr.write(t) } : process.stderr;
  const progress = new TrainingProgress(out, "training SASRec");
  process.once("exit", () => progress.clear()); // Ctrl-C: no half line left before the prompt
  const version = registry.versions().includes("v1") ? `v${Date.now()}` : "v1";
  const fit = defined({
    epochs: flags.epochs,
    limitSequences: flags.limit,
    maxSeconds: flags.maxSeconds,
    // The service keeps a core (the child is niced too).
    threads: flags.threads ?? Math.max(1, availableParallelism() - 1),
    seed: 42,
  });
  const job = {
    dataset: dataDir,
    runDir,
    popDir: resolve("runs", `${flags.dataset}-pop`),
    registry: registry.root,
    version,
    fit,
  };
  const logFile = join(runDir, "train.log");
  const background = trainInBackground(job, logFile, (m) => progress.update(m));
  background.done
    .then(async (done) => {
      progress.update({ kind: "phase", phase: `swapping ${done.version} in` });
      const outcome = await swap;
      progress.clear();
      if (!outcome.model) {
        const why = (outcome.err as Error | undefined)?.message ?? "unknown";
        process.stderr.write(`${done.version} was exported but not swapped in (${why}); still serving Pop\n`);
        return;
      }
      process.stderr.write(
        `SASRec trained, ${trainedSummary(done.sasrec)}; now serving ${outcome.model.name}@${outcome.model.version} (report: ${shown(join(runDir, "report.html"))})\n`,
      );
      process.stderr.write(
        `test split, seen items masked:\n${resultsTable([
          { label: `SASRec ${done.version}`, run: done.sasrec },
          { label: "Pop", run: done.pop },
        ])}\n`,
      );
    })
    .catch((err: Error) => {
      progress.clear();
      process.stderr.write(`background training failed: ${err.message}; still serving Pop\n`);
    });
}

export function registerStart(program: Command): void {
  program
    .command("start")
    .description(
      "serve API + dashboard at once (the registered model, or Pop of the default dataset while SASRec trains in the background and is hot-swapped in)",
    )
    .option("--dataset <preset>", "dataset preset", "amazon-beauty")
    .option("--host <host>", "listen address", "127.0.0.1")
    .option("--port <port>", "listen port", Number, 8080)
    .option("--epochs <n>", "most training epochs (default 200 with early stopping)", Number)
    .option("--limit <n>", "train on the first n sequences only (quick runs)", Number)
    .option("--max-seconds <s>", "stop training after this many seconds (checked between epochs)", Number)
    .option("--threads <n>", "training threads (default: cores - 1, at least 1)", Number)
    .option(
      "--verbose",
      "print the service's logs (a JSON line per request) instead of writing runs/seqrank.log",
    )
    .action(startAction);
  registerStartTrain(program);
}
