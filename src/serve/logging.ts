// Logger options: pino with the API key headers redacted and, unless configured otherwise, user ids removed
// from logged URLs (path segment after /users/, and `user`/`user_id` query parameters).
import type { FastifyRequest } from "fastify";
import type { ServeConfig } from "./config.js";

const USER_PATH = /(\/users\/)[^/?#]+/g;
const USER_QUERY = /([?&](?:user|user_id)=)[^&#]*/g;

export function redactUserIds(url: string): string {
  return url.replace(USER_PATH, "$1<user>").replace(USER_QUERY, "$1<user>");
}

export function loggerOptions(config: ServeConfig) {
  const keepIds = config.privacy.logUserIds;
  return {
    level: config.logLevel,
    // stderr, so that stdout stays free for the CLI's JSON result line.
    stream: process.stderr,
    redact: { paths: ['req.headers["x-api-key"]', "req.headers.authorization"], censor: "<redacted>" },
    serializers: {
      req: (req: FastifyRequest) => ({
        method: req.method,
        url: keepIds ? req.url : redactUserIds(req.url),
        remoteAddress: req.ip,
      }),
    },
  };
}
