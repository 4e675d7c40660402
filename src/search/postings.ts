import { FIELD_COUNT } from "./config.js";

const INITIAL_CAPACITY = 4;
export const MAX_TF = 0xff;

/**
 * The postings of one term: ascending internal doc numbers and, per posting, the term's frequency in each field
 * (FIELD_COUNT consecutive bytes, capped at 255: BM25 saturates long before that). Appending keeps the order because doc numbers only grow.
 * Removed documents stay until `compact` drops them.
 */
export class PostingList {
  docs: Uint32Array = new Uint32Array(INITIAL_CAPACITY);
  tfs: Uint8Array = new Uint8Array(INITIAL_CAPACITY * FIELD_COUNT);
  length = 0;

  push(doc: number, fieldTfs: ArrayLike<number>): void {
    if (this.length === this.docs.length) this.resize(Math.max(INITIAL_CAPACITY, this.length * 2));
    this.docs[this.length] = doc;
    const base = this.length * FIELD_COUNT;
    for (let f = 0; f < FIELD_COUNT; f++) this.tfs[base + f] = Math.min(fieldTfs[f], MAX_TF);
    this.length++;
  }

  /** Index of the first posting with doc ≥ target at or after `from`, or `length` (galloping, then binary search). */
  seek(target: number, from: number): number {
    const docs = this.docs;
    const n = this.length;
    if (from >= n || docs[from] >= target) return from;
    let step = 1;
    let lo = from;
    let hi = from + 1;
    while (hi < n && docs[hi] < target) {
      lo = hi;
      step *= 2;
      hi = from + step;
    }
    if (hi > n) hi = n;
    // docs[lo] < target; answer in (lo, hi]
    lo++;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (docs[mid] < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Drops postings of documents for which `live` is false; returns how many were dropped. */
  compact(live: (doc: number) => boolean): number {
    let w = 0;
    for (let r = 0; r < this.length; r++) {
      if (!live(this.docs[r])) continue;
      if (w !== r) {
        this.docs[w] = this.docs[r];
        this.tfs.copyWithin(w * FIELD_COUNT, r * FIELD_COUNT, (r + 1) * FIELD_COUNT);
      }
      w++;
    }
    const dropped = this.length - w;
    this.length = w;
    if (w < this.docs.length / 4 && this.docs.length > INITIAL_CAPACITY)
      this.resize(Math.max(INITIAL_CAPACITY, w));
    return dropped;
  }

  /** Rebuilds a list from saved arrays (already trimmed to length). */
  static from(docs: Uint32Array, tfs: Uint8Array): PostingList {
    const list = new PostingList();
    list.docs = docs;
    list.tfs = tfs;
    list.length = docs.length;
    return list;
  }

  private resize(capacity: number): void {
    const docs = new Uint32Array(capacity);
    docs.set(this.docs.subarray(0, this.length));
    const tfs = new Uint8Array(capacity * FIELD_COUNT);
    tfs.set(this.tfs.subarray(0, this.length * FIELD_COUNT));
    this.docs = docs;
    this.tfs = tfs;
  }
}
