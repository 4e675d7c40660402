// One rule for every form of an event's time: unix milliseconds (an integer) or an ISO 8601 / RFC 3339
// date-time with a zone ("2024-05-01T12:00:00Z", "…+02:00", fractions to the millisecond). Either becomes unix
// ms and must lie in [minTs, now + maxFutureSkewMs]; anything else is a 400 naming the field, never a NaN.
// A leap second ("23:59:60") counts as the last millisecond of the second before it (…:59.999): after every
// event in that second, before the next minute.
import { httpError } from "../../errors.js";

export interface EventTimeBounds {
  minTs: number;
  maxFutureSkewMs: number;
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Unix ms of an RFC 3339 date-time, or undefined when the string is not one (or names no real instant). */
export function parseIsoTime(text: string): number | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, "0")) : 0;
  const offsetMin = m[8] ? 0 : (m[9] === "-" ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 60 || Number(m[11] ?? 0) > 59)
    return undefined;
  const leap = second === 60;
  const utc = Date.UTC(year, month - 1, day, hour, minute, leap ? 59 : second, leap ? 999 : ms);
  // Date.UTC rolls 2024-02-30 over to March: a day that does not exist is not a date.
  if (new Date(utc).getUTCDate() !== day) return undefined;
  return utc - offsetMin * 60_000;
}

/** The event's time in unix ms (`now` when absent), or a 400 naming `field`. */
export function eventTime(
  value: number | string | undefined,
  field: string,
  now: number,
  bounds: EventTimeBounds,
): number {
  if (value === undefined) return now;
  const ts = typeof value === "number" ? value : parseIsoTime(value);
  if (ts === undefined || !Number.isSafeInteger(ts))
    throw httpError(
      "SR_ERR_VALIDATION",
      `${field}: expected unix milliseconds (an integer) or an ISO 8601 date-time with a zone, got ${JSON.stringify(value)}`,
    );
  if (ts < bounds.minTs)
    throw httpError(
      "SR_ERR_VALIDATION",
      `${field}: ${new Date(ts).toISOString()} is before the earliest accepted time ${new Date(bounds.minTs).toISOString()}` +
        (typeof value === "number" ? " (seconds sent instead of milliseconds?)" : ""),
    );
  if (ts > now + bounds.maxFutureSkewMs)
    throw httpError(
      "SR_ERR_VALIDATION",
      `${field}: ${Number.isFinite(new Date(ts).getTime()) ? new Date(ts).toISOString() : ts} is more than ${bounds.maxFutureSkewMs} ms ahead of the server clock`,
    );
  return ts;
}
