// A short English stop list (articles, pronouns, auxiliaries, prepositions). Kept small on purpose:
// product words such as "top", "back" or "up" must stay searchable.
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    "a an and are as at be been but by for from has have in into is it its of on or that the their " +
    "then there these they this to was were will with"
  ).split(" "),
);
