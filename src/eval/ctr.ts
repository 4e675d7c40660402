// CTR-style metrics over scored rows (label 0/1, one prediction each): AUC, per-user GAUC and LogLoss.
import { SeqrankError } from "../util/errors.js";

function assertRows(labels: ArrayLike<number>, scores: ArrayLike<number>, what: string): void {
  if (labels.length !== scores.length) {
    throw new SeqrankError(
      "SR_ERR_EVAL_LENGTH",
      `${what}: ${labels.length} labels but ${scores.length} scores`,
    );
  }
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 0 && labels[i] !== 1) {
      throw new SeqrankError(
        "SR_ERR_EVAL_LABEL",
        `${what}: label at row ${i} is ${labels[i]}, expected 0 or 1`,
      );
    }
    if (Number.isNaN(scores[i]))
      throw new SeqrankError("SR_ERR_EVAL_NAN_SCORE", `${what}: score at row ${i} is NaN`);
  }
}

/**
 * Mann–Whitney AUC of the rows order[from..to), which must be sorted by ascending score.
 * Tied scores share their average rank, so a positive–negative tie counts one half. NaN if one class is missing.
 */
function aucOfSorted(
  order: Uint32Array,
  from: number,
  to: number,
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
): number {
  let positiveRankSum = 0;
  let positives = 0;
  let i = from;
  while (i < to) {
    let j = i + 1;
    while (j < to && scores[order[j]] === scores[order[i]]) j++;
    const averageRank = (i - from + 1 + (j - from)) / 2; // 1-based ranks i-from+1 .. j-from
    for (let t = i; t < j; t++) {
      if (labels[order[t]] === 1) {
        positiveRankSum += averageRank;
        positives++;
      }
    }
    i = j;
  }
  const negatives = to - from - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

function rowOrder(n: number, compare: (a: number, b: number) => number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order.sort(compare);
}

/** AUC over all rows, tie-aware, O(n log n). Throws when only one class is present. */
export function auc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  assertRows(labels, scores, "auc");
  const order = rowOrder(labels.length, (a, b) => scores[a] - scores[b]);
  const value = aucOfSorted(order, 0, labels.length, labels, scores);
  if (Number.isNaN(value))
    throw new SeqrankError("SR_ERR_EVAL_ONE_CLASS", "auc needs both positive and negative rows");
  return value;
}

/**
 * Group AUC: per-user AUC weighted by that user's number of rows, over the users that have both classes.
 * Throws when no user has both classes.
 */
export function gauc(users: ArrayLike<number>, labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  assertRows(labels, scores, "gauc");
  if (users.length !== labels.length) {
    throw new SeqrankError("SR_ERR_EVAL_LENGTH", `gauc: ${users.length} users but ${labels.length} labels`);
  }
  const order = rowOrder(labels.length, (a, b) => users[a] - users[b] || scores[a] - scores[b]);
  let weighted = 0;
  let weight = 0;
  let from = 0;
  while (from < order.length) {
    let to = from + 1;
    while (to < order.length && users[order[to]] === users[order[from]]) to++;
    const value = aucOfSorted(order, from, to, labels, scores);
    if (!Number.isNaN(value)) {
      weighted += value * (to - from);
      weight += to - from;
    }
    from = to;
  }
  if (weight === 0)
    throw new SeqrankError("SR_ERR_EVAL_ONE_CLASS", "gauc: no user has both positive and negative rows");
  return weighted / weight;
}

export const LOGLOSS_EPSILON = 1e-7;

/** Mean binary cross-entropy of probabilities clipped to [1e-7, 1 − 1e-7]. */
export function logLoss(labels: ArrayLike<number>, probabilities: ArrayLike<number>): number {
  assertRows(labels, probabilities, "logLoss");
  if (labels.length === 0) throw new SeqrankError("SR_ERR_EVAL_LENGTH", "logLoss of zero rows");
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(Math.max(probabilities[i], LOGLOSS_EPSILON), 1 - LOGLOSS_EPSILON);
    sum -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / labels.length;
}
