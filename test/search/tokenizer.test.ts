import assert from "node:assert/strict";
import { test } from "node:test";
import { createTokenizer } from "../../src/search/index.js";

const tokenizer = createTokenizer();

function indexTerms(text: string): string[] {
  const out: string[] = [];
  tokenizer.index(text, (term) => out.push(term));
  return out;
}

test("English: lowercased, Unicode-aware, stop words dropped, stemmed", () => {
  assert.deepEqual(indexTerms("OPI Nail Lacquer, Simmer and Shimmer, 0.5-Fluid Ounce"), [
    "opi",
    "nail",
    "lacquer",
    "simmer",
    "shimmer",
    "0.5",
    "fluid",
    "ounc",
  ]);
  assert.deepEqual(indexTerms("Men's Crème Brûlée"), ["men", "crème", "brûlée"]);
  assert.deepEqual(indexTerms("ＢＩＯＴＩＮ　Shampoos"), ["biotin", "shampoo"]); // full-width folded by NFKC
});

test("options switch stemming and stop words off", () => {
  const raw = createTokenizer({ stem: false, stopWords: false });
  const out: string[] = [];
  raw.index("The Shampoos", (term) => out.push(term));
  assert.deepEqual(out, ["the", "shampoos"]);
});

test("model numbers match glued and spaced forms", () => {
  const glued = tokenizer.query("iPhone15").map((t) => t.term);
  assert.deepEqual(glued, ["iphone15", "iphon", "15"]);
  const spaced = new Set(indexTerms("Apple iPhone 15 case"));
  assert.ok(glued.filter((t) => spaced.has(t)).length >= 2);
});

test("mixed Chinese/English query", () => {
  const terms = tokenizer.query("iPhone15 手机壳").map((t) => t.term);
  assert.deepEqual(terms, ["iphone15", "iphon", "15", "手机", "机壳"]);
  // the dictionary word 手机 and the out-of-dictionary bigram 机壳 both occur in a matching title
  const title = new Set(indexTerms("苹果iPhone15手机壳防摔硅胶"));
  for (const t of terms) assert.ok(title.has(t), t);
});

test("Chinese: bigrams, ≥3-character dictionary words, unigrams only when indexing", () => {
  const terms = indexTerms("双肩包");
  assert.deepEqual(terms.sort(), ["双", "双肩", "包", "肩", "肩包"].sort());
  assert.deepEqual(
    tokenizer.query("多功能").map((t) => t.term),
    ["多功", "功能", "多功能"],
  );
  assert.deepEqual(
    tokenizer.query("壳").map((t) => t.term),
    ["壳"],
  );
});
