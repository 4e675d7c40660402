import { forEachWithinDistance, forEachWithPrefix } from "./sorted-terms.js";
import { Vocabulary } from "./vocabulary.js";

// New surface forms wait in a pending array (sorted on demand before a lookup) and are merged into the main sorted
// array once it holds a quarter as many, so building costs O(V log V) and a new word is findable at once.
const MIN_MERGE_SIZE = 1024;

/**
 * The words as written ("moisturizing", "shampoos") mapped to the index terms they stem to. Prefix and typo
 * lookups run on these surface forms, because a typo rarely stems like the word it misspells
 * ("moisturizng" is one edit from "moisturizing" but far from the stem "moistur").
 */
export class SurfaceForms {
  private readonly vocab = new Vocabulary();
  /** Term id of each surface form, by surface id. */
  private readonly termOf: number[] = [];
  private sorted: string[] = [];
  private pending: string[] = [];
  private pendingSorted = true;

  get size(): number {
    return this.vocab.size;
  }

  add(surface: string, termId: number): void {
    if (this.vocab.id(surface) !== undefined) return;
    this.vocab.intern(surface);
    this.termOf.push(termId);
    this.pending.push(surface);
    this.pendingSorted = false;
    if (this.pending.length >= Math.max(MIN_MERGE_SIZE, this.sorted.length / 4)) this.mergePending();
  }

  /** [surface, term id] pairs in insertion order (for saving). */
  entries(): Array<[string, number]> {
    return this.vocab.terms.map((s, i) => [s, this.termOf[i]]);
  }

  /** Term ids of every surface form starting with `prefix`. */
  termsWithPrefix(prefix: string): Set<number> {
    const out = new Set<number>();
    const visit = (s: string) => out.add(this.termOf[this.vocab.id(s)!]);
    for (const sorted of this.sortedViews()) forEachWithPrefix(sorted, prefix, visit);
    return out;
  }

  /** Term ids reachable from a surface form within `maxDist` edits of `word`, with the fewest edits found. */
  termsWithinDistance(word: string, maxDist: number): Map<number, number> {
    const out = new Map<number, number>();
    const visit = (s: string, distance: number) => {
      const termId = this.termOf[this.vocab.id(s)!];
      const seen = out.get(termId);
      if (seen === undefined || distance < seen) out.set(termId, distance);
    };
    for (const sorted of this.sortedViews()) forEachWithinDistance(sorted, word, maxDist, visit);
    return out;
  }

  private sortedViews(): string[][] {
    if (!this.pendingSorted) {
      this.pending.sort();
      this.pendingSorted = true;
    }
    return [this.sorted, this.pending];
  }

  private mergePending(): void {
    const add = this.sortedViews()[1];
    const merged = new Array<string>(this.sorted.length + add.length);
    let i = 0;
    let j = 0;
    let w = 0;
    while (i < this.sorted.length && j < add.length)
      merged[w++] = this.sorted[i] < add[j] ? this.sorted[i++] : add[j++];
    while (i < this.sorted.length) merged[w++] = this.sorted[i++];
    while (j < add.length) merged[w++] = add[j++];
    this.sorted = merged;
    this.pending = [];
    this.pendingSorted = true;
  }
}
