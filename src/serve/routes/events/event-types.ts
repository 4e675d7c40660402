// The event types the service accepts: `events.types` when configured, else the default list plus the
// training event types of the model versions served (model.json `eventTypes`), so a shop's own types ("pv",
// "buy", movielens's ratings "1".."5") are accepted without configuration. Anything else is a 400 naming the field: an event of
// an unknown type would enter the sequences the model reads.
import type { ServeConfig } from "../../config.js";
import { httpError } from "../../errors.js";

/** Accepted without configuration (the API's default type is "view"). */
export const DEFAULT_EVENT_TYPES = ["view", "click", "cart", "purchase"] as const;

/** The configured list, or the defaults (served models add their training types: acceptModelTypes). */
export function acceptedEventTypes(config: Pick<ServeConfig, "events">): Set<string> {
  return new Set(config.events.types ?? DEFAULT_EVENT_TYPES);
}

/** Adds a served model version's training event types to `accepted`, unless the list is configured. */
export function acceptModelTypes(
  accepted: Set<string>,
  config: Pick<ServeConfig, "events">,
  types: readonly string[] | undefined,
): void {
  if (config.events.types) return;
  for (const t of types ?? []) accepted.add(t);
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
