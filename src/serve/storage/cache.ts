// Cache for derived values (recommendations, user vectors): in process with SQLite alone, in Redis (shared
// by replicas) otherwise. Entries may be tagged with a user, so a new event or a deletion drops them.

export interface Cache {
  get(key: string): Promise<string | undefined>;
  /** `userId` tags the entry for `dropUser`. */
  set(key: string, value: string, ttlMs: number, userId?: string): Promise<void>;
  /** Drops every entry tagged with the user (after a new event or a deletion); returns how many. */
  dropUser(userId: string): Promise<number>;
}
