// Title tokenisation shared by item features and (later) product search.
// English/other scripts: lowercase, split on anything that is not a letter or digit.
// Chinese: word segmentation with Intl.Segmenter("zh"); non-Han pieces inside Chinese text
// (brands, model numbers, sizes) go through the English rule.

const HAN = /\p{Script=Han}/u;
const NON_WORD = /[^\p{L}\p{N}]+/u;
let zhSegmenter: Intl.Segmenter | undefined;

export function tokenizeEnglish(text: string): string[] {
  return text
    .toLowerCase()
    .split(NON_WORD)
    .filter((t) => t.length > 0);
}

export function tokenizeChinese(text: string): string[] {
  zhSegmenter ??= new Intl.Segmenter("zh", { granularity: "word" });
  const out: string[] = [];
  for (const { segment, isWordLike } of zhSegmenter.segment(text)) {
    if (!isWordLike) continue;
    if (HAN.test(segment)) out.push(segment);
    else for (const t of tokenizeEnglish(segment)) out.push(t);
  }
  return out;
}

/** Picks the Chinese path when the text contains any Han character (the English path is much faster). */
export function tokenize(text: string): string[] {
  return HAN.test(text) ? tokenizeChinese(text) : tokenizeEnglish(text);
}
