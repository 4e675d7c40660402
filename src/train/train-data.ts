// What training and evaluation read from a prepared dataset: each user's training sequence (training-type
// events of the train part) and the valid/test EvalData (input = every training-type event before the
// target, so test inputs include the validation item).

import type { PreparedDataset } from "../data/prepared.js";
import { evalTargets, historyBefore, partBounds } from "../data/split.js";
import type { EvalData } from "../eval/eval-data.js";

export interface TrainData {
  name: string;
  nItems: number;
  /** Training sequences with at least two items (one input, one target), oldest first. */
  sequences: Int32Array[];
  valid: EvalData;
  test: EvalData;
  trainPopularity: Float64Array;
}

export function trainDataFrom(ds: PreparedDataset): TrainData {
  const sequences: Int32Array[] = [];
  const trainPopularity = new Float64Array(ds.nItems + 1);
  for (let u = 1; u <= ds.nUsers; u++) {
    const [start, end] = partBounds(ds, u, "train");
    const seq: number[] = [];
    for (let p = start; p < end; p++) {
      if (!ds.trainType[ds.events[p]]) continue;
      seq.push(ds.items[p]);
      trainPopularity[ds.items[p]]++;
    }
    if (seq.length >= 2) sequences.push(Int32Array.from(seq));
  }
  const evalData = (part: "valid" | "test"): EvalData => {
    const t = evalTargets(ds, part, { firstPerUser: true });
    const histories: Int32Array[] = [];
    const keep: number[] = [];
    for (let i = 0; i < t.users.length; i++) {
      const h = historyBefore(ds, t.users[i], t.positions[i]);
      if (h.length === 0) continue; // nothing to condition on
      histories.push(h);
      keep.push(i);
    }
    return {
      nItems: ds.nItems,
      users: Int32Array.from(keep, (i) => t.users[i]),
      histories,
      targets: Int32Array.from(keep, (i) => ds.items[t.positions[i]]),
      trainPopularity,
    };
  };
  return {
    name: ds.name,
    nItems: ds.nItems,
    sequences,
    valid: evalData("valid"),
    test: evalData("test"),
    trainPopularity,
  };
}
