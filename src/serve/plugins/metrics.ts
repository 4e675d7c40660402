// Request counts and latency per route, and the /metrics endpoint (Prometheus text format).
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";

async function metricsPlugin(app: FastifyInstance): Promise<void> {
  const requests = app.metrics.counter(
    "seqrank_http_requests_total",
    "HTTP requests by method, route pattern and status code",
  );
  const latency = app.metrics.histogram(
    "seqrank_http_request_duration_seconds",
    "HTTP request latency by method and route pattern",
  );
  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  app.get("/metrics", { config: { rateLimit: false } }, async (_request, reply) =>
    reply.type("text/plain; version=0.0.4; charset=utf-8").send(await app.metrics.expose()),
  );
}

export default fp(metricsPlugin, { name: "seqrank-metrics", fastify: "5.x" });
