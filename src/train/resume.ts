// The resumable train state of a run: last.safetensors after every epoch, and previous.safetensors, the one
// before it. A damaged last checkpoint falls back to the previous one (the caller is told, and the damaged file
// is kept aside as *.damaged); with neither usable, resuming fails with the reasons. Training never restarts
// silently from fresh or zero-padded weights.
import { existsSync, renameSync } from "node:fs";
import { join } from "node:path";
import { type Checkpointable, loadTrainState, saveTrainState } from "../graph/checkpoint.js";
import { SeqrankError } from "../util/errors.js";

export const LAST_CHECKPOINT = "last.safetensors";
export const PREVIOUS_CHECKPOINT = "previous.safetensors";

export interface RejectedCheckpoint {
  path: string;
  reason: string;
  /** Where the damaged file was moved, so the next save does not rotate it over the good previous one. */
  movedTo?: string;
}

export interface Resumed<T> {
  /** The checkpoint training resumes from. */
  path: string;
  progress: T;
  /** Newer checkpoints that were damaged and skipped. */
  rejected: RejectedCheckpoint[];
}

/** Saves the train state as the last checkpoint, keeping the one it replaces as the previous checkpoint. */
export function saveResumable(dir: string, step: Checkpointable, metadata: Record<string, string>): void {
  const last = join(dir, LAST_CHECKPOINT);
  if (existsSync(last)) renameSync(last, join(dir, PREVIOUS_CHECKPOINT));
  saveTrainState(last, step, metadata);
}

/**
 * Loads the newest usable checkpoint of `dir` into `step` and returns its progress (`readProgress` throws a
 * SR_ERR_CHECKPOINT error for metadata it cannot use). Undefined when `dir` holds no checkpoint at all.
 */
export function resumeTrainState<T>(
  dir: string,
  step: Checkpointable,
  readProgress: (metadata: Record<string, string>, path: string) => T,
): Resumed<T> | undefined {
  const rejected: RejectedCheckpoint[] = [];
  for (const name of [LAST_CHECKPOINT, PREVIOUS_CHECKPOINT]) {
    const path = join(dir, name);
    if (!existsSync(path)) continue;
    try {
      // Each load overwrites every parameter and optimizer slot, so a candidate rejected after loading leaves
      // nothing behind once a later one loads.
      const progress = readProgress(loadTrainState(path, step), path);
      for (const r of rejected) {
        r.movedTo = `${r.path}.damaged`;
        renameSync(r.path, r.movedTo);
      }
      return { path, progress, rejected };
    } catch (err) {
      if (!(err instanceof SeqrankError && err.code === "SR_ERR_CHECKPOINT")) throw err;
      rejected.push({ path, reason: err.message });
    }
  }
  if (rejected.length === 0) return undefined;
  throw new SeqrankError(
    "SR_ERR_CHECKPOINT",
    `cannot resume from ${dir}, no usable checkpoint: ${rejected.map((r) => r.reason).join("; ")}`,
  );
}
