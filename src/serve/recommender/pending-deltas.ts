// Deltas of items the catalogue does not know yet, held until the item is created. A shop's catalogue feed
// often lags its event stream, so an event may name an item minutes before PUT /v1/items does; its
// co-visitation and popularity then count once the item exists. Ids that never become items (typos, bots,
// an attacker's 50,000 random ids) must not grow memory: the buffer holds at most `capacity` deltas and
// forgets the oldest first.
import type { InteractionDelta } from "../storage/index.js";

export class PendingDeltas {
  /** Item id → its deltas, oldest first; the map's order is the order items were first held. */
  private readonly byItem = new Map<string, InteractionDelta[]>();
  private count = 0;

  constructor(private readonly capacity: number) {}

  hold(delta: InteractionDelta): void {
    if (this.capacity === 0) return;
    const list = this.byItem.get(delta.item);
    if (list) list.push(delta);
    else this.byItem.set(delta.item, [delta]);
    if (++this.count > this.capacity) this.dropOldest();
  }

  /** The item's held deltas (oldest first), no longer held. */
  take(item: string): InteractionDelta[] {
    const list = this.byItem.get(item) ?? [];
    this.byItem.delete(item);
    this.count -= list.length;
    return list;
  }

  get size(): number {
    return this.count;
  }

  private dropOldest(): void {
    const [item, list] = this.byItem.entries().next().value as [string, InteractionDelta[]];
    list.shift();
    if (list.length === 0) this.byItem.delete(item);
    this.count--;
  }
}
