// Liveness and readiness probes: public (no key) and exempt from rate limiting.
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";

const probe = { config: { scope: "public" as const, rateLimit: false } };

const Ready = Type.Object({
  ready: Type.Boolean(),
  components: Type.Record(Type.String(), Type.Object({ ready: Type.Boolean(), detail: Type.String() }), {
    description: "storage, model, user-vectors, co-visitation, … and what each says",
  }),
});

export default async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    "/healthz",
    {
      ...probe,
      schema: {
        summary: "Liveness: the process answers",
        response: { 200: Type.Object({ status: Type.String() }) },
      },
    },
    async () => ({ status: "ok" }),
  );

  app.get(
    "/readyz",
    {
      ...probe,
      schema: {
        summary: "Readiness: 503 until every component can serve",
        response: { 200: Ready, 503: Ready },
      },
    },
    async (_request, reply) => {
      const status = app.readiness.status();
      return reply.code(status.ready ? 200 : 503).send(status);
    },
  );
}
