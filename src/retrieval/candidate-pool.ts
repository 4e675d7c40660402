// The request's candidate pool for recommend(): candidates in proposal order, found by item through an
// ItemScratch of their positions, with the Candidate objects themselves reused from call to call.
import { ItemScratch } from "./item-scratch.js";
import type { Candidate, CandidateSource } from "./ranker.js";

function emptySources(): Record<CandidateSource, number> {
  return { ann: 0, covis: 0, popular: 0, trending: 0 };
}

/**
 * The request's candidates in proposal order, found by item through an ItemScratch of their positions. The
 * Candidate objects are reused from call to call (no allocation per candidate), so they are only valid until
 * the next reset: nothing that outlives a recommend() call may keep one. The pool is counted, not truncated
 * (emptying an array drops its backing store, which the next request would grow again).
 */
export class CandidatePool {
  private readonly slots = new ItemScratch();
  private readonly made: Candidate[] = [];
  private count = 0;

  reset(): void {
    this.slots.clear();
    this.count = 0;
  }

  get(item: number): Candidate | undefined {
    return this.slots.has(item) ? this.made[this.slots.get(item)] : undefined;
  }

  /** The i-th candidate proposed since the reset. */
  at(i: number): Candidate {
    return this.made[i];
  }

  /** A new candidate for `item`, without a dot product or source scores yet. */
  add(item: number): Candidate {
    let c = this.made[this.count];
    if (c) {
      c.item = item;
      c.dot = Number.NaN;
      // Field by field: a for…of over the source names allocated an iterator result per name.
      c.sources.ann = 0;
      c.sources.covis = 0;
      c.sources.popular = 0;
      c.sources.trending = 0;
    } else {
      c = { item, dot: Number.NaN, sources: emptySources() };
      this.made.push(c);
    }
    this.slots.set(item, this.count++);
    return c;
  }

  get size(): number {
    return this.count;
  }
}
