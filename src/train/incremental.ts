// Incremental training: continue a trained model on new events instead of retraining from scratch.
//   snapshotBefore: the dataset as it was before its last events (the data the deployed model saw);
//   growFromCheckpoint: load a checkpoint into a model built for the grown vocabulary; new item rows start at
//     zero when the model fuses side towers, so a new item's vector starts as its text/attribute towers' output;
//   continuationData: the sequences that changed (new users, new events) plus a replayed sample of the rest.
// Dense ids follow first appearance in chronological order, so the items and users of a snapshot are exactly
// ids 1..K of the full dataset: growing a vocabulary appends rows and never moves old ones. SASRec has no
// user table (a user is their sequence), so new users need no rows.

import type { PreparedDataset } from "../data/prepared.js";
import { leaveOneOutSplit } from "../data/split.js";
import { loadSafetensors } from "../graph/checkpoint.js";
import { BuildContext } from "../graph/context.js";
import { Graph } from "../graph/graph.js";
import { Rng } from "../graph/init.js";
import type { SequenceRecommender } from "../models/model.js";
import { SeqrankError } from "../util/errors.js";
import { type TrainData, trainDataFrom } from "./train-data.js";

export interface SnapshotOptions {
  /** Fraction of events held out (the newest). */
  heldOut: number;
  /** "time": events before the timestamp quantile; "position": the dataset's stored order (users by first
   * appearance, each user's events in order), which is file order for per-user sequence files. */
  by: "time" | "position";
}

/**
 * The dataset without its newest `heldOut` fraction of events: users and items that only occur later are
 * dropped (they are the id suffix), each user keeps a prefix of their row, and the split is leave-one-out
 * over the kept rows. Item features stay the full arrays (aligned by id).
 */
export function snapshotBefore(ds: PreparedDataset, opts: SnapshotOptions): PreparedDataset {
  if (!(opts.heldOut > 0 && opts.heldOut < 1))
    throw new SeqrankError("SR_ERR_INCREMENTAL", `heldOut must be in (0, 1), got ${opts.heldOut}`);
  const kept = keptMask(ds, opts);
  let nUsers = 0;
  let nItems = 0;
  const offsets = new Int32Array(ds.nUsers + 2);
  const positions: number[] = [];
  for (let u = 1; u <= ds.nUsers; u++) {
    for (let p = ds.offsets[u]; p < ds.offsets[u + 1] && kept[p]; p++) {
      positions.push(p);
      nItems = Math.max(nItems, ds.items[p]);
    }
    offsets[u + 1] = positions.length;
    if (positions.length > offsets[u]) nUsers = u;
  }
  const trimmed = offsets.slice(0, nUsers + 2);
  const events = Uint8Array.from(positions, (p) => ds.events[p]);
  return {
    ...ds,
    name: `${ds.name}-snapshot`,
    nUsers,
    nItems,
    nEvents: positions.length,
    offsets: trimmed,
    items: Int32Array.from(positions, (p) => ds.items[p]),
    events,
    ts: Float64Array.from(positions, (p) => ds.ts[p]),
    sessions: Int32Array.from(positions, (p) => ds.sessions[p]),
    split: leaveOneOutSplit(trimmed, events, ds.evalType),
  };
}

function keptMask(ds: PreparedDataset, opts: SnapshotOptions): Uint8Array {
  const kept = new Uint8Array(ds.nEvents);
  if (opts.by === "position") {
    kept.fill(1, 0, Math.floor(ds.nEvents * (1 - opts.heldOut)));
    return kept;
  }
  const sorted = Float64Array.from(ds.ts).sort();
  if (Number.isNaN(sorted[sorted.length - 1]))
    throw new SeqrankError("SR_ERR_INCREMENTAL", "snapshot by time needs a timestamp on every event");
  const cut = sorted[Math.floor(sorted.length * (1 - opts.heldOut))];
  for (let p = 0; p < ds.nEvents; p++) kept[p] = ds.ts[p] < cut ? 1 : 0;
  return kept;
}

/** Both the snapshot's and the full dataset's training data (trainDataFrom of each). */
export function incrementalPair(
  ds: PreparedDataset,
  opts: SnapshotOptions,
): { before: TrainData; after: TrainData } {
  return { before: trainDataFrom(snapshotBefore(ds, opts)), after: trainDataFrom(ds) };
}

export interface GrowReport {
  copied: string[];
  /** Parameters whose first dimension grew: old rows copied, new rows as `newRows` says. */
  grown: { name: string; from: number; to: number }[];
  /** Parameters the checkpoint does not have (kept at their fresh initialisation). */
  fresh: string[];
}

export interface GrowOptions {
  /** Parameters whose new rows start at zero instead of their fresh initialisation. */
  zeroNewRows?: readonly string[];
}

/**
 * Loads `checkpoint` (a safetensors file written by fit, or its tensors) into `model`, whose vocabularies
 * may be larger: every parameter is materialised by recording the training graph once, then filled from the
 * checkpoint where names match, copying old rows and keeping (or zeroing) the rows the vocabulary gained.
 */
export function growFromCheckpoint(
  model: SequenceRecommender,
  checkpoint: string | Map<string, { shape: number[]; data: Float32Array }>,
  opts: GrowOptions = {},
): GrowReport {
  model.buildTrainGraph(new BuildContext(new Graph(), model.store, true));
  const old = typeof checkpoint === "string" ? loadSafetensors(checkpoint).tensors : checkpoint;
  const report: GrowReport = { copied: [], grown: [], fresh: [] };
  for (const [name, e] of model.store.entries) {
    const t = old.get(name);
    if (!t) {
      report.fresh.push(name);
      continue;
    }
    const rowSize = e.shape.slice(1).reduce((a, b) => a * b, 1);
    const sameTail = t.shape.length === e.shape.length && t.shape.slice(1).join() === e.shape.slice(1).join();
    if (!sameTail || t.shape[0] > e.shape[0])
      throw new SeqrankError(
        "SR_ERR_INCREMENTAL",
        `parameter ${name}: checkpoint shape [${t.shape}] cannot grow into [${e.shape}]`,
      );
    if (t.shape[0] === e.shape[0]) report.copied.push(name);
    else {
      report.grown.push({ name, from: t.shape[0], to: e.shape[0] });
      if (opts.zeroNewRows?.includes(name)) e.value.fill(0, t.shape[0] * rowSize);
    }
    e.value.set(t.data as Float32Array, 0);
  }
  return report;
}

export interface ContinuationOptions {
  /** Fraction of the unchanged sequences replayed with the changed ones (against forgetting). */
  replay: number;
  seed: number;
}

/**
 * Training data for continuing after `before`: the sequences of `after` that `before` does not hold
 * (users with new events, and new users) plus a seeded `replay` sample of the unchanged ones; valid and test
 * are `after`'s.
 */
export function continuationData(before: TrainData, after: TrainData, opts: ContinuationOptions): TrainData {
  const seen = new Set(before.sequences.map((s) => s.join(",")));
  const rng = new Rng(opts.seed);
  const sequences = after.sequences.filter((s) => !seen.has(s.join(",")) || rng.next() < opts.replay);
  return { ...after, sequences };
}
