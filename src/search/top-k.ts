/**
 * Keeps the k best (doc, score) pairs: higher score first, then lower doc number (older document) on ties,
 * so pruned and exhaustive search agree exactly. A binary min-heap on that order.
 */
export class TopK {
  private readonly docs: number[] = [];
  private readonly scores: number[] = [];

  constructor(readonly k: number) {}

  get full(): boolean {
    return this.docs.length >= this.k;
  }

  /** Score of the worst kept entry (−∞ until full): a new doc must beat it to get in. */
  get threshold(): number {
    return this.full ? this.scores[0] : Number.NEGATIVE_INFINITY;
  }

  push(doc: number, score: number): void {
    if (!this.full) {
      this.docs.push(doc);
      this.scores.push(score);
      this.siftUp(this.docs.length - 1);
    } else if (this.worse(this.docs[0], this.scores[0], doc, score)) {
      this.docs[0] = doc;
      this.scores[0] = score;
      this.siftDown(0);
    }
  }

  /** Entries best first. */
  sorted(): Array<{ doc: number; score: number }> {
    return this.docs
      .map((doc, i) => ({ doc, score: this.scores[i] }))
      .sort((a, b) => b.score - a.score || a.doc - b.doc);
  }

  /** Is (docA, scoreA) ranked below (docB, scoreB)? */
  private worse(docA: number, scoreA: number, docB: number, scoreB: number): boolean {
    return scoreA < scoreB || (scoreA === scoreB && docA > docB);
  }

  private less(i: number, j: number): boolean {
    return this.worse(this.docs[i], this.scores[i], this.docs[j], this.scores[j]);
  }

  private swap(i: number, j: number): void {
    [this.docs[i], this.docs[j]] = [this.docs[j], this.docs[i]];
    [this.scores[i], this.scores[j]] = [this.scores[j], this.scores[i]];
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const n = this.docs.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (r < n && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }
}
