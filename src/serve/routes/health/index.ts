// Liveness and readiness probes: public (no key) and exempt from rate limiting.
import type { FastifyInstance } from "fastify";

const probe = { config: { scope: "public" as const, rateLimit: false } };

export default async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get("/healthz", probe, async () => ({ status: "ok" }));

  app.get("/readyz", probe, async (_request, reply) => {
    const status = app.readiness.status();
    return reply.code(status.ready ? 200 : 503).send(status);
  });
}
