// Public API of the service storage: the Store contract (one interface per concern), its two
// implementations and seeding helpers.

export type { Cache } from "./cache.js";
export { type CatalogColumns, CatalogColumnsSchema, catalogItem } from "./catalog-columns.js";
export type { CatalogItem, Catalogue, ItemInput } from "./catalogue.js";
export type { DeltaLog, DeltaPage, InteractionDelta } from "./delta-log.js";
export type { AppendResult, EventLog, NewEvent, StoredEvent } from "./event-log.js";
export type { Markers } from "./markers.js";
export { MemoryCache } from "./memory-cache.js";
export { openStore } from "./open-store.js";
export { pseudonymizedStore, pseudonymizer } from "./pseudonymized-store.js";
export { RedisStore, type RedisStoreOptions } from "./redis-store.js";
export { importCatalog, seedSequencesFromDataset } from "./seed.js";
export type { SeedSequence, Sequences } from "./sequences.js";
export { SqliteStore, type SqliteStoreOptions } from "./sqlite-store.js";
export type { Store, StoreStats, UserDeletion } from "./store.js";
