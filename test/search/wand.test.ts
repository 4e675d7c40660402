import assert from "node:assert/strict";
import { test } from "node:test";
import { uniformSource as seededRandom } from "../../src/graph/init.js";
import {
  removeDocument,
  type SearchFilters,
  type SearchOptionsInput,
  search,
} from "../../src/search/index.js";
import { beautyDocuments, buildBeautyIndex } from "./beauty-corpus.js";

const docs = beautyDocuments();
const index = buildBeautyIndex(docs);
const random = seededRandom(20240611);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
// some removed documents, whose stale postings both scorers must skip
for (let i = 0; i < 300; i++) removeDocument(index, pick(docs).id);

const words = docs
  .flatMap((d) => (d.title ?? "").toLowerCase().split(/[^a-z0-9]+/))
  .filter((w) => w.length > 1);

/** A random query: 1–4 title words, sometimes a typo, sometimes a truncated last word, sometimes filters. */
function randomQuery(): { query: string; opts: SearchOptionsInput } {
  const n = 1 + Math.floor(random() * 4);
  const tokens = Array.from({ length: n }, () => pick(words));
  if (random() < 0.3) {
    const i = Math.floor(random() * n);
    const w = tokens[i];
    const at = Math.floor(random() * w.length);
    tokens[i] = w.slice(0, at) + pick("abcdefghijklmnopqrstuvwxyz".split("")) + w.slice(at + 1);
  }
  if (random() < 0.4)
    tokens[n - 1] = tokens[n - 1].slice(0, Math.max(1, Math.ceil(tokens[n - 1].length / 2)));
  const filters: SearchFilters = {};
  if (random() < 0.2) filters.priceMax = random() * 50;
  if (random() < 0.1) filters.category = pick(docs).category ?? undefined;
  return {
    query: tokens.join(" "),
    opts: { limit: pick([1, 5, 10, 10, 10, 50]), filters, typo: random() < 0.7, prefix: random() < 0.7 },
  };
}

test("WAND returns exactly the exhaustive top-k on 300 random queries", () => {
  let nonEmpty = 0;
  for (let q = 0; q < 300; q++) {
    const { query, opts } = randomQuery();
    const pruned = search(index, query, opts).hits;
    const exhaustive = search(index, query, { ...opts, exhaustive: true }).hits;
    assert.deepEqual(
      pruned.map((h) => [h.id, h.score]),
      exhaustive.map((h) => [h.id, h.score]),
      `${query} ${JSON.stringify(opts)}`,
    );
    if (pruned.length > 0) nonEmpty++;
  }
  assert.ok(nonEmpty > 250, `${nonEmpty} queries had hits`);
});

test("ties keep insertion order in both scorers", () => {
  // a word in many equal-length titles yields many equal scores
  const pruned = search(index, "opi", { limit: 30, prefix: false, typo: false }).hits;
  const exhaustive = search(index, "opi", { limit: 30, prefix: false, typo: false, exhaustive: true }).hits;
  assert.deepEqual(pruned, exhaustive);
});
