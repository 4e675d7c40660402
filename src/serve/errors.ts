// The service's error catalogue and its one error handler: every client mistake is a 4xx with a code and a
// clear message; anything unexpected is logged with the request context and answered with a generic 500.

import type {} from "@fastify/rate-limit";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { SeqrankError } from "../util/errors.js";

export const SERVE_ERRORS = {
  SR_ERR_VALIDATION: 400,
  SR_ERR_BAD_REQUEST: 400,
  SR_ERR_BAD_JSON: 400,
  SR_ERR_UNAUTHORIZED: 401,
  SR_ERR_FORBIDDEN: 403,
  SR_ERR_NOT_FOUND: 404,
  SR_ERR_CONFLICT: 409,
  SR_ERR_BODY_TOO_LARGE: 413,
  SR_ERR_UNSUPPORTED_MEDIA_TYPE: 415,
  SR_ERR_RATE_LIMITED: 429,
  SR_ERR_INTERNAL: 500,
  SR_ERR_STORAGE_UNAVAILABLE: 503,
  SR_ERR_NOT_READY: 503,
} as const;

export type ServeErrorCode = keyof typeof SERVE_ERRORS;

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
}

/** An error a route throws on purpose; its HTTP status comes from the catalogue. */
export function httpError(code: ServeErrorCode, message: string): SeqrankError {
  return new SeqrankError(code, message);
}

/** Fastify's own 4xx codes mapped onto the catalogue. */
const FASTIFY_CODES: Record<string, ServeErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "SR_ERR_BODY_TOO_LARGE",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "SR_ERR_UNSUPPORTED_MEDIA_TYPE",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "SR_ERR_BAD_REQUEST",
  FST_ERR_CTP_EMPTY_JSON_BODY: "SR_ERR_BAD_JSON",
  FST_ERR_CTP_INVALID_JSON_BODY: "SR_ERR_BAD_JSON",
  FST_ERR_VALIDATION: "SR_ERR_VALIDATION",
};

/** Errors whose code says the backing storage (Redis) failed: 503 rather than 500. */
const STORAGE_CODES = new Set(["SR_ERR_REDIS"]);

export function toErrorBody(err: FastifyError | SeqrankError | Error): ErrorBody {
  const e = err as FastifyError;
  if (e.validation) return { statusCode: 400, code: "SR_ERR_VALIDATION", message: e.message };
  if (err instanceof SeqrankError && err.code in SERVE_ERRORS) {
    return { statusCode: SERVE_ERRORS[err.code as ServeErrorCode], code: err.code, message: err.message };
  }
  if (err instanceof SeqrankError && STORAGE_CODES.has(err.code)) {
    return { statusCode: 503, code: "SR_ERR_STORAGE_UNAVAILABLE", message: "storage is unavailable" };
  }
  const status = e.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const code =
      status === 429
        ? "SR_ERR_RATE_LIMITED"
        : (FASTIFY_CODES[e.code] ?? (err instanceof SyntaxError ? "SR_ERR_BAD_JSON" : "SR_ERR_BAD_REQUEST"));
    return { statusCode: status, code, message: e.message };
  }
  return { statusCode: 500, code: "SR_ERR_INTERNAL", message: "internal error" };
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const body = toErrorBody(err);
    if (body.statusCode >= 500) request.log.error({ err }, "request failed");
    else request.log.info({ code: body.code }, body.message);
    return reply.code(body.statusCode).send(body);
  });
}

/** Unknown routes: a coded 404, rate-limited like every route (so probing for paths is throttled too). */
export function registerNotFoundHandler(app: FastifyInstance, rateLimited: boolean): void {
  const handler = (request: FastifyRequest, reply: FastifyReply) =>
    reply.code(404).send({
      statusCode: 404,
      code: "SR_ERR_NOT_FOUND",
      message: `no route ${request.method} ${request.url.split("?")[0]}`,
    } satisfies ErrorBody);
  if (rateLimited) app.setNotFoundHandler({ preHandler: app.rateLimit() }, handler);
  else app.setNotFoundHandler(handler);
}
