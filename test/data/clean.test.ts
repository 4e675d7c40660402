// The noise rules on a realistic log: the synthetic generator (synth.ts) plants bots with known ids, and
// the bot rule must find exactly those, with the report saying why.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ingest } from "../../src/data/ingest.js";
import { writeSynth } from "../../src/data/synth.js";

test("bot rule flags exactly the generator's bots and reports their rate", async () => {
  const dir = mkdtempSync(join(tmpdir(), "sr-synth-"));
  const synth = writeSynth(dir, { events: 200_000, botShare: 0.01, seed: 3 });
  assert.ok(synth.bots.length >= 5);
  const spec = JSON.parse(readFileSync(synth.config, "utf8"));
  const r = await ingest(spec, { out: mkdtempSync(join(tmpdir(), "sr-synth-out-")) });
  try {
    const report = readFileSync(r.botsFile, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.deepEqual(report.map((b) => b.user_id).sort(), [...synth.bots].sort());
    for (const b of report) assert.match(b.reason, /events\/hour \(robust z [\d.]+ > 5\)/);
    const bot = r.rules.find((x) => x.rule === "events.bot")!;
    const [{ n }] = await r.conn
      .runAndReadAll(
        `SELECT count(*)::INTEGER AS n FROM events WHERE user_id IN (${synth.bots.map((b) => `'${b}'`).join(",")})`,
      )
      .then((x) => x.getRowObjectsJS());
    assert.equal(n, 0);
    assert.equal(bot.rowsIn, bot.kept + bot.quarantined);
    assert.ok(bot.quarantined >= synth.bots.length * 1000, "each bot has at least 1000 events");
  } finally {
    r.close();
  }
});
