// kill -9 under load: every event the server acknowledged (200) is still there after a restart on the same
// SQLite file. Real server processes (`seqrank serve`), real sockets, concurrent clients.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { spawnServer, tempDir, WRITE, WRITE_KEY } from "./helpers.js";

const dir = tempDir("durability");
after(() => dir.remove());

const SENDERS = 8;
const USERS_PER_SENDER = 20;

test("every acknowledged event survives kill -9 mid-load", async () => {
  const db = join(dir.path, "events.db");
  const args = [
    "--db",
    db,
    "--api-key",
    WRITE_KEY,
    "--public-reads",
    "--no-rate-limit",
    "--log-level",
    "warn",
  ];
  const first = await spawnServer(args);
  const acked = new Map<string, string>(); // event id → user id
  let killed = false;
  let failedAfterKill = 0;

  const sender = async (s: number) => {
    for (let n = 0; !killed; n++) {
      const size = 1 + (n % 5);
      const events = Array.from({ length: size }, (_, j) => ({
        user_id: `u${s}-${(n + j) % USERS_PER_SENDER}`,
        item_id: `i${(n * 7 + j) % 97}`,
        type: "view",
        event_id: `s${s}-n${n}-j${j}`,
      }));
      try {
        const res = await fetch(`${first.url}/v1/events`, {
          method: "POST",
          headers: { ...WRITE, "content-type": "application/json" },
          body: JSON.stringify({ events }),
        });
        if (res.status === 200) for (const e of events) acked.set(e.event_id, e.user_id);
        else assert.fail(`unexpected ${res.status}: ${await res.text()}`);
      } catch (err) {
        if (!killed) throw err;
        failedAfterKill++;
      }
    }
  };

  const load = Promise.all(Array.from({ length: SENDERS }, (_, s) => sender(s)));
  // Kill once a good number of events is acknowledged, while every sender still has a request in flight.
  while (acked.size < 1500) await new Promise((r) => setTimeout(r, 20));
  first.proc.kill("SIGKILL");
  killed = true;
  await first.stop();
  await load;
  assert.equal(first.proc.signalCode, "SIGKILL");
  console.log(`# acknowledged ${acked.size} events before kill -9; ${failedAfterKill} requests cut off`);

  const second = await spawnServer(args);
  try {
    const found = new Set<string>();
    for (let s = 0; s < SENDERS; s++) {
      for (let u = 0; u < USERS_PER_SENDER; u++) {
        const res = await fetch(`${second.url}/v1/users/u${s}-${u}/events?limit=1000`);
        const body = (await res.json()) as { events: Array<{ event_id: string }> };
        assert.ok(body.events.length < 1000, "the limit does not hide events");
        for (const e of body.events) {
          assert.ok(!found.has(e.event_id), `event ${e.event_id} stored twice`);
          found.add(e.event_id);
        }
      }
    }
    const missing = [...acked.keys()].filter((id) => !found.has(id));
    assert.deepEqual(missing, [], `${missing.length} acknowledged events lost`);
    // Sequences were committed with their events: each user's sequence length matches its events.
    const seq = (await (await fetch(`${second.url}/v1/users/u0-0/sequence`)).json()) as { items: string[] };
    const evs = (await (await fetch(`${second.url}/v1/users/u0-0/events?limit=1000`)).json()) as {
      events: unknown[];
    };
    assert.equal(seq.items.length, Math.min(evs.events.length, 200));
  } finally {
    await second.stop("SIGTERM");
  }
});
