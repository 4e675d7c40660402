// Rate limiting per API key (per client IP without one), on every route including the 404 handler.
// Health probes and /metrics opt out with `config: { rateLimit: false }`.
import { createHash } from "node:crypto";
import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { httpError } from "../errors.js";
import { presentedKey } from "./auth.js";

async function rateLimitPlugin(app: FastifyInstance): Promise<void> {
  const { max, windowMs } = app.serveConfig.limits.rateLimit;
  await app.register(rateLimit, {
    global: true,
    max,
    timeWindow: windowMs,
    keyGenerator: (request) => {
      const key = presentedKey(request);
      return key === undefined ? `ip:${request.ip}` : `key:${createHash("sha256").update(key).digest("hex")}`;
    },
    errorResponseBuilder: (_request, context) =>
      Object.assign(httpError("SR_ERR_RATE_LIMITED", `rate limit exceeded: retry in ${context.after}`), {
        statusCode: 429,
      }),
  });
}

export default fp(rateLimitPlugin, { name: "seqrank-rate-limit", fastify: "5.x" });
