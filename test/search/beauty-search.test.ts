import assert from "node:assert/strict";
import { test } from "node:test";
import { search } from "../../src/search/index.js";
import { beautyDocuments, buildBeautyIndex } from "./beauty-corpus.js";

const docs = beautyDocuments();
const index = buildBeautyIndex(docs);
const titleOf = new Map(docs.map((d) => [d.id, (d.title ?? "").toLowerCase()]));
const textOf = new Map(docs.map((d) => [d.id, `${d.title} ${d.category}`.toLowerCase()]));

function topTitles(query: string, opts = {}): string[] {
  return search(index, query, opts).hits.map((h) => titleOf.get(h.id)!);
}

test("'shampoo' returns shampoo titles", () => {
  const titles = topTitles("shampoo");
  assert.equal(titles.length, 10);
  for (const t of titles) assert.match(t, /shampoos?\b/);
});

test("a typo ('shampo') and a prefix ('shamp') find the same shampoos", () => {
  const exact = search(index, "shampoo").hits.map((h) => h.id);
  for (const query of ["shampo", "shamp", "shampooo"]) {
    const titles = topTitles(query);
    assert.equal(titles.length, 10, query);
    for (const t of titles) assert.match(t, /shampoo/, query);
  }
  assert.deepEqual(
    search(index, "shampo").hits.map((h) => h.id),
    exact,
  );
});

test("multi-word queries rank documents with all the words first", () => {
  const cases: Array<[string, RegExp[]]> = [
    ["dry shampoo", [/\bdry\b/, /shampoo/]],
    ["nail polish red", [/nail/, /polish/, /\bred\b/]],
    ["moisturizng cream", [/moistur/, /cream/]], // typo in the first word
    ["argan oil conditioner", [/argan/, /\boil\b/, /conditioner/]],
    ["eyeliner waterproof", [/eyeliner/, /waterproof/]],
  ];
  for (const [query, patterns] of cases) {
    const hits = search(index, query, { limit: 5 }).hits;
    assert.equal(hits.length, 5, query);
    for (const h of hits) for (const p of patterns) assert.match(textOf.get(h.id)!, p, query);
  }
});

test("hits report which terms matched in which fields", () => {
  const [hit] = search(index, "opi nail lacquer", { limit: 1 }).hits;
  const byToken = new Map(hit.matches.map((m) => [m.token, m]));
  assert.deepEqual(byToken.get("opi"), {
    token: "opi",
    term: "opi",
    kind: "exact",
    fields: ["title", "brand", "attributes"],
  });
  assert.equal(byToken.get("lacquer")?.kind, "exact");
  const typo = search(index, "shampo", { limit: 1, prefix: false }).hits[0].matches[0];
  assert.equal(typo.kind, "typo");
  assert.equal(typo.term, "shampoo");
});

test("the last token completes as a prefix unless the query ends with a space", () => {
  const exactOnly = { typo: false };
  assert.ok(search(index, "moisturi", exactOnly).hits.length > 0);
  assert.equal(search(index, "moisturi ", exactOnly).hits.length, 0);
  assert.equal(search(index, "moisturi", { ...exactOnly, prefix: false }).hits.length, 0);
});

test("filters restrict hits while searching", () => {
  const { hits } = search(index, "shampoo", { limit: 20, filters: { category: "hair care", priceMax: 20 } });
  assert.equal(hits.length, 20);
  for (const h of hits) {
    const doc = docs.find((d) => d.id === h.id)!;
    assert.match(doc.category!.toLowerCase(), /^hair care( > |$)/);
    assert.ok(doc.price! <= 20);
  }
  const opi = search(index, "nail", { limit: 50, filters: { brand: ["OPI", "Essie"] } }).hits;
  assert.ok(opi.length > 0);
  for (const h of opi)
    assert.ok(["opi", "essie"].includes(docs.find((d) => d.id === h.id)!.brand!.toLowerCase()));
});
