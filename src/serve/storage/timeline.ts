// A user's sequence as a timeline: entries ordered by event time, ties broken by an order number that follows
// arrival — the rule prepare uses (ts, then source order; unknown times first). Each entry is one string,
//   <ts: 11 base-36 digits><ord: 11 base-36 digits><file id, live events only>\t<item id>
// whose string order is that order, so sorting needs no parsing, the SQLite file keeps a sequence in the
// order of its primary key (user, entry), and Redis can keep the same string as a sorted-set member (score
// ties are broken by bytes). Every entry is unique, so applying the same entries twice changes
// nothing: repairs and rebuilds can always re-apply.
//   live events  ord = the event's seq in the SQLite file, after every seed; the file id keeps events of
//                replicas with files of their own apart
//   seeds        ord = position in the seeded sequence (before live events of the same time)

export type TimelineEntry = string;

const WIDTH = 11; // 36^11 > 2^53
const TS_OFFSET = 2 ** 52; // ts + offset stays a safe, positive integer for any ts of ±142,000 years
const EVENT_ORD_OFFSET = 2 ** 31; // seeds have fewer positions than this
const UNKNOWN_TS = "0".repeat(WIDTH);

const digits = (n: number) => n.toString(36).padStart(WIDTH, "0");
const tsDigits = (ts: number | null) => (ts === null ? UNKNOWN_TS : digits(ts + TS_OFFSET));

export const eventEntry = (ts: number, seq: number, item: string, fileId: string): TimelineEntry =>
  `${tsDigits(ts)}${digits(seq + EVENT_ORD_OFFSET)}${fileId}\t${item}`;

const seedEntry = (ts: number | null, position: number, item: string): TimelineEntry =>
  `${tsDigits(ts)}${digits(position)}\t${item}`;

export const entryItem = (e: TimelineEntry): string => e.slice(e.indexOf("\t") + 1);

/** Unix ms of the entry, null when unknown. */
export function entryTs(e: TimelineEntry): number | null {
  const head = e.slice(0, WIDTH);
  return head === UNKNOWN_TS ? null : Number.parseInt(head, 36) - TS_OFFSET;
}

/** The entries in order, the newest `max` kept. */
export function newestEntries(entries: TimelineEntry[], max: number): TimelineEntry[] {
  const sorted = [...entries].sort();
  return sorted.length > max ? sorted.slice(-max) : sorted;
}

/** A seeded sequence (oldest first) as entries; `times` (unix ms, null or NaN = unknown) align with `items`. */
export function seedEntries(items: string[], times?: ReadonlyArray<number | null>): TimelineEntry[] {
  return items.map((item, i) => {
    const t = times?.[i];
    return seedEntry(typeof t === "number" && Number.isFinite(t) ? t : null, i, item);
  });
}

/**
 * A sequence of an old layout that kept plain item ids (oldest first), the user's live events appended to it
 * in arrival order: its end that repeats `eventItems` (the items of the user's stored events, in arrival
 * order) is those events, which the event log holds; the rest is what was seeded.
 */
export function seededPart(items: readonly string[], eventItems: readonly string[]): string[] {
  let copies = 0;
  while (
    copies < Math.min(items.length, eventItems.length) &&
    items[items.length - 1 - copies] === eventItems[eventItems.length - 1 - copies]
  )
    copies++;
  return items.slice(0, items.length - copies);
}

/**
 * The JSON form of the layout before sqlite-timelines.ts as seeded entries: {"t": entries}, or, older still,
 * item ids (oldest first; `eventItems` as for seededPart).
 */
export function decodeEntries(json: string, eventItems: readonly string[]): TimelineEntry[] {
  const row = JSON.parse(json) as { t: TimelineEntry[] } | string[];
  if (!Array.isArray(row)) return row.t;
  return seededPart(row, eventItems).map((item, i) => seedEntry(null, i, item));
}
