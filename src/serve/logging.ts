// Logger options: pino with the API key headers redacted and, unless configured otherwise, user ids removed
// from logged URLs (path segment after /users/, and `user`/`user_id` query parameters).
import type { FastifyRequest } from "fastify";
import pino, { type DestinationStream } from "pino";
import type { ServeConfig } from "./config.js";

const USER_PATH = /(\/users\/)[^/?#]+/g;
const USER_QUERY = /([?&](?:user|user_id)=)[^&#]*/g;

export function redactUserIds(url: string): string {
  return url.replace(USER_PATH, "$1<user>").replace(USER_QUERY, "$1<user>");
}

let stderr: DestinationStream | undefined;

/**
 * stderr (stdout stays free for the CLI's JSON result line), written asynchronously: process.stderr writes
 * to files and pipes synchronously, which cost two blocking write(2) calls per request on the event loop;
 * this stream writes from libuv's thread pool, joins the lines that queue up meanwhile into one write, and
 * is flushed synchronously when the process exits (pino registers that). One per process, shared by apps.
 */
function asyncStderr(): DestinationStream {
  stderr ??= pino.destination({ dest: 2, sync: false });
  return stderr;
}

/** `stream`: where log lines go (default: stderr, asynchronously). */
export function loggerOptions(config: ServeConfig, stream: DestinationStream = asyncStderr()) {
  const keepIds = config.privacy.logUserIds;
  return {
    level: config.logLevel,
    stream,
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
