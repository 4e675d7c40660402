// A reusable map from dense item id to a number, for the request path: `clear()` is O(1) (a generation stamp
// per slot instead of wiping the arrays), and lookups index typed arrays, so a request neither hashes nor
// allocates per candidate. The insertion order is kept in a typed array too: a plain array emptied with
// `length = 0` drops its backing store, which every request then grew again. One request at a time:
// callers use it synchronously and clear it first.
export class ItemScratch {
  private stamps = new Uint32Array(1024);
  private values = new Float64Array(1024);
  private order = new Int32Array(256);
  private count = 0;
  private generation = 1;

  clear(): void {
    this.count = 0;
    if (++this.generation === 0xffffffff) {
      this.stamps.fill(0);
      this.generation = 1;
    }
  }

  /** Items set since the last clear, in insertion order (a view, valid until the next set or clear). */
  get items(): Int32Array {
    return this.order.subarray(0, this.count);
  }

  get size(): number {
    return this.count;
  }

  has(item: number): boolean {
    return item < this.stamps.length && this.stamps[item] === this.generation;
  }

  /** The item's value, or `fallback` when it has none since the last clear. */
  get(item: number, fallback = 0): number {
    return this.has(item) ? this.values[item] : fallback;
  }

  set(item: number, value: number): void {
    if (!this.has(item)) {
      if (item >= this.stamps.length) this.grow(item);
      this.stamps[item] = this.generation;
      if (this.count === this.order.length) {
        const order = new Int32Array(2 * this.count);
        order.set(this.order);
        this.order = order;
      }
      this.order[this.count++] = item;
    }
    this.values[item] = value;
  }

  private grow(item: number): void {
    const size = Math.max(item + 1, this.stamps.length * 2);
    const stamps = new Uint32Array(size);
    stamps.set(this.stamps);
    const values = new Float64Array(size);
    values.set(this.values);
    this.stamps = stamps;
    this.values = values;
  }
}
