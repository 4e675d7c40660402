// Rate limiting per API key (per client IP without a valid one), on every route including the 404 handler.
// Health probes and /metrics opt out with `config: { rateLimit: false }`. Runs after auth, so a request's
// identity is its authenticated key: made-up keys share their address's budget instead of getting one each.
// (Failed authentications have their own, much lower limit: src/serve/auth-failures.ts.)
import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { httpError } from "../errors.js";

async function rateLimitPlugin(app: FastifyInstance): Promise<void> {
  const { max, windowMs } = app.serveConfig.limits.rateLimit;
  await app.register(rateLimit, {
    global: true,
    max,
    timeWindow: windowMs,
    keyGenerator: (request) =>
      request.apiKeyId === undefined ? `ip:${request.ip}` : `key:${request.apiKeyId}`,
    errorResponseBuilder: (_request, context) =>
      Object.assign(httpError("SR_ERR_RATE_LIMITED", `rate limit exceeded: retry in ${context.after}`), {
        statusCode: 429,
      }),
  });
}

export default fp(rateLimitPlugin, { name: "seqrank-rate-limit", fastify: "5.x" });
