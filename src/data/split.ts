// Train/valid/test splits as per-user boundaries (see prepared.ts), and the helpers consumers use
// to enumerate evaluation targets and their input histories.
import { z } from "zod";
import { SeqrankError } from "../util/errors.js";
import type { DatasetSplit, PreparedDataset } from "./prepared.js";

export const SplitSchema = z.discriminatedUnion("kind", [
  // valid target = second-last evaluation-type event of each user, test target = last.
  z.strictObject({ kind: z.literal("leave-one-out") }),
  z.strictObject({
    kind: z.literal("temporal"),
    /** Test part = events with ts ≥ testCut (unix seconds); overrides testQuantile. */
    testCut: z.number().optional(),
    /** Otherwise the cut is this quantile of all event timestamps. */
    testQuantile: z.number().gt(0).lt(1).default(0.9),
    /** Valid part = validCut ≤ ts < testCut; set equal to the test cut for no validation part. */
    validCut: z.number().optional(),
    validQuantile: z.number().gt(0).lt(1).default(0.8),
  }),
]);
export type SplitOptions = z.input<typeof SplitSchema>;

/** Leave-one-out boundaries: the last two evaluation-type events of each row are the targets. */
export function leaveOneOutSplit(
  offsets: Int32Array,
  events: Uint8Array,
  evalType: Uint8Array,
): DatasetSplit {
  const nRows = offsets.length - 1;
  const trainEnd = new Int32Array(nRows);
  const validEnd = new Int32Array(nRows);
  for (let u = 0; u < nRows; u++) {
    const start = offsets[u];
    const end = offsets[u + 1];
    let test = -1;
    let valid = -1;
    for (let p = end - 1; p >= start && valid < 0; p--) {
      if (!evalType[events[p]]) continue;
      if (test < 0) test = p;
      else valid = p;
    }
    trainEnd[u] = valid < 0 ? end : valid;
    validEnd[u] = valid < 0 ? end : test;
  }
  return { kind: "leave-one-out", trainEnd, validEnd };
}

/** Resolves the temporal cuts (explicit or quantile) over all event timestamps. */
export function temporalCuts(
  ts: Float64Array,
  opts: Extract<z.output<typeof SplitSchema>, { kind: "temporal" }>,
): { validCut: number; testCut: number } {
  let sorted: Float64Array | undefined;
  const quantile = (q: number) => {
    if (!sorted) {
      sorted = Float64Array.from(ts).sort();
      if (sorted.length === 0 || Number.isNaN(sorted[sorted.length - 1])) {
        throw new SeqrankError(
          "SR_ERR_SPLIT_NO_TIMESTAMPS",
          "temporal split needs a timestamp on every event",
        );
      }
    }
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  };
  const testCut = opts.testCut ?? quantile(opts.testQuantile);
  const validCut = opts.validCut ?? Math.min(testCut, quantile(opts.validQuantile));
  if (validCut > testCut) {
    throw new SeqrankError(
      "SR_ERR_SPLIT_CUTS",
      `validation cut ${validCut} is after the test cut ${testCut}`,
    );
  }
  return { validCut, testCut };
}

/** Temporal boundaries; rows must be sorted by ts and every ts must be known. */
export function temporalSplit(
  offsets: Int32Array,
  ts: Float64Array,
  cuts: { validCut: number; testCut: number },
): DatasetSplit {
  const nRows = offsets.length - 1;
  const trainEnd = new Int32Array(nRows);
  const validEnd = new Int32Array(nRows);
  for (let u = 0; u < nRows; u++) {
    const end = offsets[u + 1];
    let p = offsets[u];
    for (; p < end; p++) {
      if (Number.isNaN(ts[p])) {
        throw new SeqrankError(
          "SR_ERR_SPLIT_NO_TIMESTAMPS",
          "temporal split needs a timestamp on every event",
        );
      }
      if (ts[p] >= cuts.validCut) break;
    }
    trainEnd[u] = p;
    while (p < end && ts[p] < cuts.testCut) p++;
    validEnd[u] = p;
  }
  return { kind: "temporal", trainEnd, validEnd, ...cuts };
}

export type SplitPart = "train" | "valid" | "test";

/** Bounds [start, end) of one part of user u's row. */
export function partBounds(ds: PreparedDataset, u: number, part: SplitPart): [number, number] {
  const { trainEnd, validEnd } = ds.split;
  if (part === "train") return [ds.offsets[u], trainEnd[u]];
  if (part === "valid") return [trainEnd[u], validEnd[u]];
  return [validEnd[u], ds.offsets[u + 1]];
}

export interface EvalTargets {
  /** Parallel arrays: user id and absolute event position of each target. */
  users: Int32Array;
  positions: Int32Array;
}

/**
 * Evaluation targets of the valid or test part. Leave-one-out gives one per user that has one;
 * temporal gives every evaluation-type event of the part, or only each user's first with `firstPerUser`.
 */
export function evalTargets(
  ds: PreparedDataset,
  part: "valid" | "test",
  opts: { firstPerUser?: boolean } = {},
): EvalTargets {
  const users: number[] = [];
  const positions: number[] = [];
  for (let u = 1; u <= ds.nUsers; u++) {
    const [start, end] = partBounds(ds, u, part);
    for (let p = start; p < end; p++) {
      if (!ds.evalType[ds.events[p]]) continue;
      users.push(u);
      positions.push(p);
      if (opts.firstPerUser) break;
    }
  }
  return { users: Int32Array.from(users), positions: Int32Array.from(positions) };
}

/** The input history of the event at absolute position `p` of user u: training-type items before p, oldest first, at most maxLen (the most recent). */
export function historyBefore(
  ds: PreparedDataset,
  u: number,
  p: number,
  maxLen = Number.POSITIVE_INFINITY,
): Int32Array {
  const out: number[] = [];
  for (let q = p - 1; q >= ds.offsets[u] && out.length < maxLen; q--) {
    if (ds.trainType[ds.events[q]]) out.push(ds.items[q]);
  }
  return Int32Array.from(out.reverse());
}
