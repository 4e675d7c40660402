// The accounting identity of prepare: every row read is kept, quarantined by a cleaning rule
// (quarantine.jsonl) or removed by a build filter (filtered.jsonl):
//   rows_read = kept + quarantined + Σ filtered.
// Checked per rule (rowsIn = kept + quarantined + filtered, and each rule starts with the rows the previous
// one kept) and for the whole table against counts taken independently (rows staged, rows in the dataset).
import { SeqrankError } from "../util/errors.js";
import type { SourceSummary } from "./ingest.js";
import type { RuleCount } from "./prepared.js";
import type { SourceRole } from "./source.js";

export interface RowAccount {
  rows_read: number;
  kept: number;
  quarantined: number;
  filtered: number;
}

/** Checks the identity for one table's rules (in order); throws SR_ERR_ACCOUNTING naming `what` if broken. */
export function accountRows(what: string, rowsRead: number, kept: number, rules: RuleCount[]): RowAccount {
  const fail = (detail: string) => {
    throw new SeqrankError("SR_ERR_ACCOUNTING", `${what}: row accounting does not add up: ${detail}`);
  };
  rules.forEach((r, i) => {
    if (r.rowsIn !== r.kept + r.quarantined + r.filtered)
      fail(`rule ${r.rule}: ${r.rowsIn} in ≠ ${r.kept} kept + ${r.quarantined} + ${r.filtered} removed`);
    const previous = i === 0 ? rowsRead : rules[i - 1].kept;
    if (r.rowsIn !== previous) fail(`rule ${r.rule} starts with ${r.rowsIn} rows, not ${previous}`);
  });
  const quarantined = rules.reduce((n, r) => n + r.quarantined, 0);
  const filtered = rules.reduce((n, r) => n + r.filtered, 0);
  if (rowsRead !== kept + quarantined + filtered)
    fail(`${rowsRead} rows read ≠ ${kept} kept + ${quarantined} quarantined + ${filtered} filtered`);
  return { rows_read: rowsRead, kept, quarantined, filtered };
}

/** Every table prepare read: events (cleaning rules, then the build's filters; `keptEvents` counted in the
 *  dataset), and the items/users catalogs (cleaning rules only). Rows read are the records staged per file. */
export function accountPrepare(
  files: SourceSummary[],
  rules: RuleCount[],
  keptEvents: number,
): Partial<Record<SourceRole, RowAccount>> {
  const roleOf = (r: RuleCount): SourceRole =>
    r.rule.startsWith("items.") ? "items" : r.rule.startsWith("users.") ? "users" : "events";
  const out: Partial<Record<SourceRole, RowAccount>> = {};
  for (const role of ["events", "items", "users"] as const) {
    const read = files.filter((f) => f.role === role);
    if (read.length === 0) continue;
    const own = rules.filter((r) => roleOf(r) === role);
    const kept = role === "events" ? keptEvents : (own.at(-1)?.kept ?? 0);
    const rowsRead = read.reduce((n, f) => n + f.rows, 0);
    out[role] = accountRows(`${role} (${read.map((f) => f.file).join(", ")})`, rowsRead, kept, own);
  }
  return out;
}
