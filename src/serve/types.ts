// Everything the core service decorates onto Fastify, in one place. Plugins registered after the core
// (recommender, search, dashboard) use these: `app.store`, `app.hooks`, `app.readiness`, `app.metrics`,
// `app.serveConfig`, and per-route `config.scope`.
import type { ServeConfig } from "./config.js";
import type { MetricsRegistry } from "./metrics-registry.js";
import type { Readiness } from "./readiness.js";
import type { CatalogItem, Store } from "./storage/index.js";

/** An event as accepted by POST /v1/events (raw user id, also under pseudonymisation). */
export interface AcceptedEvent {
  userId: string;
  itemId: string;
  type: string;
  /** Unix milliseconds. */
  ts: number;
  eventId: string | null;
}

export type ItemChange =
  | { kind: "upsert"; item: CatalogItem; created: boolean }
  | { kind: "delete"; id: string };

/**
 * Called after the core's own work is durable, in registration order, awaited before the response.
 * A hook that throws is logged and counted (seqrank_hook_errors_total); the request still succeeds,
 * because the stored data is already committed.
 */
export interface ServeHooks {
  /** After events are stored and appended to the users' sequences (and the users' caches dropped). */
  onEvent: Array<(events: AcceptedEvent[]) => unknown>;
  /** After an item is created, replaced or deleted in the catalogue. */
  onItemChange: Array<(change: ItemChange) => unknown>;
  /** After a user's events, sequence and caches are deleted. */
  onUserDelete: Array<(userId: string) => unknown>;
}

/** Access a route needs: "read", "write", "metrics", or "public" (no key even when reads need one). */
export type RouteScope = "read" | "write" | "metrics" | "public";

declare module "fastify" {
  interface FastifyInstance {
    store: Store;
    hooks: ServeHooks;
    readiness: Readiness;
    metrics: MetricsRegistry;
    serveConfig: ServeConfig;
    /** Event types POST /v1/events accepts (routes/events/event-types.ts). */
    eventTypes: Set<string>;
  }
  interface FastifyContextConfig {
    /** Defaults: GET/HEAD/OPTIONS need "read", every other method "write". */
    scope?: RouteScope;
  }
}
