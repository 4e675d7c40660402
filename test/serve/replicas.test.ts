// Two server processes, each with its own SQLite file, on one real Redis: a user's sequence is shared, so an
// event accepted by A is visible on B at once, and a deletion on B is seen by A.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  cleanRedis,
  REDIS_URL,
  type ServerProcess,
  spawnServer,
  tempDir,
  uniquePrefix,
  WRITE,
  WRITE_KEY,
} from "./helpers.js";

const dir = tempDir("replicas");
const prefix = uniquePrefix("replicas");
const servers: ServerProcess[] = [];
after(async () => {
  for (const s of servers) await s.stop("SIGTERM");
  await cleanRedis(prefix);
  dir.remove();
});

const replica = async (name: string) => {
  const s = await spawnServer([
    "--db",
    join(dir.path, `${name}.db`),
    "--redis",
    REDIS_URL,
    "--redis-prefix",
    prefix,
    "--api-key",
    WRITE_KEY,
    "--log-level",
    "warn",
  ]);
  servers.push(s);
  return s;
};

const sequence = async (s: ServerProcess, user: string) =>
  ((await (await fetch(`${s.url}/v1/users/${user}/sequence`)).json()) as { items: string[] }).items;

const events = async (s: ServerProcess, user: string) =>
  ((await (await fetch(`${s.url}/v1/users/${user}/events`)).json()) as { events: unknown[] }).events;

test("an event on replica A is in the user's sequence on replica B; a deletion on B is seen by A", async () => {
  const [a, b] = await Promise.all([replica("a"), replica("b")]);
  const send = (s: ServerProcess, item: string) =>
    fetch(`${s.url}/v1/events`, {
      method: "POST",
      headers: { ...WRITE, "content-type": "application/json" },
      body: JSON.stringify({ user_id: "shared-user", item_id: item }),
    });
  assert.equal((await send(a, "lipstick")).status, 200);
  assert.deepEqual(await sequence(b, "shared-user"), ["lipstick"]);
  assert.equal((await send(b, "mascara")).status, 200);
  assert.deepEqual(await sequence(a, "shared-user"), ["lipstick", "mascara"]);

  const ready = (await (await fetch(`${a.url}/readyz`)).json()) as {
    components: { storage: { detail: string } };
  };
  assert.equal(ready.components.storage.detail, "redis");

  const del = await fetch(`${b.url}/v1/users/shared-user`, { method: "DELETE", headers: WRITE });
  assert.equal(del.status, 200);
  assert.deepEqual(await sequence(a, "shared-user"), []);
  // A's own SQLite file drops the user's events too (the deletion is published to every replica).
  const deadline = Date.now() + 5000;
  while ((await events(a, "shared-user")).length > 0 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(await events(a, "shared-user"), []);
});
