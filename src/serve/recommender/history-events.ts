// The live context of a served history: for a model whose encoder reads event types or times, each position
// of a user's sequence gets the type and time of the stored event behind it. The store keeps every event
// (type, ts) beside the sequence, which is ordered by event time, ties by arrival: matched from the newest
// back, an item with no stored event (seeded from the training data) reads as unknown ("" / NaN).
import type { HistoryEvents } from "../../artifact/index.js";
import type { StoredEvent } from "../storage/event-log.js";

/** The events behind `sequence` (raw item ids, oldest first), position by position. */
export function sequenceEvents(sequence: readonly string[], stored: readonly StoredEvent[]): HistoryEvents {
  const events = [...stored].sort((a, b) => a.ts - b.ts || a.seq - b.seq);
  const types = new Array<string>(sequence.length).fill("");
  const ts = new Array<number>(sequence.length).fill(Number.NaN);
  let j = events.length - 1;
  for (let i = sequence.length - 1; i >= 0 && j >= 0; i--) {
    if (events[j].itemId !== sequence[i]) continue;
    types[i] = events[j].type;
    ts[i] = events[j].ts;
    j--;
  }
  return { types, ts };
}

/** The positions of `events` that `keep` keeps (the same filter as the history's items). */
export function keepEvents(events: HistoryEvents, keep: (position: number) => boolean): HistoryEvents {
  const types: string[] = [];
  const ts: number[] = [];
  events.types.forEach((t, i) => {
    if (!keep(i)) return;
    types.push(t);
    ts.push(events.ts[i]);
  });
  return { types, ts };
}
