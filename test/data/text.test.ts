import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { tokenize, tokenizeChinese, tokenizeEnglish } from "../../src/data/index.js";
import { datasetsDir } from "./build-tables.js";

const letters = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]/gu, "");

test("English: lowercase, split on anything that is not a letter or digit", () => {
  assert.deepEqual(tokenize("OPI Nail Lacquer, Simmer and Shimmer, 0.5-Fluid Ounce"), [
    "opi",
    "nail",
    "lacquer",
    "simmer",
    "and",
    "shimmer",
    "0",
    "5",
    "fluid",
    "ounce",
  ]);
  assert.deepEqual(tokenizeEnglish("  --  "), []);
  const titles = readFileSync(join(datasetsDir, "amazon-beauty", "items.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => (JSON.parse(l) as { title: string }).title);
  for (const title of titles) {
    const tokens = tokenize(title);
    assert.equal(tokens.join(""), letters(title));
    for (const t of tokens) assert.match(t, /^[\p{Ll}\p{Lo}\p{N}\p{M}]+$/u);
  }
});

test("Chinese: Intl.Segmenter words; Latin and digits inside follow the English rule; no character lost", () => {
  assert.deepEqual(
    tokenize("简约韩版iPhone6s 0.5-Fluid冬季"),
    tokenizeChinese("简约韩版iPhone6s 0.5-Fluid冬季"),
  );
  const tokens = tokenize("简约韩版粗跟亲子鞋iPhone6s 0.5-Fluid 冬季");
  assert.ok(tokens.includes("简约") && tokens.includes("冬季"), tokens.join("|"));
  assert.ok(
    tokens.includes("iphone6s") && tokens.includes("fluid") && tokens.includes("5"),
    tokens.join("|"),
  );
  const lines = readFileSync(join(datasetsDir, "taobao-product-titles-zh", "titles.tsv"), "utf8")
    .trim()
    .split("\n");
  let han = 0;
  let multi = 0;
  for (const line of lines.slice(1)) {
    const title = line.split("\t")[2];
    const words = tokenize(title);
    assert.equal(words.join(""), letters(title), title);
    for (const w of words) {
      if (!/\p{Script=Han}/u.test(w)) continue;
      han++;
      if ([...w].length > 1) multi++;
    }
  }
  // The segmenter finds real words, not just single characters.
  assert.ok(multi / han > 0.3, `multi-character share ${multi / han}`);
});
