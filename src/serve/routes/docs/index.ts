// The HTTP API's documentation: GET /docs/openapi.json (the OpenAPI 3.1 document plugins/api-spec.ts
// generates from the route schemas) and GET /docs, a page that renders it in the browser from two same-origin
// files (page.ts: no external network, nothing inline, so it works under the service's CSP). Public, like the
// probes; hidden from the document itself.
import type { FastifyInstance, FastifyReply } from "fastify";
import { DOCS_CSS, DOCS_HTML, DOCS_JS } from "./page.js";

const docsRoute = { schema: { hide: true }, config: { scope: "public" as const } };

const file = (type: string, body: string) => async (_request: unknown, reply: FastifyReply) =>
  reply.type(type).send(body);

export default async function docsRoutes(app: FastifyInstance): Promise<void> {
  app.get("/docs/openapi.json", docsRoute, async (_request, reply) =>
    reply.type("application/json; charset=utf-8").send(JSON.stringify(app.swagger())),
  );
  app.get("/docs", docsRoute, file("text/html; charset=utf-8", DOCS_HTML));
  app.get("/docs/page.js", docsRoute, file("text/javascript; charset=utf-8", DOCS_JS));
  app.get("/docs/page.css", docsRoute, file("text/css; charset=utf-8", DOCS_CSS));
}
