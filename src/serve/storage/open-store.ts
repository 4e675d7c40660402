// Opens the configured store: SQLite alone, or SQLite + Redis; wrapped for pseudonymisation when configured.
import type { ServeConfig } from "../config.js";
import { pseudonymizedStore } from "./pseudonymized-store.js";
import { RedisStore } from "./redis-store.js";
import { SqliteStore } from "./sqlite-store.js";
import type { Store } from "./store.js";

export async function openStore(config: Pick<ServeConfig, "storage" | "privacy">): Promise<Store> {
  const s = config.storage;
  const store: Store = s.redisUrl
    ? await RedisStore.open({
        sqlitePath: s.sqlitePath,
        redisUrl: s.redisUrl,
        prefix: s.redisPrefix,
        maxSequenceLength: s.maxSequenceLength,
      })
    : new SqliteStore({
        path: s.sqlitePath,
        maxSequenceLength: s.maxSequenceLength,
        cacheEntries: s.memoryCacheEntries,
      });
  const secret = config.privacy.pseudonymizeSecret;
  return secret ? pseudonymizedStore(store, secret) : store;
}
