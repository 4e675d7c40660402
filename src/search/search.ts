import { Bm25Scorer } from "./bm25.js";
import { FIELD_COUNT, SEARCH_FIELDS, type SearchField } from "./config.js";
import { cursorFor } from "./cursors.js";
import { exhaustiveTopK } from "./exhaustive.js";
import { buildDocPredicate } from "./filters.js";
import type { SearchIndex } from "./inverted-index.js";
import { type MatchKind, type PlanGroup, planQuery } from "./query-plan.js";
import { type SearchOptionsInput, SearchOptionsSchema } from "./search-options.js";
import { wandTopK } from "./wand.js";

/** How one query token matched a hit. */
export interface TermMatch {
  /** The query token as typed (lowercased). */
  token: string;
  /** The index term it matched. */
  term: string;
  kind: MatchKind;
  fields: SearchField[];
}

export interface SearchHit {
  id: string;
  score: number;
  matches: TermMatch[];
}

export interface SearchResult {
  hits: SearchHit[];
  /** Index terms the query expanded to, per query token. */
  expansions: Array<{ token: string; terms: Array<{ term: string; kind: MatchKind }> }>;
}

/** For each group, the best-scoring term that contains `doc`, and the fields it occurs in. */
function explain(groups: readonly PlanGroup[], doc: number, scorer: Bm25Scorer): TermMatch[] {
  const matches: TermMatch[] = [];
  for (const group of groups) {
    let best: TermMatch | undefined;
    let bestScore = -1;
    for (const t of group.terms) {
      const p = t.list.seek(doc, 0);
      if (p >= t.list.length || t.list.docs[p] !== doc) continue;
      const s = t.factor * scorer.saturation(t.list, p);
      if (s <= bestScore) continue;
      bestScore = s;
      const fields = SEARCH_FIELDS.filter((_, f) => t.list.tfs[p * FIELD_COUNT + f] > 0);
      best = { token: group.token.raw, term: t.term, kind: t.kind, fields };
    }
    if (best) matches.push(best);
  }
  return matches;
}

/**
 * Top-k BM25F search. Query tokens are OR-ed; each token matches its exact term, typo variants and, for the last
 * token, completions (best one counts). Filters are checked per candidate while the postings are walked.
 */
export function search(index: SearchIndex, query: string, options: SearchOptionsInput = {}): SearchResult {
  const opts = SearchOptionsSchema.parse(options);
  const scorer = new Bm25Scorer(index);
  const groups = planQuery(index, scorer, query, opts);
  const expansions = groups.map((g) => ({
    token: g.token.raw,
    terms: g.terms.map((t) => ({ term: t.term, kind: t.kind })),
  }));
  if (groups.length === 0) return { hits: [], expansions };
  const accept = buildDocPredicate(index.docs, opts.filters);
  const top = opts.exhaustive
    ? exhaustiveTopK(groups, scorer, index.docs.count, opts.limit, accept)
    : wandTopK(
        groups.map((g) => cursorFor(g, scorer)),
        opts.limit,
        accept,
      );
  const hits = top.sorted().map(({ doc, score }) => ({
    id: index.docs.ids[doc],
    score,
    matches: explain(groups, doc, scorer),
  }));
  return { hits, expansions };
}
