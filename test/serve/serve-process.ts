// Entry point for tests that need a real server process: `node --import tsx test/serve/serve-process.ts serve …`
// runs the `seqrank serve` command exactly as the CLI does (core only, no extension plugins).
import { Command } from "commander";
import { registerServe } from "../../src/cli/serve.js";

const program = new Command("seqrank");
registerServe(program);
program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
