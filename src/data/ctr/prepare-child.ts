// The child process of prepare-sync.ts: `node prepare-child <config.json> <out>` runs prepareCtr and prints a
// one-line JSON summary; on failure it writes the error's code and message on one marked stderr line.
import { readFileSync } from "node:fs";
import { prepareCtr } from "./prepare-ctr.js";
import { ERROR_MARK } from "./prepare-sync.js";

const [specFile, out] = process.argv.slice(2);
try {
  const { built, accounting } = await prepareCtr(JSON.parse(readFileSync(specFile, "utf8")), { out });
  console.log(JSON.stringify({ counts: built.meta.counts, accounting }));
} catch (err) {
  const e = err as { code?: string; message?: string };
  const code = e.code?.startsWith("SR_ERR_") ? e.code : "SR_ERR_INTERNAL";
  process.stderr.write(`${ERROR_MARK}${JSON.stringify({ code, message: e.message ?? String(err) })}\n`);
  process.exit(1);
}
