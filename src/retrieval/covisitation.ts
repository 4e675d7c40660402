// Item-to-item co-visitation: items seen close together in a user's sequence (within `window` positions of
// the same session) are neighbours, weighted 1 / distance and decayed over time. Each item keeps its top
// neighbours only (pruned back to `topN` when the list doubles), and new events update the lists at once.
import { z } from "zod";
import { type Clock, DecayClock, systemClock } from "./decay.js";

export const CoVisitationConfigSchema = z
  .strictObject({
    /** Pair items at most this many positions apart. */
    window: z.number().int().positive().default(3),
    /** Half-life of a co-visit's weight. */
    halfLifeDays: z.number().positive().default(30),
    /** Neighbours kept per item. */
    topN: z.number().int().positive().default(50),
  })
  .default({});
export type CoVisitationConfig = z.infer<typeof CoVisitationConfigSchema>;
export type CoVisitationConfigInput = z.input<typeof CoVisitationConfigSchema>;

export interface Neighbour {
  item: number;
  weight: number;
}

/** An item's neighbours, strongest first, as parallel arrays (stored weights: times `decay(now)` to read). */
export interface NeighbourList {
  items: Int32Array;
  weights: Float64Array;
}

export class CoVisitation {
  readonly config: CoVisitationConfig;
  private readonly lists = new Map<number, Map<number, number>>();
  /** Sorted copies of the lists, made on first read and dropped when the list changes. */
  private readonly sorted = new Map<number, NeighbourList>();
  private readonly clock: DecayClock;

  /** `now`: the decay origin (unix seconds); `clock`: the time no event counts after (decay.ts). */
  constructor(config: CoVisitationConfigInput = {}, now?: number, clock: Clock = systemClock) {
    this.config = CoVisitationConfigSchema.parse(config);
    this.clock = new DecayClock(this.config.halfLifeDays * 86_400, now ?? clock(), clock);
  }

  private addOneWay(a: number, b: number, w: number): void {
    let list = this.lists.get(a);
    if (!list) {
      list = new Map();
      this.lists.set(a, list);
    }
    list.set(b, (list.get(b) ?? 0) + w);
    this.sorted.delete(a);
    if (list.size > 2 * this.config.topN) {
      const keep = [...list].sort((x, y) => y[1] - x[1]).slice(0, this.config.topN);
      this.lists.set(a, new Map(keep));
    }
  }

  private weightAt(ts: number): number {
    if (this.clock.needsRebase(ts)) {
      const f = this.clock.rebase(ts);
      for (const list of this.lists.values()) for (const [k, v] of list) list.set(k, v * f);
      this.sorted.clear();
    }
    return this.clock.weight(ts);
  }

  /** Records one new event: `item` at `ts` after `previous` (the user's earlier items, oldest first). */
  observe(previous: ArrayLike<number>, item: number, ts: number): void {
    const w = this.weightAt(ts);
    const n = previous.length;
    for (let d = 1; d <= Math.min(this.config.window, n); d++) {
      const other = previous[n - d];
      if (other === item) continue;
      this.addOneWay(item, other, w / d);
      this.addOneWay(other, item, w / d);
    }
  }

  /** Records a whole sequence (oldest first); `sessions` (0 = unknown) keeps pairs within one session. */
  addSequence(items: ArrayLike<number>, ts: ArrayLike<number>, sessions?: ArrayLike<number>): void {
    for (let i = 1; i < items.length; i++) {
      const w = this.weightAt(ts[i]);
      for (let d = 1; d <= Math.min(this.config.window, i); d++) {
        const j = i - d;
        if (sessions && sessions[i] !== 0 && sessions[j] !== sessions[i]) break;
        if (items[j] === items[i]) continue;
        this.addOneWay(items[i], items[j], w / d);
        this.addOneWay(items[j], items[i], w / d);
      }
    }
  }

  /** All of the item's kept neighbours, strongest first (cached until its list changes); read-only. */
  sortedNeighbours(item: number): NeighbourList | undefined {
    let sorted = this.sorted.get(item);
    if (!sorted) {
      const list = this.lists.get(item);
      if (!list) return undefined;
      const pairs = [...list].sort((x, y) => y[1] - x[1]);
      sorted = {
        items: Int32Array.from(pairs, (p) => p[0]),
        weights: Float64Array.from(pairs, (p) => p[1]),
      };
      this.sorted.set(item, sorted);
    }
    return sorted;
  }

  /** The factor turning stored weights into decayed counts at `now`. */
  decay(now: number): number {
    return this.clock.valueAt(1, now);
  }

  /** The item's strongest neighbours, best first, weights as decayed counts at `now`. */
  neighbours(item: number, n: number, now = Date.now() / 1000): Neighbour[] {
    const sorted = this.sortedNeighbours(item);
    if (!sorted) return [];
    const decay = this.decay(now);
    return Array.from(sorted.items.subarray(0, n), (other, i) => ({
      item: other,
      weight: sorted.weights[i] * decay,
    }));
  }

  /** Decayed co-visit weight of the pair at `now` (0 if not among `a`'s kept neighbours). */
  weight(a: number, b: number, now = Date.now() / 1000): number {
    return this.clock.valueAt(this.lists.get(a)?.get(b) ?? 0, now);
  }

  /** Drops an item and every edge to it (a deleted product). */
  removeItem(item: number): void {
    this.lists.delete(item);
    for (const list of this.lists.values()) list.delete(item); // pruning is one-sided: scan every list
    this.sorted.clear();
  }

  get itemCount(): number {
    return this.lists.size;
  }
}
