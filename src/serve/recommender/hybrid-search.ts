// Product search for the service: BM25F (src/search) and vector retrieval fused by reciprocal rank fusion,
// then optionally re-ranked by the user's sequence vector. The vector leg ("semantic") embeds the query with
// the model's title tower when it has one and searches the catalogue's title vectors by cosine
// (title-index.ts); otherwise it falls back to pseudo-relevance feedback over the item vectors (the mean
// vector of the BM25 top hits), which finds items the model places near the matching ones.
import { businessFilter, dot, type ItemCatalogue, type ItemMeta, unitScale } from "../../retrieval/index.js";
import { type SearchIndex, search } from "../../search/index.js";
import type { ModelBundle } from "./bundle.js";
import { textNeighbourVector } from "./content-vectors.js";
import { titleVector } from "./title-index.js";

export interface HybridSearchOptions {
  k: number;
  category?: string;
  brand?: string;
  priceMin?: number;
  priceMax?: number;
  inStock?: boolean;
  /** Weight of the personal score (user vector · item, min–max scaled) against fused relevance (scaled to 1). */
  personalWeight: number;
}

export interface HybridHit {
  item: number;
  score: number;
  /** 1-based ranks in each leg (absent = not retrieved by it). */
  bm25Rank?: number;
  vectorRank?: number;
  /** Query tokens → matched index terms (BM25 leg). */
  matched: string[];
}

/** What the vector leg ran: the title tower, the BM25-neighbour fallback, or nothing (no model vectors). */
export type VectorLeg = "title-tower" | "bm25-neighbours" | "none";

export interface HybridResult {
  hits: HybridHit[];
  vectorLeg: VectorLeg;
}

/** RRF constant (Cormack et al., 2009). */
const RRF_K = 60;
/** Items each leg retrieves before fusion. */
const DEPTH = 50;

export async function hybridSearch(
  searchIndex: SearchIndex,
  catalogue: ItemCatalogue,
  bundle: ModelBundle,
  query: string,
  opts: HybridSearchOptions,
  userVector?: Float32Array,
): Promise<HybridResult> {
  const accept = businessFilter({
    category: opts.category,
    priceMin: opts.priceMin,
    priceMax: opts.priceMax,
    inStock: opts.inStock,
  });
  const brand = opts.brand?.trim().toLowerCase();
  const admit = (meta: ItemMeta | undefined) =>
    meta !== undefined && accept(meta) && (brand === undefined || meta.brand?.trim().toLowerCase() === brand);
  const fused = new Map<number, HybridHit>();
  const bm25 = search(searchIndex, query, {
    limit: DEPTH,
    filters: { category: opts.category, brand: opts.brand, priceMin: opts.priceMin, priceMax: opts.priceMax },
  });
  let rank = 0;
  for (const hit of bm25.hits) {
    const id = catalogue.denseId(hit.id);
    if (id === undefined || !admit(catalogue.meta(id))) continue;
    rank++;
    fused.set(id, {
      item: id,
      score: 1 / (RRF_K + rank),
      bm25Rank: rank,
      matched: hit.matches.map((m) => m.term),
    });
  }
  const { leg, hits: vectorHits } = await vectorLeg(searchIndex, catalogue, bundle, query);
  rank = 0;
  for (const id of vectorHits) {
    if (!admit(catalogue.meta(id))) continue;
    rank++;
    const hit = fused.get(id) ?? { item: id, score: 0, matched: [] };
    hit.score += 1 / (RRF_K + rank);
    hit.vectorRank = rank;
    fused.set(id, hit);
  }
  const hits = [...fused.values()];
  const vectors = bundle.vectors;
  if (userVector && vectors && hits.length > 0)
    personalise(hits, userVector, (id) => vectors.get(id), opts.personalWeight);
  return { hits: hits.sort((a, b) => b.score - a.score).slice(0, opts.k), vectorLeg: leg };
}

/** The vector leg's items, best first (before filters). */
async function vectorLeg(
  searchIndex: SearchIndex,
  catalogue: ItemCatalogue,
  { model, vectors, index, titles }: ModelBundle,
  query: string,
): Promise<{ leg: VectorLeg; hits: Int32Array }> {
  if (titles) {
    const qv = await titleVector(model, query);
    return { leg: "title-tower", hits: qv ? titles.search(qv, DEPTH).items : new Int32Array(0) };
  }
  if (!vectors || !index) return { leg: "none", hits: new Int32Array(0) };
  const qv = textNeighbourVector(query, searchIndex, catalogue, vectors);
  return { leg: "bm25-neighbours", hits: qv ? index.search(qv, DEPTH).items : new Int32Array(0) };
}

function personalise(
  hits: HybridHit[],
  user: Float32Array,
  vectorOf: (item: number) => Float32Array | undefined,
  weight: number,
): void {
  const best = Math.max(...hits.map((h) => h.score));
  const personal = hits.map((h) => {
    const v = vectorOf(h.item);
    return v ? dot(user, v) : Number.NaN;
  });
  // An item without a vector, or with a damaged one (a non-finite inner product), gets no personal score.
  const known = personal.filter((p) => Number.isFinite(p));
  const lo = Math.min(...known);
  const hi = Math.max(...known);
  hits.forEach((h, i) => {
    const p = Number.isFinite(personal[i]) && hi > lo ? unitScale(personal[i], lo, hi) : 0;
    h.score = h.score / best + weight * p;
  });
}
