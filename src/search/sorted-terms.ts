// Prefix and edit-distance lookups over a code-unit-sorted array of terms. Walking the sorted array with one
// Levenshtein DP row per character shares rows between terms with a common prefix (like a trie walk), and a
// prefix whose row minimum already exceeds the distance budget is skipped with one binary search.

/** First index ≥ lo whose term is ≥ key. */
export function lowerBound(sorted: readonly string[], key: string, lo = 0): number {
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index ≥ lo whose term does not start with `prefix` (terms from lo on must be ≥ prefix). */
function endOfPrefix(sorted: readonly string[], prefix: string, lo: number): number {
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid].startsWith(prefix)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Calls `visit` for every term starting with `prefix`, in sorted order. */
export function forEachWithPrefix(
  sorted: readonly string[],
  prefix: string,
  visit: (term: string) => void,
): void {
  for (let i = lowerBound(sorted, prefix); i < sorted.length && sorted[i].startsWith(prefix); i++)
    visit(sorted[i]);
}

/** Calls `visit` for every term within Levenshtein distance `maxDist` of `word` (UTF-16 code units). */
export function forEachWithinDistance(
  sorted: readonly string[],
  word: string,
  maxDist: number,
  visit: (term: string, distance: number) => void,
): void {
  const width = word.length + 1;
  const maxDepth = word.length + maxDist + 1;
  // rows[d] = DP row after consuming d characters of the current term
  const rows = new Int32Array((maxDepth + 1) * width);
  for (let j = 0; j < width; j++) rows[j] = j;
  let prev = "";
  let validDepth = 0; // rows[0..validDepth] hold prev's first validDepth characters
  let i = 0;
  while (i < sorted.length) {
    const term = sorted[i];
    let d = 0;
    while (d < validDepth && d < term.length && term.charCodeAt(d) === prev.charCodeAt(d)) d++;
    let deadAt = -1;
    const depthLimit = Math.min(term.length, maxDepth);
    for (let depth = d + 1; depth <= depthLimit; depth++) {
      const c = term.charCodeAt(depth - 1);
      const above = (depth - 1) * width;
      const here = depth * width;
      rows[here] = depth;
      let rowMin = depth;
      for (let j = 1; j < width; j++) {
        const cost = word.charCodeAt(j - 1) === c ? 0 : 1;
        const v = Math.min(rows[above + j] + 1, rows[here + j - 1] + 1, rows[above + j - 1] + cost);
        rows[here + j] = v;
        if (v < rowMin) rowMin = v;
      }
      if (rowMin > maxDist) {
        deadAt = depth;
        break;
      }
    }
    prev = term;
    if (deadAt >= 0) {
      validDepth = deadAt - 1;
      i = endOfPrefix(sorted, term.slice(0, deadAt), i + 1);
      continue;
    }
    validDepth = depthLimit;
    if (term.length <= maxDepth) {
      const distance = rows[term.length * width + word.length];
      if (distance <= maxDist) visit(term, distance);
    }
    i++;
  }
}
