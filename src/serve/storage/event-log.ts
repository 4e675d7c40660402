// The event log: every accepted behaviour event, durable in the SQLite file. Appending is the store's one
// coordinated write: the events are committed and the users' sequences (sequences.ts) extended before it
// resolves.

/** One behaviour event as stored. `seq` is the store's own increasing position. */
export interface StoredEvent {
  seq: number;
  /** Client id for idempotent retries; a second event with the same id is ignored. */
  eventId: string | null;
  userId: string;
  itemId: string;
  type: string;
  /** Unix milliseconds. */
  ts: number;
  props: Record<string, string | number | boolean | null> | null;
}

export type NewEvent = Omit<StoredEvent, "seq">;

export interface AppendResult {
  /**
   * Events applied now: new ones, and earlier-stored ones whose sequence write had failed (an outage) and
   * that this retry completed (unless the store repaired them first; then the retry is a duplicate).
   */
  inserted: number;
  duplicates: number;
  /** Per input event, in order: applied now (false for a duplicate, which must not be counted again). */
  fresh: boolean[];
}

export interface EventLog {
  /**
   * Writes the events durably (one fsync'd SQLite commit) and puts their items into the users' sequences at
   * their time. Resolves only once both are done; rejects with SR_ERR_VALIDATION for a `ts` that is not an
   * integer, SR_ERR_REDIS when Redis fails (the events may then be stored: a retry with the same event ids
   * completes them).
   */
  append(events: NewEvent[]): Promise<AppendResult>;
  /** The user's newest `limit` events by event time (ties by arrival), oldest first. */
  ofUser(userId: string, limit: number): Promise<StoredEvent[]>;
}
