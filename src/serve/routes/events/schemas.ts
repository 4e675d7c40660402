// POST /v1/events: one event, or {"events": [...]} for a batch.
import { type Static, Type } from "@sinclair/typebox";
import { ERRORS_4XX, Id } from "../schemas.js";

const PropValue = Type.Union([Type.String({ maxLength: 1024 }), Type.Number(), Type.Boolean(), Type.Null()]);

export const EventBody = Type.Object(
  {
    user_id: Id,
    item_id: Id,
    type: Type.String({ pattern: "^[a-z][a-z0-9_]{0,31}$", default: "view" }),
    /** Unix milliseconds or an ISO 8601 date-time; default: the time the server receives it. */
    ts: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.String({ format: "date-time" })])),
    /** Client id that makes retries idempotent. */
    event_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    /** Flat key → scalar properties (no nesting). */
    props: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), PropValue, { maxProperties: 32 })),
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
