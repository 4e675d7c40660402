#!/usr/bin/env node
// The `seqrank` command: one file per subcommand, each registering itself on the program.
import { Command } from "commander";
import { registerCompare } from "./compare.js";
import { registerEvaluate } from "./evaluate.js";
import { registerPrepare } from "./prepare.js";
import { registerServe } from "./serve.js";
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
registerServe(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  const e = err as { code?: string; message?: string };
  console.error(`seqrank: ${e.code ? `${e.code}: ` : ""}${e.message ?? String(err)}`);
  process.exit(1);
});
