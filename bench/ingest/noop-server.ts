// Child process of bench/ingest.ts: the floor the host and the load generator allow. A bare Fastify server
// with the same route that parses the body and answers the same shape, storing nothing. Its latency at a
// rate is what the machine (two shared cores, the generator on one of them) costs before seqrank does any
// work, so the service's numbers are read against it. Prints {"listening": url} once it listens.
import Fastify from "fastify";

const app = Fastify();
app.post("/v1/events", async (request) => {
  const body = request.body as { events?: unknown[] };
  const n = Array.isArray(body.events) ? body.events.length : 1;
  return { accepted: n, stored: n, duplicates: 0 };
});
const url = await app.listen({ port: 0, host: "127.0.0.1" });
console.log(JSON.stringify({ listening: url }));
