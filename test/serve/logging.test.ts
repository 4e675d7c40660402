// Request logs go to stderr (src/serve/logging.ts), and a graceful stop loses none of them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { spawnServer } from "./helpers.js";

test("a server process's request logs reach stderr, up to the last line before exit", async () => {
  const server = await spawnServer([]);
  for (let i = 0; i < 20; i++) assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  await server.stop("SIGTERM");
  const lines = server
    .stderr()
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.equal(lines.filter((l) => l.msg === "request completed").length, 20);
  assert.equal(lines[lines.length - 1].msg, "closing");
});
