// API keys with scopes. Keys come from the config and are compared by SHA-256 digest (never logged).
// A route's scope is `config.scope`, else "read" for GET/HEAD/OPTIONS and "write" for everything else;
// requests without a key get `auth.anonymousScopes` (default: read only), so writes refuse without a key.
import { createHash } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { Scope } from "../config.js";
import { httpError } from "../errors.js";
import type { RouteScope } from "../types.js";

const digest = (key: string) => createHash("sha256").update(key).digest("base64url");

/** The key a request presents: `x-api-key`, or `Authorization: Bearer <key>`. */
export function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers["x-api-key"];
  if (typeof header === "string" && header !== "") return header;
  const auth = request.headers.authorization;
  if (auth?.startsWith("Bearer ")) return auth.slice(7).trim() || undefined;
  return undefined;
}

function requiredScope(request: FastifyRequest): RouteScope {
  const configured = request.routeOptions.config?.scope;
  if (configured) return configured;
  return request.method === "GET" || request.method === "HEAD" || request.method === "OPTIONS"
    ? "read"
    : "write";
}

async function authPlugin(app: FastifyInstance): Promise<void> {
  const { keys, anonymousScopes } = app.serveConfig.auth;
  const byDigest = new Map(
    keys.map((k) => [digest(k.key), { name: k.name, scopes: new Set<Scope>(k.scopes) }]),
  );
  const anonymous = new Set<Scope>(anonymousScopes);

  app.addHook("onRequest", async (request) => {
    const scope = requiredScope(request);
    if (scope === "public") return;
    const key = presentedKey(request);
    if (key === undefined) {
      if (anonymous.has(scope)) return;
      throw httpError(
        "SR_ERR_UNAUTHORIZED",
        `this request needs an API key with the "${scope}" scope (x-api-key header)`,
      );
    }
    const entry = byDigest.get(digest(key));
    if (!entry) throw httpError("SR_ERR_UNAUTHORIZED", "unknown API key");
    if (!entry.scopes.has(scope))
      throw httpError("SR_ERR_FORBIDDEN", `API key "${entry.name}" lacks the "${scope}" scope`);
  });
}

export default fp(authPlugin, { name: "seqrank-auth", fastify: "5.x" });
