// Item side features aligned to dense item ids. Every feature vocabulary hands out ids in item-id
// order of first use (item 1's values first), so the ids are deterministic for a given item vocabulary.

import { upperBound } from "../util/upper-bound.js";
import type { Csr, FeatureCardinality, ItemFeatures } from "./prepared.js";
import { tokenize } from "./text.js";
import { Vocab } from "./vocab.js";

/** One row of the `items` table (the ingest stage's schema). */
export interface ItemRecord {
  title: string | null;
  /** Category path "a > b > c"; the full path is one category value. */
  category: string | null;
  brand: string | null;
  price: number | null;
  attributes: readonly string[] | null;
}

export interface ItemFeatureVocabs {
  category: Vocab;
  brand: Vocab;
  attribute: Vocab;
  token: Vocab;
}

export interface BuiltItemFeatures {
  features: ItemFeatures;
  vocabs: ItemFeatureVocabs;
  /** Upper-exclusive bucket edges: bucket b (1-based) holds prices in [edges[b-2], edges[b-1]). */
  priceEdges: number[];
  cardinality: FeatureCardinality;
}

/**
 * @param records records[id] for item ids 1..n (records[0] and missing items are null).
 * @param priceBuckets number of price quantile buckets (fewer if prices tie).
 */
export function buildItemFeatures(
  records: readonly (ItemRecord | null)[],
  priceBuckets: number,
): BuiltItemFeatures {
  const n = records.length;
  const vocabs: ItemFeatureVocabs = {
    category: new Vocab(),
    brand: new Vocab(),
    attribute: new Vocab(),
    token: new Vocab(),
  };
  const category = new Int32Array(n);
  const brand = new Int32Array(n);
  const attributeRows: number[][] = [[]];
  const tokenRows: number[][] = [[]];
  for (let id = 1; id < n; id++) {
    const r = records[id];
    if (r?.category) category[id] = vocabs.category.add(r.category);
    if (r?.brand) brand[id] = vocabs.brand.add(r.brand);
    attributeRows.push(r?.attributes ? r.attributes.map((a) => vocabs.attribute.add(a)) : []);
    tokenRows.push(r?.title ? tokenize(r.title).map((t) => vocabs.token.add(t)) : []);
  }
  const priceEdges = quantileEdges(records, priceBuckets);
  const priceBucket = new Int32Array(n);
  for (let id = 1; id < n; id++) {
    const price = records[id]?.price;
    if (price != null && Number.isFinite(price)) priceBucket[id] = 1 + upperBound(priceEdges, price);
  }
  return {
    features: {
      category,
      brand,
      priceBucket,
      attributes: toCsr(attributeRows),
      titleTokens: toCsr(tokenRows),
    },
    vocabs,
    priceEdges,
    cardinality: {
      category: vocabs.category.size,
      brand: vocabs.brand.size,
      priceBucket: priceBucket.some((b) => b > 0) ? priceEdges.length + 2 : 1,
      attribute: vocabs.attribute.size,
      token: vocabs.token.size,
    },
  };
}

/** Distinct interior quantile edges of the known prices. */
function quantileEdges(records: readonly (ItemRecord | null)[], buckets: number): number[] {
  const prices = Float64Array.from(
    records.flatMap((r) => (r?.price != null && Number.isFinite(r.price) ? [r.price] : [])),
  ).sort();
  const edges: number[] = [];
  if (prices.length === 0) return edges;
  for (let b = 1; b < buckets; b++) {
    const edge = prices[Math.floor((b * prices.length) / buckets)];
    if (edge > prices[0] && edge !== edges[edges.length - 1]) edges.push(edge);
  }
  return edges;
}

/** Number of edges ≤ x. */

export function toCsr(rows: readonly (readonly number[])[]): Csr {
  const offsets = new Int32Array(rows.length + 1);
  for (let r = 0; r < rows.length; r++) offsets[r + 1] = offsets[r] + rows[r].length;
  const values = new Int32Array(offsets[rows.length]);
  for (let r = 0; r < rows.length; r++) values.set(rows[r], offsets[r]);
  return { offsets, values };
}
