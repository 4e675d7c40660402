// The service's error catalogue and its one error handler: every client mistake is a 4xx with a code and a
// clear message; anything unexpected is logged with the request context and answered with a generic 500.
// Fastify's own errors (bad URLs, malformed HTTP, unknown routes) go out in the same shape:
// `{statusCode, code: "SR_ERR_…", message}`.

import type { Socket } from "node:net";
import type {} from "@fastify/rate-limit";
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifyServerOptions,
} from "fastify";
import { SeqrankError } from "../util/errors.js";

export const SERVE_ERRORS = {
  SR_ERR_VALIDATION: 400,
  SR_ERR_BAD_REQUEST: 400,
  SR_ERR_BAD_JSON: 400,
  SR_ERR_UNAUTHORIZED: 401,
  SR_ERR_FORBIDDEN: 403,
  SR_ERR_NOT_FOUND: 404,
  SR_ERR_REQUEST_TIMEOUT: 408,
  SR_ERR_CONFLICT: 409,
  SR_ERR_BODY_TOO_LARGE: 413,
  SR_ERR_URI_TOO_LONG: 414,
  SR_ERR_UNSUPPORTED_MEDIA_TYPE: 415,
  SR_ERR_MODEL_INVALID: 422,
  SR_ERR_RATE_LIMITED: 429,
  SR_ERR_HEADERS_TOO_LARGE: 431,
  SR_ERR_INTERNAL: 500,
  SR_ERR_MODEL_SWAP_FAILED: 500,
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
  FST_ERR_VALIDATION: "SR_ERR_VALIDATION",
  FST_ERR_MAX_PARAM_LENGTH: "SR_ERR_URI_TOO_LONG",
};

/**
 * Errors whose code says the backing storage failed (Redis, or the database file: a failed fsync, a damaged
 * page): 503 rather than 500 — nothing was acknowledged, and the log names the file.
 */
const STORAGE_CODES = new Set(["SR_ERR_REDIS", "SR_ERR_DB_FILE"]);

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
    const code = status === 429 ? "SR_ERR_RATE_LIMITED" : (FASTIFY_CODES[e.code] ?? "SR_ERR_BAD_REQUEST");
    return { statusCode: status, code, message: e.message };
  }
  return { statusCode: 500, code: "SR_ERR_INTERNAL", message: "internal error" };
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const body = toErrorBody(err);
    if (body.statusCode >= 500) request.log.error({ err }, "request failed");
    else request.log.info({ code: body.code }, body.message);
    // A 503 is a dependency outage or a start still under way: tell clients when to retry.
    if (body.statusCode === 503) reply.header("retry-after", "1");
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

/** Summary errors that only repeat the one before them ("property name must be valid", "must match else"). */
const ECHOES = new Set(["propertyNames", "if"]);

/**
 * Validation messages as `body/props key "colour\u200b" must not contain …`: the field's path, the offending key
 * for props keys (cut short: a key may be 100,000 characters), the reason.
 */
export const validationMessage: NonNullable<FastifyServerOptions["schemaErrorFormatter"]> = (
  errors,
  dataVar,
) => {
  const specific = errors.filter((e) => !ECHOES.has(e.keyword));
  const text = (specific.length ? specific : errors).map((e) => {
    // Ajv names the key on the errors it finds inside `propertyNames`.
    const name = (e as { propertyName?: string }).propertyName;
    const key =
      name === undefined ? "" : ` key ${JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name)}`;
    return `${dataVar}${e.instancePath}${key} ${e.message}`;
  });
  return new Error(text.join(", "));
};

/** Errors Fastify raises before routing (a URL that is not valid percent-encoded UTF-8, a too long param). */
export function frameworkErrorHandler(
  err: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const body = toErrorBody(err);
  // No hooks ran, so the security headers are not set; an error body needs at least nosniff.
  reply.code(body.statusCode).header("x-content-type-options", "nosniff").send(body);
}

/** HTTP the parser refuses (bad framing, oversized headers, timeouts): written straight to the socket. */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === "ECONNRESET" || socket.destroyed) return;
  const [statusCode, code, message]: [number, ServeErrorCode, string] =
    err.code === "ERR_HTTP_REQUEST_TIMEOUT"
      ? [408, "SR_ERR_REQUEST_TIMEOUT", "the request took too long to arrive"]
      : err.code === "HPE_HEADER_OVERFLOW"
        ? [431, "SR_ERR_HEADERS_TOO_LARGE", "the request headers are too large"]
        : [400, "SR_ERR_BAD_REQUEST", "malformed HTTP request"];
  const body = JSON.stringify({ statusCode, code, message } satisfies ErrorBody);
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${statusCode} ${code}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  socket.destroy(err);
}
