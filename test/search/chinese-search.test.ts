import assert from "node:assert/strict";
import { test } from "node:test";
import { addDocument, createSearchIndex, search } from "../../src/search/index.js";
import { loadTaobaoTitles } from "./datasets.js";

const titles = loadTaobaoTitles();
const index = createSearchIndex();
for (const t of titles) addDocument(index, { id: t.id, title: t.title });
const titleById = new Map(titles.map((t) => [t.id, t.title.toLowerCase()]));

test("searching an annotated brand finds its title (Taobao titles with a brand span)", () => {
  const withBrand = titles.filter((t) => t.brands.length > 0);
  assert.ok(withBrand.length > 2000);
  let found = 0;
  let topHitHasBrand = 0;
  for (const t of withBrand) {
    const brand = t.brands[0].toLowerCase();
    // many titles can share a brand (and tie), so look deeper than a page
    const { hits } = search(index, brand, { limit: 100, prefix: false, typo: false });
    if (hits.some((h) => h.id === t.id)) found++;
    if (hits.length > 0 && titleById.get(hits[0].id)!.includes(brand)) topHitHasBrand++;
  }
  // measured: 2335 / 2339 found; the misses are Latin brands glued to model numbers ("vivov3max")
  assert.ok(found / withBrand.length >= 0.995, `found ${found} of ${withBrand.length}`);
  assert.ok(
    topHitHasBrand / withBrand.length >= 0.995,
    `top hit has brand ${topHitHasBrand} of ${withBrand.length}`,
  );
});

test("a product word query ranks titles containing it", () => {
  for (const query of ["双肩包", "手机壳", "连衣裙", "热水袋"]) {
    const { hits } = search(index, query, { limit: 10 });
    const total = titles.filter((t) => t.title.includes(query)).length;
    const verbatim = hits.filter((h) => titleById.get(h.id)!.includes(query)).length;
    // titles with the word outrank those matching only some of its bigrams (机壳 without 手机)
    assert.equal(verbatim, Math.min(10, total), query);
  }
});

test("mixed-script query matches both parts", () => {
  const { hits } = search(index, "iphone6 手机壳", { limit: 5 });
  assert.ok(hits.length > 0);
  const top = titleById.get(hits[0].id)!;
  assert.ok(top.includes("iphone") && top.includes("6") && top.includes("手机壳"), top);
});
