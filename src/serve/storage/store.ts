// The storage contract of the service. Two implementations: SqliteStore (everything in one embedded file)
// and RedisStore (events and catalogue in SQLite, user sequences, caches and the interaction delta log in
// Redis so replicas share them).
import type { DeltaLog } from "./delta-log.js";

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

/** A seeded sequence: user, item ids oldest first, and optionally their times (unix ms; null = unknown). */
export type SeedSequence = [userId: string, items: string[], times?: ReadonlyArray<number | null>];

export interface CatalogItem {
  id: string;
  title: string | null;
  brand: string | null;
  category: string | null;
  price: number | null;
  inStock: boolean;
  attributes: string[];
  /** Unix milliseconds of the last write. */
  updatedAt: number;
}

export type ItemInput = Omit<CatalogItem, "updatedAt">;

export interface UserDeletion {
  events: number;
  sequence: boolean;
  caches: number;
}

export interface StoreStats {
  events: number;
  items: number;
  users: number;
}

export interface Store {
  readonly kind: "sqlite" | "redis";
  /**
   * Writes the events durably (one fsync'd SQLite commit) and puts their items into the users' sequences at
   * their time. Resolves only once both are done; rejects with SR_ERR_VALIDATION for a `ts` that is not an
   * integer, SR_ERR_REDIS when Redis fails (the events may then be stored: a retry with the same event ids
   * completes them).
   */
  appendEvents(events: NewEvent[]): Promise<AppendResult>;
  /** The user's newest `limit` events by event time (ties by arrival), oldest first. */
  userEvents(userId: string, limit: number): Promise<StoredEvent[]>;
  /**
   * Item ids of the user's sequence ordered by event time, ties by arrival (at most the configured maximum
   * length, the newest kept).
   */
  sequence(userId: string): Promise<string[]>;
  /** The key the store files a user under: the id itself, or its pseudonym under pseudonymisation. */
  userKey(userId: string): string;
  /** Every stored sequence, in pages of [user key, item ids] (e.g. to warm per-user caches at start). */
  sequences(pageSize?: number): AsyncIterable<Array<[userKey: string, items: string[]]>>;
  /** Replaces whole sequences (seeding from a prepared dataset); only for users without one. */
  seedSequences(sequences: Iterable<SeedSequence>): Promise<number>;
  /** One-time markers (e.g. "sequences seeded"), kept in the SQLite file beside the durable sequences. */
  hasMarker(name: string): Promise<boolean>;
  setMarker(name: string): Promise<void>;
  /** Removes the user's events, sequence and every cache entry tagged with the user. */
  deleteUser(userId: string): Promise<UserDeletion>;

  getItem(id: string): Promise<CatalogItem | undefined>;
  /** Returns true when the item did not exist before. */
  putItem(item: ItemInput): Promise<boolean>;
  putItems(items: ItemInput[]): Promise<number>;
  /** Returns true when an item was removed. */
  deleteItem(id: string): Promise<boolean>;
  /** Every item in id order, in pages (for building search and vector indexes). */
  items(pageSize?: number): AsyncIterable<CatalogItem[]>;

  /** Cache for derived values (recommendations, user vectors); `userId` tags the entry for deletion. */
  cacheGet(key: string): Promise<string | undefined>;
  cacheSet(key: string, value: string, ttlMs: number, userId?: string): Promise<void>;
  /** Drops every cache entry tagged with the user (after a new event or a deletion). */
  cacheDropUser(userId: string): Promise<number>;

  /** Live co-visitation and popularity deltas (no user ids): durable, and shared by replicas with Redis. */
  readonly deltas: DeltaLog;

  stats(): Promise<StoreStats>;
  /** True while the store can serve requests. */
  isOpen(): boolean;
  close(): Promise<void>;
}
