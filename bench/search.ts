// `npm run bench -- search [--docs N] [--queries N]`: top-10 product-search latency of seqrank's engine vs
// @orama/orama on the same seeded synthetic catalogue, in the same process. Queries are 1–3 of the most frequent
// title words (the expensive case: long postings). Last stdout line: one JSON object.
import { create, insertMultiple, search as oramaSearch } from "@orama/orama";
import { uniformSource } from "../src/graph/init.js";
import {
  addDocument,
  createSearchIndex,
  loadIndex,
  type SearchDocument,
  type SearchOptionsInput,
  saveIndex,
  search,
} from "../src/search/index.js";
import { printResultLine } from "../src/util/result-line.js";

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const DOCS = flag("docs", 100_000);
const QUERIES = flag("queries", 1000);
const WARMUP = 100;
// Orama is far slower on head terms; it gets at most this many queries or this much time (≥ 30 queries).
const ORAMA_MAX_QUERIES = 200;
const ORAMA_MIN_QUERIES = 30;
const ORAMA_BUDGET_MS = 60_000;

const random = uniformSource(42);

/** Samples ranks 0..n-1 with P(rank r) ∝ 1 / (r + 1)^s. */
function zipf<T>(items: readonly T[], s = 1.05): () => T {
  const cdf = new Float64Array(items.length);
  let total = 0;
  items.forEach((_, r) => {
    total += 1 / (r + 1) ** s;
    cdf[r] = total;
  });
  return () => {
    const x = random() * total;
    let lo = 0;
    let hi = items.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return items[lo];
  };
}

// Category paths with their product nouns; the order (and Zipf) makes the first ones the big categories.
const CATEGORIES: Array<[string, string[]]> = [
  ["Beauty > Hair Care > Shampoo", ["shampoo", "dry shampoo", "clarifying shampoo", "shampoo bar"]],
  ["Beauty > Skin Care > Moisturizer", ["face cream", "moisturizer", "night cream", "day cream", "lotion"]],
  ["Electronics > Phone Accessories > Cases", ["phone case", "iphone case", "silicone case", "wallet case"]],
  ["Clothing > Women > Dresses", ["dress", "maxi dress", "summer dress", "cocktail dress", "sundress"]],
  ["Electronics > Audio > Headphones", ["headphones", "earbuds", "wireless earbuds", "headset"]],
  ["Home > Kitchen > Cookware", ["frying pan", "saucepan", "wok", "skillet", "cookware set"]],
  ["Sports > Fitness > Yoga", ["yoga mat", "yoga block", "resistance band", "foam roller"]],
  ["Beauty > Makeup > Lips", ["lipstick", "lip gloss", "lip balm", "lip liner", "lip tint"]],
  ["Clothing > Men > Shirts", ["shirt", "t-shirt", "polo shirt", "dress shirt", "flannel shirt"]],
  ["Home > Bedding > Sheets", ["bed sheets", "pillowcase", "duvet cover", "fitted sheet", "comforter"]],
  [
    "Electronics > Computers > Accessories",
    ["laptop stand", "keyboard", "mouse", "usb hub", "laptop sleeve"],
  ],
  ["Beauty > Makeup > Eyes", ["mascara", "eyeliner", "eyeshadow palette", "brow pencil", "false lashes"]],
  ["Toys > Building > Blocks", ["building blocks", "construction set", "magnetic tiles", "brick set"]],
  ["Sports > Outdoor > Camping", ["tent", "sleeping bag", "camping lantern", "camping chair", "backpack"]],
  ["Home > Bath > Towels", ["bath towel", "hand towel", "towel set", "bath mat", "beach towel"]],
  [
    "Clothing > Shoes > Sneakers",
    ["sneakers", "running shoes", "trainers", "walking shoes", "slip-on shoes"],
  ],
  ["Beauty > Nails > Nail Polish", ["nail polish", "gel polish", "top coat", "base coat", "nail lacquer"]],
  [
    "Electronics > Wearables > Watches",
    ["smart watch", "fitness tracker", "watch band", "smartwatch charger"],
  ],
  ["Home > Kitchen > Storage", ["food container", "storage jar", "lunch box", "spice rack", "bread box"]],
  ["Pets > Dogs > Toys", ["dog toy", "chew toy", "rope toy", "squeaky toy", "tennis ball"]],
  ["Baby > Feeding > Bottles", ["baby bottle", "sippy cup", "bottle nipple", "bottle warmer", "bib"]],
  ["Office > Writing > Pens", ["gel pen", "ballpoint pen", "fountain pen", "marker", "highlighter"]],
  ["Home > Lighting > Lamps", ["desk lamp", "floor lamp", "night light", "led strip", "table lamp"]],
  ["Automotive > Interior > Organizers", ["car organizer", "seat cover", "phone holder", "floor mat"]],
];
const ADJECTIVES = (
  "new professional organic natural wireless portable waterproof premium classic soft lightweight durable " +
  "large small mini slim ultra deluxe original vintage modern compact adjustable heavy duty extra strength " +
  "gentle sensitive hydrating nourishing anti-aging long lasting quick dry breathable stretch non-slip " +
  "rechargeable foldable stainless reusable eco-friendly handmade luxury travel fast-charging noise-cancelling " +
  "ergonomic insulated scented unscented matte glossy shimmer volumizing repairing"
).split(" ");
const COLORS =
  "black white red blue pink navy grey green beige gold silver purple brown yellow orange rose clear teal ivory".split(
    " ",
  );
const MATERIALS = (
  "cotton silicone leather stainless steel bamboo wool polyester ceramic glass aluminum nylon linen " +
  "plastic wood velvet denim"
).split(" ");
const AUDIENCE = ["for women", "for men", "for kids", "unisex", "for baby", "for dogs"];
const UNITS = ["ml", "oz", "fl oz", "pack", "count", "inch", "cm", "g"];
const SYLLABLES = "ka lo mi ra ve zen tor lux bel ora nix sol via neo ari dyn qua pro ello fin".split(" ");

function brandName(): string {
  const n = 2 + Math.floor(random() * 2);
  let name = "";
  for (let i = 0; i < n; i++) name += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
  return name[0].toUpperCase() + name.slice(1);
}

function generateCatalogue(n: number): SearchDocument[] {
  const brands = [...new Set(Array.from({ length: 800 }, brandName))];
  const pickBrand = zipf(brands);
  const pickCategory = zipf(CATEGORIES, 0.8);
  const pickAdjective = zipf(ADJECTIVES);
  const pickColor = zipf(COLORS);
  const pickMaterial = zipf(MATERIALS);
  const pickAudience = zipf(AUDIENCE);
  const pickUnit = zipf(UNITS);
  const docs: SearchDocument[] = [];
  for (let i = 0; i < n; i++) {
    const [category, nouns] = pickCategory();
    const brand = pickBrand();
    const color = random() < 0.6 ? pickColor() : null;
    const material = random() < 0.4 ? pickMaterial() : null;
    const audience = random() < 0.3 ? pickAudience() : null;
    const words = [brand];
    const adjectives = Math.floor(random() * 3);
    for (let a = 0; a < adjectives; a++) words.push(pickAdjective());
    if (color) words.push(color);
    if (material) words.push(material);
    words.push(zipf(nouns)());
    if (audience) words.push(audience);
    if (random() < 0.5) words.push(`${1 + Math.floor(random() * 500)} ${pickUnit()}`);
    if (random() < 0.2) words.push(`${brand.slice(0, 2).toUpperCase()}${100 + Math.floor(random() * 900)}`);
    docs.push({
      id: `p${i}`,
      title: words.join(" "),
      brand,
      category,
      attributes: [color, material, audience].filter((x): x is string => x !== null),
      price: Math.round(Math.exp(2 + random() * 3) * 100) / 100,
    });
  }
  return docs;
}

/** 1–3 words drawn from the 40 most frequent title words (the head of the Zipf curve). */
function headTermQueries(docs: SearchDocument[], count: number): string[] {
  const freq = new Map<string, number>();
  for (const d of docs) {
    for (const w of (d.title ?? "").toLowerCase().split(/[^a-z-]+/)) {
      if (w.length > 2 && w !== "for") freq.set(w, (freq.get(w) ?? 0) + 1);
    }
  }
  const head = [...freq].sort((a, b) => b[1] - a[1]).slice(0, 40);
  console.log(
    `head terms: ${head
      .slice(0, 12)
      .map(([w, c]) => `${w} (${c})`)
      .join(", ")}, …`,
  );
  return Array.from({ length: count }, () => {
    const n = 1 + Math.floor(random() * 3);
    return Array.from({ length: n }, () => head[Math.floor(random() * head.length)][0]).join(" ");
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function summarize(ms: number[]): { p50: number; p95: number; mean: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    p50: round(percentile(sorted, 0.5)),
    p95: round(percentile(sorted, 0.95)),
    mean: round(ms.reduce((s, x) => s + x, 0) / ms.length),
  };
}

function timeQueries(queries: string[], run: (q: string) => void): number[] {
  return queries.map((q) => {
    const t0 = performance.now();
    run(q);
    return performance.now() - t0;
  });
}

async function main(): Promise<void> {
  const docs = generateCatalogue(DOCS);
  const queries = headTermQueries(docs, QUERIES + WARMUP);
  const [warmup, measured] = [queries.slice(0, WARMUP), queries.slice(WARMUP)];

  let t0 = performance.now();
  const index = createSearchIndex();
  for (const doc of docs) addDocument(index, doc);
  const buildS = (performance.now() - t0) / 1000;
  console.log(`seqrank: indexed ${DOCS} docs in ${buildS.toFixed(2)} s, ${index.dict.size} terms`);

  t0 = performance.now();
  const bytes = saveIndex(index);
  const saveS = (performance.now() - t0) / 1000;
  t0 = performance.now();
  loadIndex(bytes);
  const loadS = (performance.now() - t0) / 1000;

  const variants: Record<string, SearchOptionsInput> = {
    default: { limit: 10 }, // prefix on the last token + typo tolerance
    exact: { limit: 10, prefix: false, typo: false },
    exhaustive: { limit: 10, exhaustive: true },
  };
  const ours: Record<string, ReturnType<typeof summarize>> = {};
  for (const [name, opts] of Object.entries(variants)) {
    for (const q of warmup) search(index, q, opts);
    ours[name] = summarize(timeQueries(measured, (q) => search(index, q, opts)));
    console.log(
      `seqrank ${name}: p50 ${ours[name].p50} ms, p95 ${ours[name].p95} ms over ${measured.length} queries`,
    );
  }

  t0 = performance.now();
  const db = create({
    schema: {
      title: "string",
      brand: "string",
      category: "string",
      attributes: "string",
      price: "number",
    } as const,
  });
  await insertMultiple(
    db,
    docs.map((d) => ({
      id: d.id,
      title: d.title ?? "",
      brand: d.brand ?? "",
      category: d.category ?? "",
      attributes: (d.attributes ?? []).join(" "),
      price: d.price ?? 0,
    })),
    1000,
  );
  const oramaBuildS = (performance.now() - t0) / 1000;
  console.log(`orama: indexed in ${oramaBuildS.toFixed(2)} s`);
  const oramaParams = {
    limit: 10,
    properties: ["title", "brand", "category", "attributes"] as (
      | "title"
      | "brand"
      | "category"
      | "attributes"
    )[],
    boost: { title: 1.5, brand: 2, category: 1, attributes: 0.75 },
  };
  for (const q of warmup.slice(0, 3)) await oramaSearch(db, { term: q, ...oramaParams });
  const oramaMs: number[] = [];
  const started = performance.now();
  for (const q of measured.slice(0, ORAMA_MAX_QUERIES)) {
    if (oramaMs.length >= ORAMA_MIN_QUERIES && performance.now() - started > ORAMA_BUDGET_MS) break;
    const q0 = performance.now();
    await oramaSearch(db, { term: q, ...oramaParams });
    oramaMs.push(performance.now() - q0);
  }
  const orama = summarize(oramaMs);
  console.log(`orama: p50 ${orama.p50} ms, p95 ${orama.p95} ms over ${oramaMs.length} queries (capped)`);

  printResultLine({
    docs: DOCS,
    queries: measured.length,
    index_build_s: Math.round(buildS * 100) / 100,
    search_p50_ms: ours.default.p50,
    search_p95_ms: ours.default.p95,
    search_mean_ms: ours.default.mean,
    exact_p50_ms: ours.exact.p50,
    exact_p95_ms: ours.exact.p95,
    exhaustive_p50_ms: ours.exhaustive.p50,
    exhaustive_p95_ms: ours.exhaustive.p95,
    index_bytes: bytes.length,
    save_s: Math.round(saveS * 100) / 100,
    load_s: Math.round(loadS * 100) / 100,
    orama_index_build_s: Math.round(oramaBuildS * 100) / 100,
    orama_search_p50_ms: orama.p50,
    orama_search_p95_ms: orama.p95,
    orama_queries: oramaMs.length,
    goal_p95_ms: 20,
  });
}

await main();
