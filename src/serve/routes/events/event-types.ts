// The event types the service accepts: `events.types` when configured, else the default list plus the
// prepared dataset's types (meta.json `eventTypes.names`), so a shop's own types ("pv", "buy", movielens's
// ratings "1".."5") are accepted without configuration. Anything else is a 400 naming the field: an event of
// an unknown type would enter the sequences the model reads.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { META_JSON } from "../../../data/cache.js";
import { SeqrankError } from "../../../util/errors.js";
import type { ServeConfig } from "../../config.js";
import { httpError } from "../../errors.js";

/** Accepted without configuration (the API's default type is "view"). */
export const DEFAULT_EVENT_TYPES = ["view", "click", "cart", "purchase"] as const;

/** The prepared dataset's event type names, read from its meta.json (a file error names the file). */
function datasetEventTypes(dataDir: string): string[] {
  const path = join(dataDir, META_JSON);
  let names: unknown;
  try {
    names = JSON.parse(readFileSync(path, "utf8"))?.eventTypes?.names;
  } catch (err) {
    throw new SeqrankError("SR_ERR_DATASET_FORMAT", `${path}: cannot read the event types (${String(err)})`);
  }
  if (!Array.isArray(names) || !names.every((n) => typeof n === "string"))
    throw new SeqrankError("SR_ERR_DATASET_FORMAT", `${path}: eventTypes.names is not a list of strings`);
  return names;
}

export function acceptedEventTypes(config: Pick<ServeConfig, "events" | "dataDir">): Set<string> {
  if (config.events.types) return new Set(config.events.types);
  const fromData = config.dataDir === undefined ? [] : datasetEventTypes(config.dataDir);
  return new Set([...DEFAULT_EVENT_TYPES, ...fromData]);
}

/** `type` itself, or a 400 naming `field` and listing the accepted types. */
export function eventType(type: string, field: string, accepted: ReadonlySet<string>): string {
  if (accepted.has(type)) return type;
  const names = [...accepted];
  const listed =
    names.length > 50 ? `${names.slice(0, 50).join(", ")}, … (${names.length} in all)` : names.join(", ");
  throw httpError(
    "SR_ERR_VALIDATION",
    `${field}: unknown event type ${JSON.stringify(type)}; accepted: ${listed} (config events.types)`,
  );
}
