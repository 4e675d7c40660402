import { FIELD_COUNT } from "./config.js";
import { ensureLength } from "./growable.js";
import { KeywordDictionary } from "./keyword-dictionary.js";

/**
 * Per-document columns indexed by internal doc number. Doc numbers are handed out in insertion order and never
 * reused, so postings stay sorted by appending; an update is a removal plus an add under a new number.
 */
export class DocTable {
  /** Number of doc numbers handed out (live + removed). */
  count = 0;
  readonly ids: string[] = [];
  readonly byId = new Map<string, number>();
  fieldLengths = new Uint16Array(0);
  removed = new Uint8Array(0);
  brand = new Int32Array(0);
  category = new Int32Array(0);
  price = new Float64Array(0);
  /** Forward index (CSR): doc d's distinct term ids are terms[termOffsets[d] .. termOffsets[d + 1]). */
  termOffsets = new Uint32Array(1);
  terms = new Uint32Array(0);
  readonly brands = new KeywordDictionary();
  readonly categories = new KeywordDictionary();

  /** Appends a document and returns its doc number. */
  append(
    id: string,
    lengths: ArrayLike<number>,
    termIds: ArrayLike<number>,
    keywords: { brand: number; category: number; price: number },
  ): number {
    const d = this.count++;
    this.ids.push(id);
    this.byId.set(id, d);
    this.fieldLengths = ensureLength(this.fieldLengths, this.count * FIELD_COUNT);
    for (let f = 0; f < FIELD_COUNT; f++)
      this.fieldLengths[d * FIELD_COUNT + f] = Math.min(lengths[f], 0xffff);
    this.removed = ensureLength(this.removed, this.count);
    this.brand = ensureLength(this.brand, this.count, -1);
    this.category = ensureLength(this.category, this.count, -1);
    this.price = ensureLength(this.price, this.count, Number.NaN);
    this.brand[d] = keywords.brand;
    this.category[d] = keywords.category;
    this.price[d] = keywords.price;
    const start = this.termOffsets[d];
    this.termOffsets = ensureLength(this.termOffsets, this.count + 1);
    this.terms = ensureLength(this.terms, start + termIds.length);
    for (let i = 0; i < termIds.length; i++) this.terms[start + i] = termIds[i];
    this.termOffsets[d + 1] = start + termIds.length;
    return d;
  }

  isLive(d: number): boolean {
    return this.removed[d] === 0;
  }

  termsOf(d: number): Uint32Array {
    return this.terms.subarray(this.termOffsets[d], this.termOffsets[d + 1]);
  }
}
