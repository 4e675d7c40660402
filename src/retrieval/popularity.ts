// Popular and trending items from time-decayed interaction counts: "popular" with a long half-life,
// "trending" with a short one. Both are updated per event; the ranked lists are rebuilt lazily (at most
// every `refreshMs`) so a burst of events does not re-sort the catalogue per request.
import { z } from "zod";
import { type Clock, DecayClock, systemClock } from "./decay.js";

export const PopularityConfigSchema = z
  .strictObject({
    popularHalfLifeDays: z.number().positive().default(30),
    trendingHalfLifeDays: z.number().positive().default(1),
    /** Length of the ranked lists kept. */
    listSize: z.number().int().positive().default(500),
    refreshMs: z.number().int().nonnegative().default(1000),
  })
  .default({});
export type PopularityConfig = z.infer<typeof PopularityConfigSchema>;
export type PopularityConfigInput = z.input<typeof PopularityConfigSchema>;

export type PopularityKind = "popular" | "trending";

export interface RankedItems {
  items: Int32Array;
  /** Decayed counts at the time the list was built. */
  scores: Float32Array;
}

class DecayedCounts {
  counts: Float64Array;
  private ranked?: RankedItems;
  private builtAt = 0;
  private dirty = true;
  constructor(
    readonly clock: DecayClock,
    nItems: number,
  ) {
    this.counts = new Float64Array(nItems + 1);
  }

  add(item: number, weight: number, ts: number): void {
    if (this.clock.needsRebase(ts)) {
      const f = this.clock.rebase(ts);
      for (let i = 0; i < this.counts.length; i++) this.counts[i] *= f;
    }
    if (item >= this.counts.length) {
      const grown = new Float64Array(Math.max(item + 1, this.counts.length * 2));
      grown.set(this.counts);
      this.counts = grown;
    }
    this.counts[item] += weight * this.clock.weight(ts);
    this.dirty = true;
  }

  invalidate(): void {
    this.ranked = undefined;
  }

  top(size: number, refreshMs: number, excluded: (item: number) => boolean): RankedItems {
    const nowMs = Date.now();
    if (this.ranked && (!this.dirty || nowMs - this.builtAt < refreshMs)) return this.ranked;
    const order: number[] = [];
    for (let i = 1; i < this.counts.length; i++) if (this.counts[i] > 0 && !excluded(i)) order.push(i);
    order.sort((a, b) => this.counts[b] - this.counts[a]);
    const items = Int32Array.from(order.slice(0, size));
    const now = this.clock.now();
    const scores = Float32Array.from(items, (i) => this.clock.valueAt(this.counts[i], now));
    this.ranked = { items, scores };
    this.builtAt = nowMs;
    this.dirty = false;
    return this.ranked;
  }
}

export class Popularity {
  readonly config: PopularityConfig;
  private readonly kinds: Record<PopularityKind, DecayedCounts>;
  private readonly removed = new Set<number>();

  /** `now`: the decay origin (unix seconds); `clock`: the time no event counts after (decay.ts). */
  constructor(nItems: number, config: PopularityConfigInput = {}, now?: number, clock: Clock = systemClock) {
    this.config = PopularityConfigSchema.parse(config);
    const origin = now ?? clock();
    const decay = (halfLifeDays: number) => new DecayClock(halfLifeDays * 86_400, origin, clock);
    this.kinds = {
      popular: new DecayedCounts(decay(this.config.popularHalfLifeDays), nItems),
      trending: new DecayedCounts(decay(this.config.trendingHalfLifeDays), nItems),
    };
  }

  add(item: number, ts: number, weight = 1): void {
    this.kinds.popular.add(item, weight, ts);
    this.kinds.trending.add(item, weight, ts);
  }

  /** Keeps a deleted item out of the lists (its counts stay, in case it comes back). */
  setRemoved(item: number, removed: boolean): void {
    if (removed) this.removed.add(item);
    else this.removed.delete(item);
    this.kinds.popular.invalidate();
    this.kinds.trending.invalidate();
  }

  top(kind: PopularityKind): RankedItems {
    return this.kinds[kind].top(this.config.listSize, this.config.refreshMs, (i) => this.removed.has(i));
  }

  /** Decayed count of one item at `now`. */
  count(kind: PopularityKind, item: number, now = Date.now() / 1000): number {
    const k = this.kinds[kind];
    return item < k.counts.length ? k.clock.valueAt(k.counts[item], now) : 0;
  }
}
