// buildApp: the whole service as a Fastify instance, without listening (tests call `app.inject()`).
// Core plugins and routes are registered explicitly, in order; extension plugins (recommender, search,
// dashboard) come last through `plugins` and see every decorator declared in types.ts. Every route, theirs
// too, is in the OpenAPI document at GET /docs/openapi.json (plugins/api-spec.ts, routes/docs).
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from "fastify";
import { parseServeConfig, type ServeConfigInput } from "./config.js";
import {
  clientErrorHandler,
  frameworkErrorHandler,
  registerErrorHandler,
  registerNotFoundHandler,
  validationMessage,
} from "./errors.js";
import { createHooks } from "./hooks.js";
import { parseJsonBody } from "./json-body.js";
import { type LogStream, loggerOptions } from "./logging.js";
import { MetricsRegistry } from "./metrics-registry.js";
import apiSpecPlugin from "./plugins/api-spec.js";
import authPlugin from "./plugins/auth.js";
import metricsPlugin from "./plugins/metrics.js";
import rateLimitPlugin from "./plugins/rate-limit.js";
import securityHeadersPlugin from "./plugins/security-headers.js";
import storePlugin from "./plugins/store.js";
import { Readiness } from "./readiness.js";
import docsRoutes from "./routes/docs/index.js";
import { acceptedEventTypes } from "./routes/events/event-types.js";
import eventRoutes from "./routes/events/index.js";
import healthRoutes from "./routes/health/index.js";
import itemRoutes from "./routes/items/index.js";
import userRoutes from "./routes/users/index.js";
import type { Store } from "./storage/index.js";
import { validatorCompiler } from "./validation.js";
import "./types.js";

export interface BuildAppOptions {
  config?: ServeConfigInput;
  /** An already opened store (the caller closes it); default: opened from `config.storage`. */
  store?: Store;
  /** Registered after the core, in order, at the root (wrap with fastify-plugin to share decorators). */
  plugins?: FastifyPluginAsync[];
  /** Where log lines go (tests read them); default: stderr. */
  logStream?: LogStream;
}

export async function buildApp(opts: BuildAppOptions = {}): Promise<FastifyInstance> {
  const config = parseServeConfig(opts.config ?? {});
  const app = Fastify({
    logger: loggerOptions(config, opts.logStream),
    bodyLimit: config.limits.bodyLimitBytes,
    // A 256-character id percent-encoded (up to 4 UTF-8 bytes of "%XX" each) fits in a URL param too.
    routerOptions: { maxParamLength: 256 * 12 },
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    schemaErrorFormatter: validationMessage,
  });
  const metrics = new MetricsRegistry();
  const { hooks, runHook } = createHooks(metrics);
  app.decorate("serveConfig", config);
  app.decorate("metrics", metrics);
  app.decorate("readiness", new Readiness());
  app.decorate("hooks", hooks);
  app.decorate("eventTypes", acceptedEventTypes(config));
  app.setValidatorCompiler(validatorCompiler());
  registerErrorHandler(app);
  // JSON only: a text/plain body is a 415, not a string that fails validation later.
  app.removeContentTypeParser(["text/plain", "application/json"]);
  app.addContentTypeParser("application/json", { parseAs: "string" }, parseJsonBody);

  await app.register(securityHeadersPlugin);
  // Before any route: the OpenAPI document is collected from every route registered after it.
  await app.register(apiSpecPlugin);
  await app.register(metricsPlugin);
  await app.register(storePlugin, { store: opts.store });
  await app.register(authPlugin);
  const rateLimited = config.limits.rateLimit.enabled;
  if (rateLimited) await app.register(rateLimitPlugin);
  registerNotFoundHandler(app, rateLimited);

  await app.register(healthRoutes);
  await app.register(docsRoutes);
  await app.register(eventRoutes, { runHook });
  await app.register(itemRoutes, { runHook });
  await app.register(userRoutes, { runHook });
  for (const plugin of opts.plugins ?? []) await app.register(plugin);
  return app;
}
