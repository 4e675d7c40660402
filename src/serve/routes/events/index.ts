// POST /v1/events: validate (the schema, then each event's type and time: event-types.ts, event-time.ts),
// store durably, append to the users' sequences, drop their cached results, then run the onEvent hooks (the
// recommender refreshes there) — all before the 200.
import type { FastifyInstance } from "fastify";
import type { RunHook } from "../../hooks.js";
import type { NewEvent } from "../../storage/index.js";
import type { AcceptedEvent } from "../../types.js";
import { type EventTimeBounds, eventTime } from "./event-time.js";
import { eventType } from "./event-types.js";
import { type BatchBody, type EventBody, eventsBodySchema, eventsResponses } from "./schemas.js";

export interface EventRoutesOptions {
  runHook: RunHook;
}

interface EventRules {
  now: number;
  bounds: EventTimeBounds;
  types: ReadonlySet<string>;
}

/** The stored form of one body; `field` names it in errors ("" for a single event, "events[3]." in a batch). */
function toEvent(body: EventBody, field: string, rules: EventRules): NewEvent {
  return {
    eventId: body.event_id ?? null,
    userId: body.user_id,
    itemId: body.item_id,
    type: eventType(body.type, `${field}type`, rules.types),
    ts: eventTime(body.ts, `${field}ts`, rules.now, rules.bounds),
    props: body.props ?? null,
  };
}

export default async function eventRoutes(app: FastifyInstance, opts: EventRoutesOptions): Promise<void> {
  const accepted = app.metrics.counter("seqrank_events_accepted_total", "Valid events received, by type");
  const stored = app.metrics.counter("seqrank_events_stored_total", "Events written (duplicates excluded)");
  const bodySchema = eventsBodySchema(app.serveConfig.limits.maxEventsPerRequest);
  const types = app.eventTypes;
  const bounds = app.serveConfig.events;

  app.post<{ Body: EventBody | BatchBody }>(
    "/v1/events",
    { schema: { body: bodySchema, response: eventsResponses } },
    async (request) => {
      const rules = { now: Date.now(), bounds, types };
      const events =
        "events" in request.body
          ? request.body.events.map((b, i) => toEvent(b, `events[${i}].`, rules))
          : [toEvent(request.body, "", rules)];
      const result = await app.store.events.append(events);
      for (const e of events) accepted.inc({ type: e.type });
      stored.inc({}, result.inserted);
      for (const userId of new Set(events.map((e) => e.userId))) await app.store.cache.dropUser(userId);
      // A retried event (same event_id) is stored once, so hooks (co-visitation, popularity) see it once.
      const forHooks: AcceptedEvent[] = events
        .filter((_, i) => result.fresh[i])
        .map(({ userId, itemId, type, ts, eventId }) => ({ userId, itemId, type, ts, eventId }));
      if (forHooks.length > 0) await opts.runHook("onEvent", forHooks, request.log);
      return { accepted: events.length, stored: result.inserted, duplicates: result.duplicates };
    },
  );
}
