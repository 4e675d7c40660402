// The storage contract of the service: one object per concern, composed by openStore (open-store.ts).
//   events     the durable event log; appending also extends the users' sequences   (event-log.ts)
//   sequences  each user's items by event time, and seeding                           (sequences.ts)
//   catalogue  item metadata                                                          (catalogue.ts)
//   cache      derived values tagged by user                                          (cache.ts)
//   markers    one-time markers                                                       (markers.ts)
//   deltas     live co-visitation and popularity deltas                               (delta-log.ts)
// What spans concerns (deleting a user, sizes, lifecycle) is on the store itself. Two implementations:
// SqliteStore (everything in one embedded file) and RedisStore (events and catalogue in SQLite, user
// sequences, caches and the delta log in Redis so replicas share them).
import type { Cache } from "./cache.js";
import type { Catalogue } from "./catalogue.js";
import type { DeltaLog } from "./delta-log.js";
import type { EventLog } from "./event-log.js";
import type { Markers } from "./markers.js";
import type { Sequences } from "./sequences.js";

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
  readonly events: EventLog;
  readonly sequences: Sequences;
  readonly catalogue: Catalogue;
  readonly cache: Cache;
  readonly markers: Markers;
  /** Live co-visitation and popularity deltas (no user ids): durable, and shared by replicas with Redis. */
  readonly deltas: DeltaLog;

  /** Removes the user's events, sequence and every cache entry tagged with the user. */
  deleteUser(userId: string): Promise<UserDeletion>;
  stats(): Promise<StoreStats>;
  /** True while the store can serve requests. */
  isOpen(): boolean;
  close(): Promise<void>;
}
