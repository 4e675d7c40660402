// What every `seqrank train` task prints on stderr when its run resumes: each damaged checkpoint skipped (and
// where it was moved), then the checkpoint resumed from.
import type { LoopResume } from "../train/epoch-loop.js";

export function printResume(r: LoopResume): void {
  for (const bad of r.rejected) process.stderr.write(`warning: ${bad.reason}; moved it to ${bad.movedTo}\n`);
  process.stderr.write(`resuming from ${r.path} after epoch ${r.epoch}\n`);
}
