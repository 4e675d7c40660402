import { type Cursor, END } from "./cursors.js";
import type { DocPredicate } from "./filters.js";
import { TopK } from "./top-k.js";

// Bounds are summed in a different order than scores, so rounding could make a bound sum a hair smaller than a
// real score; treating sums within this relative slack as "may qualify" keeps the result exact.
const SLACK = 1 + 1e-9;

function sortByDoc(order: Cursor[]): void {
  // insertion sort: the order changes little between steps
  for (let i = 1; i < order.length; i++) {
    const c = order[i];
    let j = i - 1;
    while (j >= 0 && order[j].doc > c.doc) {
      order[j + 1] = order[j];
      j--;
    }
    order[j + 1] = c;
  }
}

/**
 * Block-Max WAND (Ding & Suel 2011) top-k over one cursor per query group.
 * 1. WAND step: with cursors sorted by current doc, the pivot is the first cursor at which the summed per-term
 *    upper bounds could beat the current k-th score; no doc before the pivot doc can.
 * 2. Block step: the pivot doc is only worth scoring if the per-block bounds of the cursors up to the pivot
 *    (for the blocks holding the pivot doc) could beat it too. If not, no doc up to the end of the shortest of
 *    those blocks (or the next cursor's doc) can, and the cursors jump past it.
 * Scores are summed in query-group order, exactly like the exhaustive scorer, and ties go to the lower doc number
 * (documents arrive in doc order), so the result equals exhaustive scoring.
 */
export function wandTopK(cursors: readonly Cursor[], k: number, accept: DocPredicate): TopK {
  const top = new TopK(k);
  const order = cursors.slice();
  for (;;) {
    sortByDoc(order);
    const threshold = top.threshold;
    let pivot = -1;
    let boundSum = 0;
    for (let i = 0; i < order.length && order[i].doc !== END; i++) {
      boundSum += order[i].bound;
      if (boundSum * SLACK > threshold) {
        pivot = i;
        break;
      }
    }
    if (pivot < 0) break;
    const pivotDoc = order[pivot].doc;
    // every cursor already at the pivot doc can contribute to it
    while (pivot + 1 < order.length && order[pivot + 1].doc === pivotDoc) pivot++;
    let blockSum = 0;
    let blockLast = END;
    for (let i = 0; i <= pivot; i++) {
      blockSum += order[i].blockBound(pivotDoc);
      if (order[i].blockLast < blockLast) blockLast = order[i].blockLast;
    }
    if (blockSum * SLACK <= threshold) {
      let next = blockLast === END ? END : blockLast + 1;
      if (pivot + 1 < order.length && order[pivot + 1].doc < next) next = order[pivot + 1].doc;
      for (let i = 0; i <= pivot; i++) order[i].seek(next);
      continue;
    }
    if (order[0].doc === pivotDoc) {
      if (accept(pivotDoc)) {
        let score = 0;
        for (const c of cursors) if (c.doc === pivotDoc) score += c.score();
        top.push(pivotDoc, score);
      }
      for (let i = 0; i <= pivot; i++) order[i].next();
    } else {
      for (let i = 0; i < pivot; i++) order[i].seek(pivotDoc);
    }
  }
  return top;
}
