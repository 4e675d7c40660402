// What `seqrank prepare` prints before its JSON line: the settings of every rule that removes rows (with
// their defaults), the per-rule table, the accounting identity per table read, and the counts.
import type { RowAccount } from "../data/accounting.js";
import type { Setting } from "../data/filter-settings.js";
import type { FilteredOutput } from "../data/filtered.js";
import type { RuleCount } from "../data/prepared.js";

/** Rows removed by each rule (rowsIn − kept). */
export function removed(rules: RuleCount[]): Record<string, number> {
  return Object.fromEntries(rules.map((r) => [r.rule, r.rowsIn - r.kept]));
}

export const show = (v: unknown) =>
  typeof v === "number" ? v.toLocaleString("en-US") : Array.isArray(v) ? v.join(",") : String(v);

/** Settings with defaults, the per-rule table and, per table read, the accounting identity. */
export function printReport(
  settings: Record<string, Setting>,
  rules: RuleCount[],
  accounting: Partial<Record<string, RowAccount>>,
  filtered?: FilteredOutput,
): void {
  printColumns([
    ["setting", "value", "default"],
    ...Object.entries(settings).map(([name, s]) => [name, show(s.value), show(s.default)]),
  ]);
  console.log("");
  printColumns([
    ["rule", "rows in", "kept", "quarantined", "filtered"],
    ...rules.map((r) => [r.rule, r.rowsIn, r.kept, r.quarantined, r.filtered].map(show)),
  ]);
  console.log("");
  for (const [table, a] of Object.entries(accounting)) {
    if (!a) continue;
    console.log(
      `${table}: ${show(a.rows_read)} rows read = ${show(a.kept)} kept + ${show(a.quarantined)} quarantined + ` +
        `${show(a.filtered)} filtered`,
    );
  }
  if (filtered) {
    const how =
      filtered.mode === "rows"
        ? "one line per row"
        : `counts per user and item: more than the limit of ${show(filtered.limit)} rows`;
    console.log(`filtered rows: ${filtered.file} (${show(filtered.rows)} rows, ${how})`);
  }
}

export function printCounts(counts: { users: number; items: number; interactions: number }): void {
  console.log(
    `users ${show(counts.users)} · items ${show(counts.items)} · interactions ${show(counts.interactions)}`,
  );
}

/** First column left-aligned, the others right-aligned. */
export function printColumns(rows: string[][]): void {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  for (const row of rows) {
    console.log(row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  "));
  }
}
