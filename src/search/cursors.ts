import { BLOCK_SHIFT, BLOCK_SIZE, type Bm25Scorer } from "./bm25.js";
import type { PlanGroup, PlanTerm } from "./query-plan.js";

/** Past the last doc number. */
export const END = Number.MAX_SAFE_INTEGER;

/** Walks one query group's postings in doc order. */
export interface Cursor {
  /** Current doc number, or END. */
  doc: number;
  readonly bound: number;
  next(): void;
  /** Moves to the first doc ≥ target. */
  seek(target: number): void;
  /** The group's score for the current doc. */
  score(): number;
  /**
   * Without moving: a bound on the group's score for any doc in [target, blockLast], where blockLast (set by
   * this call, ≥ target) ends the postings block(s) holding the first posting(s) ≥ target.
   */
  blockBound(target: number): number;
  readonly blockLast: number;
}

class TermCursor implements Cursor {
  doc: number;
  readonly bound: number;
  blockLast = END;
  private pos = 0;

  constructor(
    private readonly term: PlanTerm,
    private readonly scorer: Bm25Scorer,
  ) {
    this.bound = term.bound;
    this.doc = term.list.length > 0 ? term.list.docs[0] : END;
  }

  next(): void {
    this.moveTo(this.pos + 1);
  }

  seek(target: number): void {
    if (target > this.doc) this.moveTo(this.term.list.seek(target, this.pos));
  }

  score(): number {
    return this.term.factor * this.scorer.saturation(this.term.list, this.pos);
  }

  blockBound(target: number): number {
    const list = this.term.list;
    const p = list.seek(target, this.pos);
    if (p >= list.length) {
      this.blockLast = END;
      return 0;
    }
    const block = p >> BLOCK_SHIFT;
    this.blockLast = list.docs[Math.min(list.length, (block + 1) * BLOCK_SIZE) - 1];
    return this.term.factor * this.term.blockMax[block];
  }

  private moveTo(pos: number): void {
    this.pos = pos;
    this.doc = pos < this.term.list.length ? this.term.list.docs[pos] : END;
  }
}

/** Union of a group's expansions; the score of a doc is the best score among the terms that contain it. */
class GroupCursor implements Cursor {
  doc = END;
  readonly bound: number;
  blockLast = END;

  constructor(
    private readonly members: TermCursor[],
    bound: number,
  ) {
    this.bound = bound;
    this.settle();
  }

  next(): void {
    const at = this.doc;
    for (const m of this.members) if (m.doc === at) m.next();
    this.settle();
  }

  seek(target: number): void {
    if (target <= this.doc) return;
    for (const m of this.members) m.seek(target);
    this.settle();
  }

  score(): number {
    let best = 0;
    for (const m of this.members) {
      if (m.doc !== this.doc) continue;
      const s = m.score();
      if (s > best) best = s;
    }
    return best;
  }

  blockBound(target: number): number {
    let bound = 0;
    let last = END;
    for (const m of this.members) {
      const b = m.blockBound(target);
      if (b > bound) bound = b;
      if (m.blockLast < last) last = m.blockLast;
    }
    this.blockLast = last;
    return bound;
  }

  private settle(): void {
    let min = END;
    for (const m of this.members) if (m.doc < min) min = m.doc;
    this.doc = min;
  }
}

export function cursorFor(group: PlanGroup, scorer: Bm25Scorer): Cursor {
  if (group.terms.length === 1) return new TermCursor(group.terms[0], scorer);
  return new GroupCursor(
    group.terms.map((t) => new TermCursor(t, scorer)),
    group.bound,
  );
}
