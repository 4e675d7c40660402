// Public API of the service storage: the Store contract, its two implementations and seeding helpers.

export { type CatalogColumns, CatalogColumnsSchema, catalogItem } from "./catalog-columns.js";
export type { DeltaLog, DeltaPage, InteractionDelta } from "./delta-log.js";
export { MemoryCache } from "./memory-cache.js";
export { openStore } from "./open-store.js";
export { pseudonymizedStore, pseudonymizer } from "./pseudonymized-store.js";
export { RedisStore, type RedisStoreOptions } from "./redis-store.js";
export { importCatalog, seedSequencesFromDataset } from "./seed.js";
export { SqliteStore, type SqliteStoreOptions } from "./sqlite-store.js";
export type {
  AppendResult,
  CatalogItem,
  ItemInput,
  NewEvent,
  Store,
  StoredEvent,
  StoreStats,
  UserDeletion,
} from "./store.js";
