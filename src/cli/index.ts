#!/usr/bin/env node
// The `seqrank` command: one file per subcommand, each registering itself on the program.
import { Command } from "commander";
import { dashboard } from "../serve/plugins/dashboard.js";
import { recommender } from "../serve/plugins/recommender.js";
import { registerCompare } from "./compare.js";
import { registerEvaluate } from "./evaluate.js";
import { registerExport } from "./export.js";
import { registerPrepare } from "./prepare.js";
import { registerServe } from "./serve.js";
import { registerStart } from "./start.js";
import { registerTrain } from "./train.js";
import { registerTune } from "./tune.js";

const program = new Command("seqrank")
  .description("Sequential recommendation and product search: prepare, train, evaluate, serve, export")
  .version("0.1.0");

registerPrepare(program);
registerTrain(program);
registerEvaluate(program);
registerTune(program);
registerCompare(program);
registerServe(program, { plugins: () => [recommender(), dashboard()] });
registerExport(program);
registerStart(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  const e = err as { code?: string; message?: string };
  console.error(`seqrank: ${e.code ? `${e.code}: ` : ""}${e.message ?? String(err)}`);
  process.exit(1);
});
