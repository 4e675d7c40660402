// POST /v1/events: validate, store durably, append to the users' sequences, drop their cached results,
// then run the onEvent hooks (the recommender refreshes there) — all before the 200.
import type { FastifyInstance } from "fastify";
import type { RunHook } from "../../hooks.js";
import type { NewEvent } from "../../storage/index.js";
import type { AcceptedEvent } from "../../types.js";
import { type BatchBody, type EventBody, eventsBodySchema, eventsResponses } from "./schemas.js";

export interface EventRoutesOptions {
  runHook: RunHook;
}

function toEvent(body: EventBody, now: number): NewEvent {
  const ts = body.ts === undefined ? now : typeof body.ts === "number" ? body.ts : Date.parse(body.ts);
  return {
    eventId: body.event_id ?? null,
    userId: body.user_id,
    itemId: body.item_id,
    type: body.type,
    ts,
    props: body.props ?? null,
  };
}

export default async function eventRoutes(app: FastifyInstance, opts: EventRoutesOptions): Promise<void> {
  const accepted = app.metrics.counter("seqrank_events_accepted_total", "Valid events received, by type");
  const stored = app.metrics.counter("seqrank_events_stored_total", "Events written (duplicates excluded)");
  const bodySchema = eventsBodySchema(app.serveConfig.limits.maxEventsPerRequest);

  app.post<{ Body: EventBody | BatchBody }>(
    "/v1/events",
    { schema: { body: bodySchema, response: eventsResponses } },
    async (request) => {
      const now = Date.now();
      const bodies = "events" in request.body ? request.body.events : [request.body];
      const events = bodies.map((b) => toEvent(b, now));
      const result = await app.store.appendEvents(events);
      for (const e of events) accepted.inc({ type: e.type });
      stored.inc({}, result.inserted);
      for (const userId of new Set(events.map((e) => e.userId))) await app.store.cacheDropUser(userId);
      // A retried event (same event_id) is stored once, so hooks (co-visitation, popularity) see it once.
      const forHooks: AcceptedEvent[] = events
        .filter((_, i) => result.fresh[i])
        .map(({ userId, itemId, type, ts, eventId }) => ({ userId, itemId, type, ts, eventId }));
      if (forHooks.length > 0) await opts.runHook("onEvent", forHooks, request.log);
      return { accepted: events.length, stored: result.inserted, duplicates: result.duplicates };
    },
  );
}
