import { forEachWithinDistance, forEachWithPrefix } from "./sorted-terms.js";
import { Vocabulary } from "./vocabulary.js";

// New surface forms wait in a small unsorted buffer and are merged into the sorted array in batches, so adding a
// document never re-sorts the whole vocabulary and a new word is findable at once.
const PENDING_MERGE_SIZE = 1024;

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

  get size(): number {
    return this.vocab.size;
  }

  add(surface: string, termId: number): void {
    if (this.vocab.id(surface) !== undefined) return;
    this.vocab.intern(surface);
    this.termOf.push(termId);
    this.pending.push(surface);
    if (this.pending.length >= PENDING_MERGE_SIZE) this.mergePending();
  }

  /** [surface, term id] pairs in insertion order (for saving). */
  entries(): Array<[string, number]> {
    return this.vocab.terms.map((s, i) => [s, this.termOf[i]]);
  }

  /** Term ids of every surface form starting with `prefix`. */
  termsWithPrefix(prefix: string): Set<number> {
    const out = new Set<number>();
    const visit = (s: string) => out.add(this.termOf[this.vocab.id(s)!]);
    forEachWithPrefix(this.sorted, prefix, visit);
    for (const s of this.pending) if (s.startsWith(prefix)) visit(s);
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
    forEachWithinDistance(this.sorted, word, maxDist, visit);
    if (this.pending.length > 0) forEachWithinDistance([...this.pending].sort(), word, maxDist, visit);
    return out;
  }

  private mergePending(): void {
    const add = this.pending.sort();
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
  }
}
