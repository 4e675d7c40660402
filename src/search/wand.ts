import { type Cursor, END } from "./cursors.js";
import type { DocPredicate } from "./filters.js";
import { TopK } from "./top-k.js";

// Bounds are summed in a different order than scores, so rounding could make a bound sum a hair smaller than a
// real score; treating sums within this relative slack as "may qualify" keeps the result exact.
const SLACK = 1 + 1e-9;

/**
 * WAND (Broder et al. 2003) top-k over one cursor per query group. Cursors are kept sorted by current doc; the
 * pivot is the first cursor at which the summed upper bounds could beat the current k-th score. If the first
 * cursor is already at the pivot doc, that doc is scored fully; otherwise the cursors before the pivot skip
 * ahead to it, past documents that cannot enter the top k. Scores are summed in query-group order, exactly like
 * the exhaustive scorer, and ties go to the lower doc number (documents arrive in doc order).
 */
export function wandTopK(cursors: readonly Cursor[], k: number, accept: DocPredicate): TopK {
  const top = new TopK(k);
  const order = cursors.slice();
  for (;;) {
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
    if (order[0].doc === pivotDoc) {
      if (accept(pivotDoc)) {
        let score = 0;
        for (const c of cursors) if (c.doc === pivotDoc) score += c.score();
        top.push(pivotDoc, score);
      }
      for (const c of order) if (c.doc === pivotDoc) c.next();
    } else {
      for (let i = 0; i < pivot; i++) order[i].seek(pivotDoc);
    }
  }
  return top;
}
