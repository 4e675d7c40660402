import assert from "node:assert/strict";
import { test } from "node:test";
import { uniformSource as seededRandom } from "../../src/graph/init.js";
import { forEachWithinDistance, forEachWithPrefix } from "../../src/search/sorted-terms.js";
import { loadBeautyItems } from "./datasets.js";

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}

const vocabulary = [
  ...new Set(loadBeautyItems().flatMap((item) => item.title.toLowerCase().split(/[^a-z0-9]+/))),
].filter((w) => w !== "");
vocabulary.sort();

test("edit-distance walk finds exactly the words a brute-force Levenshtein finds", () => {
  const random = seededRandom(7);
  for (let q = 0; q < 60; q++) {
    let word = vocabulary[Math.floor(random() * vocabulary.length)];
    if (q % 2 === 0) word = `${word.slice(0, 2)}x${word.slice(3)}`; // usually not in the vocabulary
    const maxDist = 1 + (q % 2);
    const found = new Map<string, number>();
    forEachWithinDistance(vocabulary, word, maxDist, (term, d) => found.set(term, d));
    const expected = new Map(
      vocabulary.map((t) => [t, levenshtein(word, t)] as const).filter(([, d]) => d <= maxDist),
    );
    assert.deepEqual(found, expected, word);
  }
});

test("prefix walk lists every word with the prefix", () => {
  for (const prefix of ["sham", "moist", "z", "0", "qqq"]) {
    const found: string[] = [];
    forEachWithPrefix(vocabulary, prefix, (t) => found.push(t));
    assert.deepEqual(
      found,
      vocabulary.filter((t) => t.startsWith(prefix)),
    );
  }
});
