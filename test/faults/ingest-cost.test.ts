// Issue #13 item 10, second round: the per-request costs of ingest beyond the events' own commit. The
// interaction deltas' commit pays no fsync (they are counts derived from committed events; WAL keeps them
// safe against kill -9), and the requests of one group commit share one read of the delta log.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { LiveSignals } from "../../src/serve/recommender/live-signals.js";
import { groupCommitStore } from "../../src/serve/storage/group-commit.js";
import { type DeltaLog, type InteractionDelta, SqliteStore } from "../../src/serve/storage/index.js";
import { repoRoot, tempDir } from "../serve/helpers.js";

const delta = (item: string): InteractionDelta => ({ item, ts: 1000, previous: [] });

/** The log with its reads counted. */
function countingReads(log: DeltaLog): DeltaLog & { reads: number } {
  const counted = {
    reads: 0,
    append: (deltas: InteractionDelta[]) => log.append(deltas),
    after: (cursor: string, limit: number) => {
      counted.reads++;
      return log.after(cursor, limit);
    },
    watch: log.watch.bind(log),
  };
  return counted;
}

test("the requests of one group commit share one read of the delta log, each delta applied once", async () => {
  const store = groupCommitStore(
    new SqliteStore({ path: ":memory:", maxSequenceLength: 50, cacheEntries: 10 }),
    { maxBatchEvents: 1000 },
  );
  const log = countingReads(store.deltas);
  const applied: string[] = [];
  const live = new LiveSignals(log, (d) => applied.push(d.item));
  const items = Array.from({ length: 20 }, (_, i) => `i${i}`);
  await Promise.all(items.map((item) => live.record([delta(item)])));
  assert.deepEqual(applied, items, "every delta once, in log order");
  assert.equal(log.reads, 1, `20 requests in one group read the log ${log.reads} times`);
  await store.close();
});

test("a record made while a catch-up is reading still has its own deltas applied when it resolves", async () => {
  const stored: InteractionDelta[] = [];
  let reading: (() => void) | undefined;
  const log: DeltaLog = {
    append: async (deltas) => {
      stored.push(...deltas);
    },
    // Takes what is there at the call and answers a few turns later: a slow read.
    after: (cursor, limit) => {
      const from = Number(cursor || 0);
      const deltas = stored.slice(from, from + limit);
      reading?.();
      return new Promise((resolve) =>
        setTimeout(() => resolve({ deltas, cursor: String(from + deltas.length) }), 5),
      );
    },
    watch: () => async () => {},
  };
  const applied: string[] = [];
  const live = new LiveSignals(log, (d) => applied.push(d.item));
  const readStarted = new Promise<void>((r) => {
    reading = r;
  });
  const first = live.record([delta("a")]);
  await readStarted;
  // Appended after the first read took its page: joining that read would miss it.
  await live.record([delta("b")]);
  assert.deepEqual(applied, ["a", "b"], "b is applied once its record resolves");
  await first;
});

/**
 * fsync + fdatasync calls of a child that makes 20 commits of `kind`, or undefined without strace. Before
 * its event commits, the child's delta commit fails (a delta that cannot be serialised): a failed delta
 * commit must not leave the connection without fsync.
 */
function syncCalls(kind: "events" | "deltas", dir: string): number | undefined {
  const script = join(dir, `${kind}.mts`);
  const path = join(dir, `${kind}.db`);
  // Created here, untraced: building a new file syncs a few dozen times.
  void new SqliteStore({ path, maxSequenceLength: 50, cacheEntries: 10 }).close();
  writeFileSync(
    script,
    `import { SqliteStore } from ${JSON.stringify(join(repoRoot, "src/serve/storage/index.ts"))};
const store = new SqliteStore({ path: ${JSON.stringify(path)}, maxSequenceLength: 50, cacheEntries: 10 });
const cyclic = []; cyclic.push(cyclic);
if (${JSON.stringify(kind)} === "events")
  await store.deltas.append([{ item: "a", ts: 1, previous: cyclic }]).then(() => process.exit(3), () => {});
for (let i = 0; i < 20; i++) {
  if (${JSON.stringify(kind)} === "deltas") await store.deltas.append([{ item: "a", ts: 1, previous: [] }]);
  else await store.events.append([{ eventId: "e" + i, userId: "u", itemId: "a", type: "view", ts: 1, props: null }]);
}
await store.close();
`,
  );
  const trace = join(dir, `${kind}.trace`);
  const r = spawnSync(
    "strace",
    ["-f", "-e", "trace=fsync,fdatasync", "-o", trace, process.execPath, "--import", "tsx", script],
    { cwd: repoRoot, encoding: "utf8" },
  );
  if (r.error || r.status !== 0) return undefined;
  return (readFileSync(trace, "utf8").match(/\b(fsync|fdatasync)\(/g) ?? []).length;
}

test("interaction delta commits pay no fsync; event commits still pay theirs", (t) => {
  const dir = tempDir("ingest-cost");
  try {
    const events = syncCalls("events", dir.path);
    const deltas = syncCalls("deltas", dir.path);
    if (events === undefined || deltas === undefined) return t.skip("strace is not available here");
    assert.ok(events >= 20, `20 event commits after a failed delta commit made ${events} fsyncs`);
    // Closing the file (its checkpoint) syncs a few times; 20 delta commits add none.
    assert.ok(deltas < 5, `20 delta commits made ${deltas} fsyncs`);
  } finally {
    dir.remove();
  }
});

test("committed interaction deltas survive kill -9 of the process that wrote them", () => {
  const dir = tempDir("ingest-cost");
  const path = join(dir.path, "store.db");
  const script = join(dir.path, "kill.mts");
  writeFileSync(
    script,
    `import { SqliteStore } from ${JSON.stringify(join(repoRoot, "src/serve/storage/index.ts"))};
const store = new SqliteStore({ path: ${JSON.stringify(path)}, maxSequenceLength: 50, cacheEntries: 10 });
for (let i = 0; i < 50; i++) await store.deltas.append([{ item: "i" + i, ts: 1, previous: ["p"] }]);
process.kill(process.pid, "SIGKILL");
`,
  );
  const r = spawnSync(process.execPath, ["--import", "tsx", script], { cwd: repoRoot });
  assert.equal(r.signal, "SIGKILL");
  const reopened = new SqliteStore({ path, maxSequenceLength: 50, cacheEntries: 10 });
  return reopened.deltas.after("", 100).then(async (page) => {
    assert.equal(page.deltas.length, 50);
    assert.deepEqual(page.deltas[49], { item: "i49", ts: 1, previous: ["p"] });
    await reopened.close();
    dir.remove();
  });
});
