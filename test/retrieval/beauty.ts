// Test helpers on the real Amazon Beauty data: sequences, item metadata (attributes as a category path, as
// the search tests do) and item vectors made from the data (a random projection of each item's users).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ItemCatalogue, type ItemMeta } from "../../src/retrieval/index.js";
import { datasetsDir, readSequences } from "../eval/read-sequences.js";

export const beauty = readSequences("amazon-beauty");

export function sequence(user: number): Int32Array {
  return beauty.items.subarray(beauty.offsets[user], beauty.offsets[user + 1]);
}

export function beautyMetas(): ItemMeta[] {
  return readFileSync(join(datasetsDir, "amazon-beauty", "items.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { item_id: number; title: string; attributes: string[] })
    .map((it) => ({
      id: String(it.item_id),
      title: it.title,
      category: it.attributes.slice(1).join(" > ") || undefined,
      brand: it.attributes[0],
      price: ((it.item_id * 7919) % 5000) / 100,
    }));
}

/** Catalogue whose dense ids equal Beauty's item ids. */
export function beautyCatalogue(): ItemCatalogue {
  const cat = new ItemCatalogue();
  for (const meta of beautyMetas()) cat.upsert(meta);
  return cat;
}

/** [nItems + 1, dim]: the sum of fixed random unit-variance vectors of the item's users, L2-normalised. */
export function projectedItemVectors(dim: number, seed = 7): Float32Array {
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
  const users = beauty.offsets.length - 1;
  const userVecs = Float32Array.from({ length: users * dim }, rand);
  const out = new Float32Array((beauty.nItems + 1) * dim);
  for (let u = 0; u < users; u++) {
    for (let p = beauty.offsets[u]; p < beauty.offsets[u + 1]; p++) {
      const item = beauty.items[p];
      for (let d = 0; d < dim; d++) out[item * dim + d] += userVecs[u * dim + d];
    }
  }
  for (let i = 1; i <= beauty.nItems; i++) {
    let n = 0;
    for (let d = 0; d < dim; d++) n += out[i * dim + d] ** 2;
    n = Math.sqrt(n) || 1;
    for (let d = 0; d < dim; d++) out[i * dim + d] /= n;
  }
  return out;
}

/** Exact top-k items by inner product (brute force), excluding padding. */
export function exactTopK(vectors: Float32Array, dim: number, query: Float32Array, k: number): number[] {
  const n = vectors.length / dim;
  const scores: Array<[number, number]> = [];
  for (let i = 1; i < n; i++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += vectors[i * dim + d] * query[d];
    scores.push([i, s]);
  }
  return scores
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([i]) => i);
}
