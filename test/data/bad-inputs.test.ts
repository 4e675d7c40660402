// The bad-input corpus (test/fixtures/bad, expectations.json): each file either stops the ingest with a
// coded error naming file, line and column, or loses exactly the expected rows to the quarantine, with
// rows in = kept + quarantined for every rule. Two inputs too big or binary to commit are generated here.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { openDuckDB, queryRows } from "../../src/data/db.js";
import { ingest } from "../../src/data/ingest.js";
import type { IngestSpecInput, SourceInput } from "../../src/data/source.js";
import { SeqrankError } from "../../src/util/errors.js";

const here = dirname(fileURLToPath(import.meta.url));
const badDir = join(here, "..", "fixtures", "bad");

type Role = "events" | "items" | "users";
interface Case {
  file: string;
  why: string;
  role?: Role;
  source?: Partial<SourceInput>;
  cleaning?: Record<string, unknown>;
  error?: { code: string; message: string[] };
  rows?: number;
  kept?: number;
  blankLines?: number;
  /** Rule → quarantined line numbers, or just their count. */
  quarantine?: Record<string, number[] | number>;
  /** Distinct kept item ids, sorted. */
  items?: string[];
  bots?: string[];
}
interface Expectations {
  defaults: { role: Role; source: Partial<SourceInput>; cleaning: Record<string, unknown> };
  cases: Case[];
}

const expectations: Expectations = JSON.parse(readFileSync(join(badDir, "expectations.json"), "utf8"));

function specFor(c: Case, dir = badDir): IngestSpecInput {
  const d = expectations.defaults;
  const role = c.role ?? d.role;
  const source = { ...d.source, ...c.source, path: c.file } as SourceInput;
  return { name: c.file, baseDir: dir, [role]: [source], cleaning: { ...d.cleaning, ...c.cleaning } };
}

const tempOut = () => mkdtempSync(join(tmpdir(), "sr-bad-"));

async function assertFails(spec: IngestSpecInput, code: string, parts: string[]): Promise<void> {
  await assert.rejects(ingest(spec, { out: tempOut() }), (err: unknown) => {
    assert.ok(err instanceof SeqrankError, `expected a SeqrankError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    for (const part of parts) assert.ok(err.message.includes(part), `"${part}" not in: ${err.message}`);
    return true;
  });
}

assert.ok(expectations.cases.length >= 20);

for (const c of expectations.cases) {
  test(`${c.file}: ${c.why}`, async () => {
    if (c.error) return assertFails(specFor(c), c.error.code, c.error.message);
    const out = tempOut();
    const r = await ingest(specFor(c), { out });
    try {
      const role = c.role ?? expectations.defaults.role;
      const rules = r.rules.filter((x) => x.rule.startsWith(`${role}.`));
      for (const rule of r.rules) assert.equal(rule.rowsIn, rule.kept + rule.quarantined, rule.rule);
      assert.equal(rules[0].rowsIn, c.rows, "rows in");
      assert.equal(rules.at(-1)!.kept, c.kept, "rows kept");
      const quarantine = readFileSync(r.quarantineFile, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l));
      assert.equal(rules[0].rowsIn, c.kept! + quarantine.length, "every row is kept or quarantined");
      for (const rule of rules) {
        const expected = c.quarantine?.[rule.rule] ?? [];
        const lines = quarantine.filter((q) => q.rule === rule.rule).map((q) => q.line);
        if (typeof expected === "number") assert.equal(lines.length, expected, rule.rule);
        else assert.deepEqual(lines, expected, rule.rule);
        assert.equal(rule.quarantined, lines.length, rule.rule);
      }
      for (const q of quarantine) {
        assert.ok(q.file.endsWith(c.file) && q.reason && typeof q.raw === "string", JSON.stringify(q));
      }
      if (c.blankLines !== undefined) assert.equal(r.files[0].blankLines, c.blankLines);
      if (c.items) {
        const table = role === "items" ? "items" : "events";
        const rows = await queryRows(r.conn, `SELECT DISTINCT item_id FROM ${table} ORDER BY 1`);
        assert.deepEqual(
          rows.map((x) => x.item_id),
          c.items,
        );
      }
      if (c.bots) {
        const flagged = readFileSync(r.botsFile, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l).user_id);
        assert.deepEqual(flagged, c.bots);
      }
    } finally {
      r.close();
    }
  });
}

test("a 10 MB line stops the ingest with its line number", async () => {
  const dir = tempOut();
  const huge = `u1,${"x".repeat(10 << 20)},view,1700000000,1`;
  writeFileSync(
    join(dir, "huge.csv"),
    `user,item,event,ts,price\nu1,i1,view,1700000000,1\n${huge}\nu2,i2,view,1,1\n`,
  );
  await assertFails(specFor({ file: "huge.csv", why: "" }, dir), "SR_ERR_LINE_TOO_LONG", [
    "huge.csv:3:",
    'column 2 ("item")',
    "longer than 1048576 bytes",
  ]);
});

test("Parquet: rows are read with their row numbers; a missing column stops the ingest", async () => {
  const dir = tempOut();
  const db = await openDuckDB();
  await db.conn.run(`COPY (SELECT * FROM (VALUES ('u1', 'i1', 'view', 1700000000, 1.5, ['red', 'large']),
      ('u1', 'i2', 'buy', 1700000060, -2.0, []::VARCHAR[]), ('u2', 'i1', 'view', 1700000120, 1.5, ['red']))
      t("user", item, event, ts, price, tags)) TO '${join(dir, "events.parquet")}' (FORMAT PARQUET)`);
  await db.conn.run(`COPY (SELECT 'u1' AS "user", 'i1' AS item, 1700000000 AS ts)
      TO '${join(dir, "no-event.parquet")}' (FORMAT PARQUET)`);
  db.close();
  const source = { columns: { ...expectations.defaults.source.columns, attributes: "tags" } };
  const r = await ingest(specFor({ file: "events.parquet", why: "", source }, dir), { out: tempOut() });
  try {
    assert.deepEqual(
      r.rules.filter((x) => x.quarantined),
      [{ rule: "events.bad_price", rowsIn: 3, kept: 2, quarantined: 1, filtered: 0 }],
    );
    const [q] = readFileSync(r.quarantineFile, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(q.line, 2);
    const [item] = await queryRows(r.conn, "SELECT attributes FROM items WHERE item_id = 'i1'");
    assert.deepEqual(item.attributes, ["red", "large"]);
  } finally {
    r.close();
  }
  await assertFails(specFor({ file: "no-event.parquet", why: "" }, dir), "SR_ERR_MISSING_COLUMN", [
    "no-event.parquet",
    'column "event" not found',
    "user, item, ts",
  ]);
});
