import type { EmitToken } from "./english.js";

export type TokenizeMode = "index" | "query";

const segmenter = new Intl.Segmenter("zh", { granularity: "word" });

/**
 * Tokenises one run of Han characters. ICU's dictionary knows common words (手机, 冬季) but splits most product
 * words and brands into single characters (百|思|图), so character bigrams carry the matching:
 * - bigrams of the whole run, always;
 * - dictionary words of ≥ 3 characters (a 2-character word is already a bigram);
 * - single characters: every one when indexing (so a one-character query can match), and at query time only
 *   when the run is a single character (otherwise the bigrams are more precise).
 */
export function tokenizeHanRun(run: string, mode: TokenizeMode, emit: EmitToken): void {
  const chars = Array.from(run);
  if (chars.length === 1 || mode === "index") for (const c of chars) emit(c, c);
  for (let i = 0; i + 1 < chars.length; i++) {
    const bigram = chars[i] + chars[i + 1];
    emit(bigram, bigram);
  }
  if (chars.length < 3) return;
  for (const { segment } of segmenter.segment(run)) {
    if (Array.from(segment).length >= 3) emit(segment, segment);
  }
}
