// The dashboard at `/`: static files from web/ (plain HTML + JS + CSS over the public API, no build step).
// The files themselves are public (a browser cannot send a key to load a page); the API calls the page makes
// send the key typed into it, so what the dashboard shows is exactly what that key may read.
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
      // An encapsulated child, so only the static file routes become public.
      await app.register(async (files) => {
        files.addHook("onRoute", (route) => {
          route.config = { ...route.config, scope: "public" };
        });
        await files.register(fastifyStatic, { root, prefix: "/", index: "index.html", wildcard: false });
      });
    },
    { name: "seqrank-dashboard", fastify: "5.x" },
  );
}
