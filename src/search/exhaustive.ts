import type { Bm25Scorer } from "./bm25.js";
import type { DocPredicate } from "./filters.js";
import type { PlanGroup } from "./query-plan.js";
import { TopK } from "./top-k.js";

/**
 * Scores every document matching any query group, with no pruning: the reference Block-Max WAND must reproduce.
 * Same arithmetic as WAND: best term per group, groups summed in order.
 */
export function exhaustiveTopK(
  groups: readonly PlanGroup[],
  scorer: Bm25Scorer,
  docCount: number,
  k: number,
  accept: DocPredicate,
): TopK {
  // groupScores[g * docCount + d], NaN = group g does not match d
  const groupScores = new Float64Array(groups.length * docCount).fill(Number.NaN);
  const matched = new Uint8Array(docCount);
  groups.forEach((group, g) => {
    for (const t of group.terms) {
      for (let p = 0; p < t.list.length; p++) {
        const d = t.list.docs[p];
        const s = t.factor * scorer.saturation(t.list, p);
        const at = g * docCount + d;
        if (!(groupScores[at] >= s)) groupScores[at] = s;
        matched[d] = 1;
      }
    }
  });
  const top = new TopK(k);
  for (let d = 0; d < docCount; d++) {
    if (matched[d] === 0 || !accept(d)) continue;
    let score = 0;
    for (let g = 0; g < groups.length; g++) {
      const s = groupScores[g * docCount + d];
      if (!Number.isNaN(s)) score += s;
    }
    top.push(d, score);
  }
  return top;
}
