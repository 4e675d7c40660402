// Where a user's new events sit in their stored sequence. The store keeps a sequence in event-time order
// (ties in storage order, as prepare orders a dataset), so a new event is not necessarily at the end: a
// backdated one sits among the items of its time, and co-visitation must pair it with the items before it
// there. Its position counted from the end is the number of the user's stored events that come after it in
// time; the sequence holds at most its length of items, so that many of the user's newest stored events by
// time (plus as many as the new ones) are all it takes to count them: a new event not among them has at
// least a sequence's worth of newer ones, and is not in the sequence.
import type { StoredEvent } from "../storage/index.js";
import type { AcceptedEvent } from "../types.js";

const identity = (e: Pick<StoredEvent, "itemId" | "ts" | "type" | "eventId">) =>
  `${e.itemId}\u0000${e.ts}\u0000${e.type}\u0000${e.eventId ?? ""}`;

/** a after b in the sequence's order: later time, or the same time and stored later. */
const after = (a: StoredEvent, b: StoredEvent) => a.ts > b.ts || (a.ts === b.ts && a.seq > b.seq);

/**
 * The index of `item` in `sequence` nearest to `expected` (earlier first on a tie): the expected index itself
 * unless the sequence changed in between (a concurrent request's events). -1 when `expected` lies before the
 * sequence (trimmed off) or the item is not in it.
 */
function nearest(sequence: readonly string[], item: string, expected: number): number {
  if (expected < 0) return -1;
  for (let d = 0; d < sequence.length; d++) {
    if (expected - d >= 0 && sequence[expected - d] === item) return expected - d;
    if (expected + d < sequence.length && sequence[expected + d] === item) return expected + d;
  }
  return -1;
}

/**
 * The common case without reading the stored events: the new events, in time order, are the sequence's last
 * items. Then each one's index follows from its rank among them; undefined when the tail differs (a backdated
 * event, or a concurrent request's events in between). A backdated event whose item happens to repeat the
 * sequence's last items is taken as the newest: its pairs are off by those positions, its counts are not.
 */
export function tailPositions(
  sequence: readonly string[],
  fresh: readonly AcceptedEvent[],
): number[] | undefined {
  const order = fresh.map((_, i) => i).sort((a, b) => fresh[a].ts - fresh[b].ts || a - b);
  const start = sequence.length - fresh.length;
  if (start < 0 || order.some((e, rank) => sequence[start + rank] !== fresh[e].itemId)) return undefined;
  const positions = new Array<number>(fresh.length);
  order.forEach((e, rank) => {
    positions[e] = start + rank;
  });
  return positions;
}

/**
 * Per new event (in `fresh` order), its index in `sequence` (item ids in time order), or -1 when it is not
 * there (older than the whole sequence). `stored`: the user's newest stored events by time, at least
 * `fresh.length + sequence.length` of them.
 */
export function eventPositions(
  sequence: readonly string[],
  stored: readonly StoredEvent[],
  fresh: readonly AcceptedEvent[],
): number[] {
  // The stored copy of each new event: the newest unclaimed one that matches it.
  const copies = new Map<string, StoredEvent[]>();
  for (const s of [...stored].sort((a, b) => a.seq - b.seq)) {
    const key = identity(s);
    const list = copies.get(key);
    if (list) list.push(s);
    else copies.set(key, [s]);
  }
  return fresh.map((e) => {
    const self = copies.get(identity(e))?.pop();
    if (!self) return -1;
    const later = stored.reduce((n, s) => n + (after(s, self) ? 1 : 0), 0);
    return nearest(sequence, e.itemId, sequence.length - 1 - later);
  });
}
