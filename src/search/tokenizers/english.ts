import { porterStem } from "./porter-stemmer.js";
import { ENGLISH_STOP_WORDS } from "./stop-words.js";

/** Receives each token: `term` is what gets indexed (stemmed), `raw` the lowercased surface form. */
export type EmitToken = (term: string, raw: string) => void;

export interface EnglishOptions {
  stem: boolean;
  stopWords: boolean;
}

// Unicode letters/digits; a decimal number such as 0.5 or 15.6 stays one token.
const WORD = /\p{N}+(?:[.,]\p{N}+)+|[\p{L}\p{M}\p{N}]+/gu;
// Splits model numbers at letter/digit boundaries: "iphone15" → "iphone", "15".
const ALPHA_DIGIT_PARTS = /\p{L}+|\p{N}+(?:[.,]\p{N}+)*/gu;
const HAS_LETTER_AND_DIGIT = /^(?=.*\p{L})(?=.*\p{N})/u;

const stemCache = new Map<string, string>();
const STEM_CACHE_LIMIT = 200_000;

function stem(word: string): string {
  let s = stemCache.get(word);
  if (s === undefined) {
    s = porterStem(word);
    if (stemCache.size >= STEM_CACHE_LIMIT) stemCache.clear();
    stemCache.set(word, s);
  }
  return s;
}

/**
 * Tokenises non-CJK text: NFKC + lowercase, apostrophes dropped ("men's" → "mens"), split on anything that is not a
 * letter, mark or digit. A mixed letter/digit token is kept whole and also split into its parts, so "iPhone15"
 * matches both "iphone15" and "iPhone 15".
 */
export function tokenizeEnglish(text: string, opts: EnglishOptions, emit: EmitToken): void {
  const clean = text.normalize("NFKC").toLowerCase().replace(/['’]/g, "");
  for (const match of clean.matchAll(WORD)) {
    const word = match[0];
    if (opts.stopWords && ENGLISH_STOP_WORDS.has(word)) continue;
    emit(opts.stem ? stem(word) : word, word);
    if (HAS_LETTER_AND_DIGIT.test(word)) {
      for (const [part] of word.matchAll(ALPHA_DIGIT_PARTS)) emit(opts.stem ? stem(part) : part, part);
    }
  }
}
