// Public API of the HTTP service: build the app (tests, embedding) or start a listening server.
export { type BuildAppOptions, buildApp } from "./app.js";
export {
  type ApiKey,
  ApiKeySchema,
  type Scope,
  ScopeSchema,
  type ServeConfig,
  type ServeConfigInput,
  ServeConfigSchema,
} from "./config.js";
export { type ErrorBody, httpError, SERVE_ERRORS, type ServeErrorCode } from "./errors.js";
export { redactUserIds } from "./logging.js";
export { Counter, Gauge, Histogram, MetricsRegistry } from "./metrics-registry.js";
export { type ComponentState, Readiness } from "./readiness.js";
export { type StartedServer, startServer } from "./server.js";
export * from "./storage/index.js";
export type { AcceptedEvent, ItemChange, RouteScope, ServeHooks } from "./types.js";
