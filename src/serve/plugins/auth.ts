// API keys with scopes (docs/security.md). Keys come from the config and are compared by SHA-256 digest
// (never logged). A route's scope is `config.scope`, else "read" for GET/HEAD/OPTIONS and "write" for
// everything else. Once any key is configured, every route but the public ones (health probes, the API
// docs, the dashboard's files) needs a key with its scope, unless `auth.publicReads` / `auth.openWrites` open reads or
// writes explicitly; /metrics always needs the "metrics" scope then. With no keys at all (local
// development) reads and /metrics are open, writes only with `openWrites`, and a warning is logged.
// Missing or unknown keys are counted per client address; past the limit the address gets 429s.
import { createHash } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { AuthFailures } from "../auth-failures.js";
import type { ServeConfig } from "../config.js";
import { httpError } from "../errors.js";
import type { RouteScope } from "../types.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Digest of the request's valid API key, once authenticated (the rate limiter's client identity). */
    apiKeyId?: string;
  }
}

type KeyScope = Exclude<RouteScope, "public">;

const digest = (key: string) => createHash("sha256").update(key).digest("base64url");

/** The key a request presents: `x-api-key`, or `Authorization: Bearer <key>`. */
export function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers["x-api-key"];
  if (typeof header === "string" && header !== "") return header;
  const auth = request.headers.authorization;
  if (auth?.startsWith("Bearer ")) return auth.slice(7).trim() || undefined;
  return undefined;
}

/** The scope a route needs: its `config.scope`, else "read" for GET/HEAD/OPTIONS and "write" otherwise. */
export function routeScope(method: string, configured: RouteScope | undefined): RouteScope {
  if (configured) return configured;
  return method === "GET" || method === "HEAD" || method === "OPTIONS" ? "read" : "write";
}

const requiredScope = (request: FastifyRequest): RouteScope =>
  routeScope(request.method, request.routeOptions.config?.scope);

/** The scopes a request without a key gets. */
export function anonymousScopes(auth: ServeConfig["auth"]): Set<KeyScope> {
  const scopes = new Set<KeyScope>();
  const noKeys = auth.keys.length === 0;
  if (noKeys || auth.publicReads) scopes.add("read");
  if (noKeys) scopes.add("metrics");
  if (auth.openWrites) scopes.add("write");
  return scopes;
}

async function authPlugin(app: FastifyInstance): Promise<void> {
  const { auth } = app.serveConfig;
  const byDigest = new Map(
    auth.keys.map((k) => [digest(k.key), { name: k.name, scopes: new Set<KeyScope>(k.scopes) }]),
  );
  const anonymous = anonymousScopes(auth);
  const failures = new AuthFailures(auth.failedAuth);
  if (auth.keys.length === 0)
    app.log.warn(
      `no API keys configured: reads and /metrics are open to anyone, writes are ${
        auth.openWrites ? "open to anyone" : "refused"
      }; configure keys before exposing the service (docs/security.md)`,
    );

  const refuse = (request: FastifyRequest, message: string) => {
    failures.recordFailure(request.ip);
    return httpError("SR_ERR_UNAUTHORIZED", message);
  };

  app.addHook("onRequest", async (request, reply) => {
    const scope = requiredScope(request);
    if (scope === "public") return;
    const key = presentedKey(request);
    if (key === undefined && anonymous.has(scope)) return;
    const retryAfter = failures.retryAfterSeconds(request.ip);
    if (retryAfter > 0) {
      reply.header("retry-after", String(retryAfter));
      throw httpError(
        "SR_ERR_RATE_LIMITED",
        `too many failed authentications from this address: retry in ${retryAfter} s`,
      );
    }
    if (key === undefined)
      throw refuse(request, `this request needs an API key with the "${scope}" scope (x-api-key header)`);
    const id = digest(key);
    const entry = byDigest.get(id);
    if (!entry) throw refuse(request, "unknown API key");
    if (!entry.scopes.has(scope))
      throw httpError("SR_ERR_FORBIDDEN", `API key "${entry.name}" lacks the "${scope}" scope`);
    request.apiKeyId = id;
  });
}

export default fp(authPlugin, { name: "seqrank-auth", fastify: "5.x" });
