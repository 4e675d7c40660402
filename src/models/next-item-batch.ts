// Training batches for next-item prediction: each sequence's inputs are its items but the last, the targets
// its items but the first; only positions holding a real item carry a target.
import type ort from "onnxruntime-node";
import { type Feeds, tensor } from "../graph/session.js";
import { sequenceFeeds } from "./sequence-inputs.js";

/** `seqs` are full training sequences (inputs and targets from one array). */
export function nextItemFeeds(
  seqs: readonly Int32Array[],
  maxLen: number,
): { feeds: Feeds; targets: number; rowOf: ort.Tensor } {
  const inputs = seqs.map((s) => s.subarray(Math.max(0, s.length - 1 - maxLen), s.length - 1));
  const { feeds, len } = sequenceFeeds(inputs, maxLen, true);
  let m = 0;
  for (const s of inputs) m += s.length;
  const at = new BigInt64Array(m);
  const targets = new BigInt64Array(m);
  const rowOf = new BigInt64Array(m);
  let k = 0;
  inputs.forEach((s, r) => {
    const full = seqs[r];
    const start = len - s.length;
    for (let j = 0; j < s.length; j++) {
      at[k] = BigInt(r * len + start + j);
      rowOf[k] = BigInt(r);
      targets[k++] = BigInt(full[full.length - s.length + j]);
    }
  });
  feeds.loss_at = tensor(at, [m]);
  feeds.targets = tensor(targets, [m]);
  return { feeds, targets: m, rowOf: tensor(rowOf, [m]) };
}
