// Bounded selection of the k best (score, item) pairs: a min-heap whose root is the worst kept entry.
// Order: higher score first; equal scores go to the lower item id, so results match a stable full sort.

export class TopK {
  private readonly heapItems: Int32Array;
  private readonly heapScores: Float64Array;
  private size = 0;

  constructor(readonly k: number) {
    this.heapItems = new Int32Array(k);
    this.heapScores = new Float64Array(k);
  }

  reset(): void {
    this.size = 0;
  }

  /** Scores below this cannot enter (equal ones may, if their id is lower than the root's). */
  get floor(): number {
    return this.size < this.k ? Number.NEGATIVE_INFINITY : this.heapScores[0];
  }

  offer(item: number, score: number): void {
    if (this.size < this.k) {
      this.heapItems[this.size] = item;
      this.heapScores[this.size] = score;
      this.siftUp(this.size++);
    } else if (this.worse(0, item, score)) {
      this.heapItems[0] = item;
      this.heapScores[0] = score;
      this.siftDown(0);
    }
  }

  /** Writes the kept items best first into out[offset .. offset + k), padding empty slots with 0. Empties the heap. */
  drainInto(out: Int32Array, offset: number): void {
    out.fill(0, offset + this.size, offset + this.k);
    while (this.size > 0) {
      out[offset + this.size - 1] = this.heapItems[0];
      this.size--;
      this.heapItems[0] = this.heapItems[this.size];
      this.heapScores[0] = this.heapScores[this.size];
      this.siftDown(0);
    }
  }

  /** Is heap entry i worse than (item, score)? */
  private worse(i: number, item: number, score: number): boolean {
    const s = this.heapScores[i];
    return s < score || (s === score && this.heapItems[i] > item);
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.worse(i, this.heapItems[parent], this.heapScores[parent])) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    for (;;) {
      const left = 2 * i + 1;
      if (left >= this.size) return;
      const right = left + 1;
      let worst = left;
      if (right < this.size && this.worse(right, this.heapItems[left], this.heapScores[left])) worst = right;
      if (!this.worse(worst, this.heapItems[i], this.heapScores[i])) return;
      this.swap(i, worst);
      i = worst;
    }
  }

  private swap(a: number, b: number): void {
    const item = this.heapItems[a];
    const score = this.heapScores[a];
    this.heapItems[a] = this.heapItems[b];
    this.heapScores[a] = this.heapScores[b];
    this.heapItems[b] = item;
    this.heapScores[b] = score;
  }
}
