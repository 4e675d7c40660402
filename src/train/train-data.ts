// What training and evaluation read from a prepared dataset: each user's training sequence (training-type
// events of the train part) and the valid/test EvalData (input = every training-type event before the
// target, so test inputs include the validation item). Side data rides along for models that use it: the
// item features (with which items are warm) and each sequence's / history's event codes and timestamps.

import type { PreparedDataset } from "../data/prepared.js";
import { evalTargets, partBounds } from "../data/split.js";
import type { EvalData } from "../eval/eval-data.js";
import type { ContextSpace, PositionContext } from "../models/context-features.js";
import { type ItemSideData, warmItems } from "../models/item-features.js";
import type { SasrecData } from "../models/sasrec.js";

export interface TrainData {
  name: string;
  nItems: number;
  /** Training sequences with at least two items (one input, one target), oldest first. */
  sequences: Int32Array[];
  valid: EvalData;
  test: EvalData;
  trainPopularity: Float64Array;
  /** Item features; `warm` marks items that occur in `sequences`. */
  itemSide?: ItemSideData;
  /** Event codes and timestamps of each training sequence, aligned with `sequences` (the eval parts carry theirs). */
  sequenceContexts?: PositionContext[];
  /** What those contexts hold. */
  contextSpace?: ContextSpace;
}

export function trainDataFrom(ds: PreparedDataset): TrainData {
  let anyTs = false;
  for (let p = 0; p < ds.nEvents && !anyTs; p++) anyTs = !Number.isNaN(ds.ts[p]);
  /** Training-type events at positions [start, end) of one user's row: their items and their context. */
  const collect = (start: number, end: number): { seq: Int32Array; ctx: PositionContext } => {
    const ps: number[] = [];
    for (let p = start; p < end; p++) if (ds.trainType[ds.events[p]]) ps.push(p);
    return {
      seq: Int32Array.from(ps, (p) => ds.items[p]),
      ctx: { events: Uint8Array.from(ps, (p) => ds.events[p]), ts: Float64Array.from(ps, (p) => ds.ts[p]) },
    };
  };

  const sequences: Int32Array[] = [];
  const sequenceContexts: PositionContext[] = [];
  const trainPopularity = new Float64Array(ds.nItems + 1);
  for (let u = 1; u <= ds.nUsers; u++) {
    const [start, end] = partBounds(ds, u, "train");
    const { seq, ctx } = collect(start, end);
    for (const i of seq) trainPopularity[i]++;
    if (seq.length < 2) continue;
    sequences.push(seq);
    sequenceContexts.push(ctx);
  }
  const evalData = (part: "valid" | "test"): EvalData => {
    const t = evalTargets(ds, part, { firstPerUser: true });
    const histories: Int32Array[] = [];
    const contexts: PositionContext[] = [];
    const keep: number[] = [];
    for (let i = 0; i < t.users.length; i++) {
      const { seq, ctx } = collect(ds.offsets[t.users[i]], t.positions[i]);
      if (seq.length === 0) continue; // nothing to condition on
      histories.push(seq);
      contexts.push(ctx);
      keep.push(i);
    }
    return {
      nItems: ds.nItems,
      users: Int32Array.from(keep, (i) => t.users[i]),
      histories,
      targets: Int32Array.from(keep, (i) => ds.items[t.positions[i]]),
      trainPopularity,
      contexts,
    };
  };
  return {
    name: ds.name,
    nItems: ds.nItems,
    sequences,
    valid: evalData("valid"),
    test: evalData("test"),
    trainPopularity,
    itemSide: {
      features: ds.features,
      cardinality: ds.meta.vocabSizes,
      warm: warmItems(sequences, ds.nItems),
    },
    sequenceContexts,
    contextSpace: { nEventTypes: ds.eventTypes.length, hasTimestamps: anyTs },
  };
}

/** What a model factory gets for `data`: ModelData plus its side data. */
export function modelDataOf(data: TrainData): SasrecData {
  const maxSeqLen = data.sequences.reduce((m, s) => Math.max(m, s.length), 0);
  return { nItems: data.nItems, maxSeqLen, itemSide: data.itemSide, contextSpace: data.contextSpace };
}
