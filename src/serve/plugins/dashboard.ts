// The dashboard at `/`: static files from web/ (plain HTML + JS + CSS over the public API, no build step).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import fp from "fastify-plugin";

/** web/ at the repository (or package) root: two levels above src/serve/plugins (and dist/serve/plugins). */
export const WEB_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "web");

export function dashboard(root = WEB_ROOT): FastifyPluginAsync {
  return fp(
    async (app: FastifyInstance) => {
      await app.register(fastifyStatic, { root, prefix: "/", index: "index.html", wildcard: false });
    },
    { name: "seqrank-dashboard", fastify: "5.x" },
  );
}
