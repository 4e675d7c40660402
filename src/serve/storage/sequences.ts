// User sequences: each user's items ordered by event time, read from the user's events (and seeded entries)
// in the SQLite file, and mirrored in Redis when the store has Redis. Appending events extends them
// (event-log.ts); this is the read side, plus seeding.

/** A seeded sequence: user, item ids oldest first, and optionally their times (unix ms; null = unknown). */
export type SeedSequence = [userId: string, items: string[], times?: ReadonlyArray<number | null>];

export interface Sequences {
  /**
   * Item ids of the user's sequence ordered by event time, ties by arrival (at most the configured maximum
   * length, the newest kept).
   */
  get(userId: string): Promise<string[]>;
  /** The key the store files a user under (and `pages` yields): the id, or its pseudonym. */
  key(userId: string): string;
  /** Every stored sequence, in pages of [user key, item ids] (e.g. to warm per-user caches at start). */
  pages(pageSize?: number): AsyncIterable<Array<[userKey: string, items: string[]]>>;
  /** Replaces whole sequences (seeding from a prepared dataset); only for users without one. */
  seed(sequences: Iterable<SeedSequence>): Promise<number>;
}
