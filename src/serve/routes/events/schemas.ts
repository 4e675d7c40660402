// POST /v1/events: one event, or {"events": [...]} for a batch.
import { type Static, Type } from "@sinclair/typebox";
import { EVENT_TYPE_PATTERN } from "../../config.js";
import { ERRORS_4XX, EventId, Id, Props } from "../schemas.js";

export const EventBody = Type.Object(
  {
    user_id: Id,
    item_id: Id,
    /** One of the accepted types (config `events.types`; checked by the route, which lists them). */
    type: Type.String({ pattern: EVENT_TYPE_PATTERN, default: "view" }),
    /**
     * Unix milliseconds or an ISO 8601 date-time; default: the time the server receives it. Only the shape is
     * checked here: event-time.ts is the one rule (range, leap seconds, calendar) for both forms.
     */
    ts: Type.Optional(Type.Union([Type.Number(), Type.String({ minLength: 1, maxLength: 64 })])),
    /** Client id that makes retries idempotent. */
    event_id: Type.Optional(EventId),
    /** Flat key → scalar properties (no nesting). */
    props: Type.Optional(Props),
  },
  { additionalProperties: false },
);
export type EventBody = Static<typeof EventBody>;

export interface BatchBody {
  events: EventBody[];
}

/** A single event, or a batch when the object has an `events` key (if/then keeps error messages precise). */
export function eventsBodySchema(maxEvents: number) {
  const Batch = Type.Object(
    { events: Type.Array(EventBody, { minItems: 1, maxItems: maxEvents }) },
    { additionalProperties: false },
  );
  // biome-ignore lint/suspicious/noThenProperty: `then` is the JSON Schema keyword here.
  return { type: "object", if: { required: ["events"] }, then: Batch, else: EventBody };
}

export const EventsResponse = Type.Object({
  accepted: Type.Integer({ description: "events in the request" }),
  stored: Type.Integer({ description: "events written now" }),
  duplicates: Type.Integer({ description: "events whose event_id was already stored" }),
});

export const eventsResponses = { 200: EventsResponse, ...ERRORS_4XX };
