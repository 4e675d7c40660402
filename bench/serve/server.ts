// Child process of bench/serve.ts: the service with the recommender, on 127.0.0.1 (random port).
// argv: <dataDir> <modelDir> <catalogFile> <sqlitePath> [logLevel=info]. Prints {"listening": url} once
// /readyz would answer 200 (user vectors warmed). Logs go to stderr.
import { recommender } from "../../src/serve/plugins/recommender.js";
import { startServer } from "../../src/serve/server.js";

const [dataDir, modelDir, catalogFile, sqlitePath, logLevel = "info"] = process.argv.slice(2);
const server = await startServer({
  config: {
    port: 0,
    dataDir,
    modelDir,
    catalogFile,
    storage: { sqlitePath },
    logLevel: logLevel as "info",
    auth: { keys: [{ key: "bench-write-key-0123", scopes: ["read", "write"] }] },
    limits: { rateLimit: { enabled: false } },
  },
  plugins: [recommender({ pollMs: 0 })],
});
while (!server.app.readiness.status().ready) await new Promise((r) => setTimeout(r, 50));
process.stdout.write(`${JSON.stringify({ listening: server.url })}\n`);
