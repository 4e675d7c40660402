// Session ids over chronologically sorted user rows.
// A session starts at a user's first event and whenever
//   - the source session key changes (when the source provides one for the event), or otherwise
//   - the gap to the previous event exceeds `gapSeconds` (when both events have timestamps).
// Events with neither a source key nor a timestamp get session 0 ("unknown").
// Session ids are global, dense and increase along the rows: 1..nSessions.

export interface SessionInput {
  /** CSR row bounds: user u owns events [offsets[u], offsets[u+1]). */
  offsets: Int32Array;
  /** Unix seconds, NaN when unknown. */
  ts: Float64Array;
  /** Source session key per event (any int ≥ 0, e.g. a hash), -1 when the source has none. */
  sourceKey?: Int32Array;
  gapSeconds: number;
}

export function assignSessions(input: SessionInput): { session: Int32Array; nSessions: number } {
  const { offsets, ts, sourceKey, gapSeconds } = input;
  const session = new Int32Array(ts.length);
  let next = 0;
  for (let u = 0; u + 1 < offsets.length; u++) {
    let current = 0;
    let prevKey = -1;
    let prevTs = Number.NaN;
    for (let p = offsets[u]; p < offsets[u + 1]; p++) {
      const key = sourceKey ? sourceKey[p] : -1;
      const t = ts[p];
      let startsNew: boolean;
      if (key >= 0) startsNew = current === 0 || key !== prevKey;
      else if (!Number.isNaN(t))
        startsNew = current === 0 || prevKey >= 0 || Number.isNaN(prevTs) || t - prevTs > gapSeconds;
      else {
        current = 0; // unknown; the next timed event opens a new session
        prevKey = -1;
        prevTs = Number.NaN;
        continue;
      }
      if (startsNew) current = ++next;
      session[p] = current;
      prevKey = key;
      prevTs = t;
    }
  }
  return { session, nSessions: next };
}
