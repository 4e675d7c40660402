// The settings of every rule that removes rows, each with its default, for prepare's summary: a filter
// nobody sees the setting of is a filter nobody can reason about. Defaults come from the schemas.
import { buildDefaults, type ResolvedBuildOptions } from "./build.js";
import { type Cleaning, CleaningSchema } from "./source.js";

export interface Setting {
  value: unknown;
  default: unknown;
}

const UNKNOWN_DEFAULT = "keep (quarantine for a CTR table)";

/** Cleaning rules (quarantine) and, when a dataset was built, the build's filters. */
export function filterSettings(
  cleaning: Cleaning,
  build?: { options: ResolvedBuildOptions; eventTypes: { train: string[]; eval: string[] } },
): Record<string, Setting> {
  const c = CleaningSchema.parse({});
  const settings: Record<string, Setting> = {
    "cleaning.malformed_rows": { value: cleaning.malformedRows, default: c.malformedRows },
    "cleaning.event_types": { value: cleaning.eventTypes ?? "any", default: "any" },
    "cleaning.timestamp_range": {
      value: [cleaning.minTimestamp, cleaning.maxTimestamp],
      default: [c.minTimestamp, c.maxTimestamp],
    },
    "cleaning.exact_duplicates": { value: cleaning.exactDuplicates, default: c.exactDuplicates },
    "cleaning.burst_window_seconds": { value: cleaning.burstWindowSeconds, default: c.burstWindowSeconds },
    "cleaning.bots.enabled": { value: cleaning.bots.enabled, default: c.bots.enabled },
    "cleaning.bots.threshold": { value: cleaning.bots.threshold, default: c.bots.threshold },
    "cleaning.bots.min_events": { value: cleaning.bots.minEvents, default: c.bots.minEvents },
    "cleaning.unknown_items": { value: cleaning.unknownItems ?? "keep", default: UNKNOWN_DEFAULT },
    "cleaning.unknown_users": { value: cleaning.unknownUsers ?? "keep", default: UNKNOWN_DEFAULT },
  };
  if (!build) return settings;
  const b = buildDefaults();
  const o = build.options;
  return {
    ...settings,
    "event_types.train": { value: build.eventTypes.train, default: "all types" },
    "event_types.eval": { value: build.eventTypes.eval, default: "the train types" },
    "k_core.users": { value: o.kCore.users, default: b.kCore.users },
    "k_core.items": { value: o.kCore.items, default: b.kCore.items },
    min_seq_len: { value: o.minSeqLen, default: b.minSeqLen },
    filtered_rows_limit: { value: o.filteredRowsLimit, default: b.filteredRowsLimit },
  };
}
