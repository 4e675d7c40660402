// Process concerns: listen, close gracefully on SIGTERM/SIGINT (in-flight requests finish, the store closes).
import type { FastifyInstance } from "fastify";
import { type BuildAppOptions, buildApp } from "./app.js";

export interface StartedServer {
  app: FastifyInstance;
  /** Base URL, e.g. http://127.0.0.1:8080. */
  url: string;
  close(): Promise<void>;
}

/** A second signal, or a close that hangs longer than this, exits at once. */
const FORCE_EXIT_MS = 10_000;

export async function startServer(
  opts: BuildAppOptions & { handleSignals?: boolean },
): Promise<StartedServer> {
  const app = await buildApp(opts);
  const { host, port } = app.serveConfig;
  const url = await app.listen({ host, port });
  if (opts.handleSignals ?? true) {
    let closing = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (closing) process.exit(1);
      closing = true;
      app.log.info({ signal }, "closing");
      setTimeout(() => process.exit(1), FORCE_EXIT_MS).unref();
      app.close().then(
        () => process.exit(0),
        (err) => {
          app.log.error({ err }, "close failed");
          process.exit(1);
        },
      );
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
  }
  return { app, url, close: () => app.close() };
}
