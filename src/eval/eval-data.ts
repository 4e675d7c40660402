// The evaluator's input: one row per evaluated user, holding that user's input history and held-out target.
import { SeqrankError } from "../util/errors.js";

export interface EvalData {
  /** Items are 1..nItems; id 0 is padding and is never ranked. */
  nItems: number;
  /** Original user id of each row (the scorer receives row indices; this maps them back to users). */
  users: Int32Array;
  /** Per row: the whole input history, chronological. Seen-item masking uses all of it. */
  histories: readonly Int32Array[];
  /** Per row: the held-out item to rank. */
  targets: Int32Array;
  /** Interaction count of each item in the training part, length nItems + 1 (index 0 unused). */
  trainPopularity: ArrayLike<number>;
  /**
   * Per row (aligned with `histories`), when the dataset has them: the event-type codes and unix-second
   * times of the history's positions, for models with context inputs.
   */
  contexts?: ReadonlyArray<{ events: Uint8Array; ts: Float64Array }>;
}

/** Sequences in CSR form: user u's chronological items are items[offsets[u] .. offsets[u + 1]). */
export interface CsrSequences {
  offsets: Int32Array;
  items: Int32Array;
  nItems: number;
}

export type HoldoutSplit = "valid" | "test";

/** Users with fewer interactions cannot give a training item, a validation target and a test target. */
export const MIN_SEQUENCE_LENGTH = 3;

/**
 * Leave-one-out over CSR sequences, without copying: histories are subarray views of `csr.items`.
 * test: input = everything but the last item, target = last. valid: input = training part, target = second last.
 * Training popularity counts the training part only (everything before the last two items).
 */
export function evalDataFromCsr(csr: CsrSequences, split: HoldoutSplit): EvalData {
  const { offsets, items, nItems } = csr;
  const nUsers = offsets.length - 1;
  const users: number[] = [];
  const histories: Int32Array[] = [];
  const targets: number[] = [];
  const trainPopularity = new Float64Array(nItems + 1);
  const holdout = split === "test" ? 1 : 2;
  for (let u = 0; u < nUsers; u++) {
    const start = offsets[u];
    const end = offsets[u + 1];
    if (end - start < MIN_SEQUENCE_LENGTH) continue;
    for (let p = start; p < end - 2; p++) trainPopularity[items[p]]++;
    users.push(u);
    histories.push(items.subarray(start, end - holdout));
    targets.push(items[end - holdout]);
  }
  return {
    nItems,
    users: Int32Array.from(users),
    histories,
    targets: Int32Array.from(targets),
    trainPopularity,
  };
}

export function assertValidEvalData(data: EvalData): void {
  const n = data.targets.length;
  const fail = (why: string): never => {
    throw new SeqrankError("SR_ERR_EVAL_DATA", why);
  };
  if (!Number.isInteger(data.nItems) || data.nItems < 1)
    fail(`nItems must be a positive integer, got ${data.nItems}`);
  if (data.users.length !== n || data.histories.length !== n) {
    fail(
      `users (${data.users.length}), histories (${data.histories.length}) and targets (${n}) differ in length`,
    );
  }
  if (data.trainPopularity.length !== data.nItems + 1) {
    fail(
      `trainPopularity has length ${data.trainPopularity.length}, expected nItems + 1 = ${data.nItems + 1}`,
    );
  }
  for (let r = 0; r < n; r++) {
    const t = data.targets[r];
    if (t < 1 || t > data.nItems) fail(`row ${r}: target ${t} is outside 1..${data.nItems}`);
    for (const item of data.histories[r]) {
      if (item < 1 || item > data.nItems) fail(`row ${r}: history item ${item} is outside 1..${data.nItems}`);
    }
  }
}
