// The request's candidate pool for recommend(): candidates in proposal order, found by item through an
// ItemScratch of their positions, with the Candidate objects themselves reused from call to call.
import { ItemScratch } from "./item-scratch.js";
import { CANDIDATE_SOURCES, type Candidate, type CandidateSource } from "./ranker.js";

function emptySources(): Record<CandidateSource, number> {
  return { ann: 0, covis: 0, popular: 0, trending: 0 };
}

/**
 * The request's candidates in proposal order, found by item through an ItemScratch of their positions. The
 * Candidate objects are reused from call to call (no allocation per candidate), so they are only valid until
 * the next reset: nothing that outlives a recommend() call may keep one.
 */
export class CandidatePool {
  private readonly slots = new ItemScratch();
  private readonly made: Candidate[] = [];
  readonly list: Candidate[] = [];

  reset(): void {
    this.slots.clear();
    this.list.length = 0;
  }

  get(item: number): Candidate | undefined {
    return this.slots.has(item) ? this.list[this.slots.get(item)] : undefined;
  }

  /** A new candidate for `item`, without a dot product or source scores yet. */
  add(item: number): Candidate {
    let c = this.made[this.list.length];
    if (c) {
      c.item = item;
      c.dot = Number.NaN;
      for (const s of CANDIDATE_SOURCES) c.sources[s] = 0;
    } else {
      c = { item, dot: Number.NaN, sources: emptySources() };
      this.made.push(c);
    }
    this.slots.set(item, this.list.length);
    this.list.push(c);
    return c;
  }

  get size(): number {
    return this.list.length;
  }
}
