// A user's stored behaviour (timeline and sequence) and the right to be forgotten: DELETE /v1/users/:id,
// and POST /v1/admin/forget-user for ids stored before the id rule that no URL can carry any more (a lone
// surrogate is not valid UTF-8, so it cannot be percent-encoded) or that the rule now refuses.
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import type { RunHook } from "../../hooks.js";
import { ERRORS_4XX, Id } from "../schemas.js";

export interface UserRoutesOptions {
  runHook: RunHook;
}

const UserParams = Type.Object({ id: Id });
type UserParams = Static<typeof UserParams>;

/** Any id the service accepted before the id rule (1–256 characters): only for forgetting. */
const ForgetBody = Type.Object(
  { user_id: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);
type ForgetBody = Static<typeof ForgetBody>;

const EventsQuery = Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) });
type EventsQuery = Static<typeof EventsQuery>;

const TimelineResponse = Type.Object({
  user_id: Type.String(),
  events: Type.Array(
    Type.Object({
      item_id: Type.String(),
      type: Type.String(),
      ts: Type.Number(),
      event_id: Type.Union([Type.String(), Type.Null()]),
      props: Type.Union([Type.Record(Type.String(), Type.Any()), Type.Null()]),
    }),
  ),
});

const SequenceResponse = Type.Object({ user_id: Type.String(), items: Type.Array(Type.String()) });

const DeleteResponse = Type.Object({
  user_id: Type.String(),
  deleted: Type.Object({ events: Type.Integer(), sequence: Type.Boolean(), caches: Type.Integer() }),
});

export default async function userRoutes(app: FastifyInstance, opts: UserRoutesOptions): Promise<void> {
  const forget = async (userId: string, log: FastifyBaseLogger) => {
    const deleted = await app.store.deleteUser(userId);
    await opts.runHook("onUserDelete", userId, log);
    return { user_id: userId, deleted };
  };

  app.get<{ Params: UserParams; Querystring: EventsQuery }>(
    "/v1/users/:id/events",
    {
      schema: {
        params: UserParams,
        querystring: EventsQuery,
        response: { 200: TimelineResponse, ...ERRORS_4XX },
      },
    },
    async (request) => {
      const events = await app.store.events.ofUser(request.params.id, request.query.limit);
      return {
        user_id: request.params.id,
        events: events.map((e) => ({
          item_id: e.itemId,
          type: e.type,
          ts: e.ts,
          event_id: e.eventId,
          props: e.props,
        })),
      };
    },
  );

  app.get<{ Params: UserParams }>(
    "/v1/users/:id/sequence",
    { schema: { params: UserParams, response: { 200: SequenceResponse, ...ERRORS_4XX } } },
    async (request) => ({
      user_id: request.params.id,
      items: await app.store.sequences.get(request.params.id),
    }),
  );

  app.delete<{ Params: UserParams }>(
    "/v1/users/:id",
    { schema: { params: UserParams, response: { 200: DeleteResponse, ...ERRORS_4XX } } },
    async (request) => forget(request.params.id, request.log),
  );

  app.post<{ Body: ForgetBody }>(
    "/v1/admin/forget-user",
    { schema: { body: ForgetBody, response: { 200: DeleteResponse, ...ERRORS_4XX } } },
    async (request) => forget(request.body.user_id, request.log),
  );
}
