// Keyed-hash pseudonymisation: the wrapped store only ever sees HMAC-SHA256(secret, userId), so neither the
// SQLite file nor Redis holds a raw user id, while callers keep using raw ids. Cache keys are hashed too,
// since callers may build them from user ids.
import { createHmac } from "node:crypto";
import type { AppendResult, NewEvent, SeedSequence, Store, StoredEvent, UserDeletion } from "./store.js";

export function pseudonymizer(secret: string): (id: string) => string {
  return (id) => createHmac("sha256", secret).update(id).digest("base64url");
}

export function pseudonymizedStore(inner: Store, secret: string): Store {
  const hash = pseudonymizer(secret);
  return {
    kind: inner.kind,
    appendEvents: (events: NewEvent[]): Promise<AppendResult> =>
      inner.appendEvents(events.map((e) => ({ ...e, userId: hash(e.userId) }))),
    userEvents: (userId: string, limit: number): Promise<StoredEvent[]> =>
      inner.userEvents(hash(userId), limit),
    sequence: (userId) => inner.sequence(hash(userId)),
    userKey: hash,
    sequences: (pageSize) => inner.sequences(pageSize), // already keyed by pseudonym
    seedSequences: (sequences) =>
      inner.seedSequences(
        (function* () {
          for (const [userId, items, times] of sequences) yield [hash(userId), items, times] as SeedSequence;
        })(),
      ),
    hasMarker: (name) => inner.hasMarker(name),
    setMarker: (name) => inner.setMarker(name),
    deleteUser: (userId: string): Promise<UserDeletion> => inner.deleteUser(hash(userId)),
    getItem: (id) => inner.getItem(id),
    putItem: (item) => inner.putItem(item),
    putItems: (items) => inner.putItems(items),
    deleteItem: (id) => inner.deleteItem(id),
    items: (pageSize) => inner.items(pageSize),
    cacheGet: (key) => inner.cacheGet(hash(key)),
    cacheSet: (key, value, ttlMs, userId) =>
      inner.cacheSet(hash(key), value, ttlMs, userId === undefined ? undefined : hash(userId)),
    cacheDropUser: (userId) => inner.cacheDropUser(hash(userId)),
    deltas: inner.deltas, // holds no user ids
    stats: () => inner.stats(),
    isOpen: () => inner.isOpen(),
    close: () => inner.close(),
  };
}
