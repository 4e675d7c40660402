// The log of live interaction deltas: what each accepted event adds to co-visitation and popularity, in raw
// item ids (dense ids differ between processes) and without user ids. The recommender appends to it and
// replays it, so its counts outlive a restart (SQLite) and every replica applies the same deltas in the same
// order (Redis).

export interface InteractionDelta {
  item: string;
  /** Unix milliseconds. */
  ts: number;
  /** The user's items just before this one (oldest first), as many as co-visitation pairs it with. */
  previous: string[];
}

export interface DeltaPage {
  deltas: InteractionDelta[];
  /** Position of the last delta in the page (the input cursor when the page is empty). */
  cursor: string;
}

export interface DeltaLog {
  /**
   * Appends the deltas in order, committed before resolving (an SQLite commit, not fsync'd: derived counts,
   * safe against a crash but not a power loss; or a Redis stream entry).
   */
  append(deltas: InteractionDelta[]): Promise<void>;
  /** At most `limit` deltas after `cursor` ("" = from the beginning), oldest first. */
  after(cursor: string, limit: number): Promise<DeltaPage>;
  /**
   * Calls `onAppend` (and waits for it) whenever deltas after `cursor()` may have been appended by another
   * process; returns a function that stops watching. A log only one process writes never calls it.
   */
  watch(cursor: () => string, onAppend: () => Promise<void>): () => Promise<void>;
}
