// Keyed-hash pseudonymisation: the wrapped store only ever sees HMAC-SHA256(secret, userId), so neither the
// SQLite file nor Redis holds a raw user id, while callers keep using raw ids. Cache keys are hashed too,
// since callers may build them from user ids. The catalogue, the markers and the delta log hold no user ids
// and pass through.
import { createHmac } from "node:crypto";
import type { SeedSequence } from "./sequences.js";
import type { Store, UserDeletion } from "./store.js";

export function pseudonymizer(secret: string): (id: string) => string {
  return (id) => createHmac("sha256", secret).update(id).digest("base64url");
}

export function pseudonymizedStore(inner: Store, secret: string): Store {
  const hash = pseudonymizer(secret);
  return {
    kind: inner.kind,
    events: {
      append: (events) => inner.events.append(events.map((e) => ({ ...e, userId: hash(e.userId) }))),
      ofUser: (userId, limit) => inner.events.ofUser(hash(userId), limit),
    },
    sequences: {
      get: (userId) => inner.sequences.get(hash(userId)),
      key: hash,
      pages: (pageSize) => inner.sequences.pages(pageSize), // already keyed by pseudonym
      seed: (sequences) =>
        inner.sequences.seed(
          (function* () {
            for (const [userId, items, times] of sequences)
              yield [hash(userId), items, times] as SeedSequence;
          })(),
        ),
    },
    catalogue: inner.catalogue,
    cache: {
      get: (key) => inner.cache.get(hash(key)),
      set: (key, value, ttlMs, userId) =>
        inner.cache.set(hash(key), value, ttlMs, userId === undefined ? undefined : hash(userId)),
      dropUser: (userId) => inner.cache.dropUser(hash(userId)),
    },
    markers: inner.markers,
    deltas: inner.deltas,
    deleteUser: (userId: string): Promise<UserDeletion> => inner.deleteUser(hash(userId)),
    stats: () => inner.stats(),
    isOpen: () => inner.isOpen(),
    close: () => inner.close(),
  };
}
