import { FIELD_COUNT, SEARCH_FIELDS } from "./config.js";
import type { SearchIndex } from "./inverted-index.js";
import type { PostingList } from "./postings.js";

// BM25F (Robertson, Zaragoza & Taylor 2004, "simple BM25F"): per-field term frequencies are length-normalised
// against that field's average length, weighted by the field boost and summed into one pseudo-frequency, which
// is then saturated once with k1:
//   tf~ = Σ_f boost_f · tf_f / (1 − b + b · len_f / avglen_f)
//   score(t, d) = idf(t) · sat(t, d),   sat = tf~ · (k1 + 1) / (k1 + tf~),   idf(t) = ln(1 + (N − df + 0.5) / (df + 0.5))
// Saturating once (not per field) means a term repeated in title and brand does not score twice as much.
// The idf is applied by the caller (query expansions share one idf, see query-plan.ts), so the cached per-term
// upper bound is of `sat` alone.

/** Postings per block for block-max bounds (Block-Max WAND). */
export const BLOCK_SIZE = 64;
export const BLOCK_SHIFT = 6;

/** Per-term upper bounds of `sat`, valid for one stats epoch. */
interface BoundCache {
  epoch: number;
  /** By term id: the largest `sat` of each block of BLOCK_SIZE postings. */
  blocks: Array<Float64Array | undefined>;
  max: Map<number, number>;
}
const boundCaches = new WeakMap<SearchIndex, BoundCache>();

export class Bm25Scorer {
  private readonly k1: number;
  private readonly b: number;
  private readonly boosts = new Float64Array(FIELD_COUNT);
  private readonly invAvgLength = new Float64Array(FIELD_COUNT);
  private readonly fieldLengths: Uint16Array;
  private readonly n: number;

  constructor(private readonly index: SearchIndex) {
    const { config, stats } = index;
    this.k1 = config.k1;
    this.b = config.b;
    this.n = stats.liveDocs;
    for (let f = 0; f < FIELD_COUNT; f++) {
      this.boosts[f] = config.boosts[SEARCH_FIELDS[f]];
      const avg = stats.liveDocs > 0 ? stats.totalFieldLength[f] / stats.liveDocs : 0;
      this.invAvgLength[f] = avg > 0 ? 1 / avg : 0;
    }
    this.fieldLengths = index.docs.fieldLengths;
  }

  idf(termId: number): number {
    const df = this.index.df[termId];
    return Math.log(1 + (this.n - df + 0.5) / (df + 0.5));
  }

  /** The saturated BM25F term frequency of posting `p` of `list` (the score before idf). */
  saturation(list: PostingList, p: number): number {
    const tfs = list.tfs;
    const base = p * FIELD_COUNT;
    const lenBase = list.docs[p] * FIELD_COUNT;
    const b = this.b;
    let tf = 0;
    for (let f = 0; f < FIELD_COUNT; f++) {
      const raw = tfs[base + f];
      if (raw === 0) continue;
      tf += (this.boosts[f] * raw) / (1 - b + b * this.fieldLengths[lenBase + f] * this.invAvgLength[f]);
    }
    return (tf * (this.k1 + 1)) / (this.k1 + tf);
  }

  /**
   * The largest saturation in each block of the term's postings, exact (removed documents included, which only
   * loosens it). Computed once per term per stats epoch, so a static index pays it once.
   */
  blockMaxSaturation(termId: number): Float64Array {
    const cache = this.cache();
    let blocks = cache.blocks[termId];
    if (!blocks) {
      const list = this.index.postings[termId];
      blocks = new Float64Array((list.length + BLOCK_SIZE - 1) >> BLOCK_SHIFT);
      let max = 0;
      for (let p = 0; p < list.length; p++) {
        const s = this.saturation(list, p);
        if (s > blocks[p >> BLOCK_SHIFT]) blocks[p >> BLOCK_SHIFT] = s;
        if (s > max) max = s;
      }
      cache.blocks[termId] = blocks;
      cache.max.set(termId, max);
    }
    return blocks;
  }

  /** The largest saturation of any posting of the term. */
  maxSaturation(termId: number): number {
    this.blockMaxSaturation(termId);
    return this.cache().max.get(termId)!;
  }

  private cache(): BoundCache {
    let cache = boundCaches.get(this.index);
    const epoch = this.index.stats.epoch;
    if (!cache || cache.epoch !== epoch) {
      cache = { epoch, blocks: [], max: new Map() };
      boundCaches.set(this.index, cache);
    }
    return cache;
  }
}
