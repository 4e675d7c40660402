import type { Bm25Scorer } from "./bm25.js";
import type { SearchIndex } from "./inverted-index.js";
import type { PostingList } from "./postings.js";
import type { SearchOptions } from "./search-options.js";
import type { QueryToken } from "./tokenizers/index.js";

export type MatchKind = "exact" | "prefix" | "typo";

/** One index term a query token can match. Its score in a document is `factor × saturation`. */
export interface PlanTerm {
  termId: number;
  term: string;
  kind: MatchKind;
  list: PostingList;
  /** Match-kind weight × the group's idf. */
  factor: number;
  /** factor × the term's largest saturation: no document scores more through this term. */
  bound: number;
  /** Largest saturation per block of BLOCK_SIZE postings (times factor: the block's bound). */
  blockMax: Float64Array;
}

/**
 * A query token and the terms it expands to; a document scores the best of them (they do not add up).
 * All terms of a group share one idf, that of its most frequent term (as Lucene's blended fuzzy queries do):
 * otherwise a rare misspelling or completion would outscore the word the user meant.
 */
export interface PlanGroup {
  token: QueryToken;
  terms: PlanTerm[];
  bound: number;
}

const HAN = /\p{Script=Han}/u;
const TYPO_MIN_LENGTH = [5, 9] as const; // shortest token allowed 1 / 2 edits

function maxEdits(word: string): number {
  if (HAN.test(word)) return 0;
  const n = Array.from(word).length;
  return n >= TYPO_MIN_LENGTH[1] ? 2 : n >= TYPO_MIN_LENGTH[0] ? 1 : 0;
}

interface Candidate {
  kind: MatchKind;
  weight: number;
}

/** Exact term, typo variants (fewest edits, then most frequent) and, for a last token, completions. */
function expandToken(index: SearchIndex, token: QueryToken, asPrefix: boolean, opts: SearchOptions) {
  const chosen = new Map<number, Candidate>();
  const live = (id: number) => index.df[id] > 0;
  const exact = index.dict.id(token.term);
  if (exact !== undefined && live(exact)) chosen.set(exact, { kind: "exact", weight: 1 });
  const edits = opts.typo ? maxEdits(token.raw) : 0;
  if (edits > 0) {
    const variants = [...index.surfaces.termsWithinDistance(token.raw, edits)]
      .filter(([id, distance]) => distance > 0 && !chosen.has(id) && live(id))
      .sort(([a, da], [b, db]) => da - db || index.df[b] - index.df[a] || a - b)
      .slice(0, opts.maxTypoExpansions);
    for (const [id, distance] of variants)
      chosen.set(id, { kind: "typo", weight: opts.typoWeights[distance - 1] });
  }
  if (asPrefix) {
    const completions = [...index.surfaces.termsWithPrefix(token.raw)]
      .filter((id) => !chosen.has(id) && live(id))
      .sort((a, b) => index.df[b] - index.df[a] || a - b)
      .slice(0, opts.maxPrefixExpansions);
    for (const id of completions) chosen.set(id, { kind: "prefix", weight: opts.prefixWeight });
  }
  return chosen;
}

/** Turns query text into one group per query token (tokens that match nothing are dropped). */
export function planQuery(
  index: SearchIndex,
  scorer: Bm25Scorer,
  text: string,
  opts: SearchOptions,
): PlanGroup[] {
  const tokens = index.tokenizer.query(text);
  const prefixLast = opts.prefix && !/\s$/u.test(text);
  const groups: PlanGroup[] = [];
  tokens.forEach((token, i) => {
    const chosen = expandToken(index, token, prefixLast && i === tokens.length - 1, opts);
    let maxDf = 0;
    let idfTerm = -1;
    for (const id of chosen.keys()) {
      if (index.df[id] > maxDf) {
        maxDf = index.df[id];
        idfTerm = id;
      }
    }
    if (idfTerm < 0) return;
    const idf = scorer.idf(idfTerm);
    const terms: PlanTerm[] = [];
    for (const [termId, { kind, weight }] of chosen) {
      if (weight === 0) continue;
      const factor = weight * idf;
      terms.push({
        termId,
        term: index.dict.terms[termId],
        kind,
        list: index.postings[termId],
        factor,
        bound: factor * scorer.maxSaturation(termId),
        blockMax: scorer.blockMaxSaturation(termId),
      });
    }
    if (terms.length > 0) groups.push({ token, terms, bound: Math.max(...terms.map((t) => t.bound)) });
  });
  return groups;
}
