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
  // The series of each method, route and status, found once: formatting their labels on every request was
  // a few objects and strings of garbage per request.
  const series = new Map<string, { count: { inc(): void }; latency: { observe(s: number): void } }>();
  app.addHook("onResponse", (request, reply, done) => {
    const route = request.routeOptions.url ?? "unmatched";
    const key = `${request.method} ${reply.statusCode} ${route}`;
    let s = series.get(key);
    if (!s) {
      const method = request.method;
      s = {
        count: requests.series({ method, route, status: String(reply.statusCode) }),
        latency: latency.series({ method, route }),
      };
      series.set(key, s);
    }
    s.count.inc();
    s.latency.observe(reply.elapsedTime / 1000);
    done();
  });
  // Needs the "metrics" scope once keys exist (a scraper key need not read user data).
  app.get(
    "/metrics",
    {
      config: { scope: "metrics", rateLimit: false },
      schema: {
        summary: "Prometheus metrics (text exposition format 0.0.4)",
        produces: ["text/plain"],
        response: { 200: { type: "string", description: "request counts and latencies, store sizes, …" } },
      },
    },
    async (_request, reply) =>
      reply.type("text/plain; version=0.0.4; charset=utf-8").send(await app.metrics.expose()),
  );
}

export default fp(metricsPlugin, { name: "seqrank-metrics", fastify: "5.x" });
