// Schema pieces shared by the core routes. Every id goes through `idRule` (src/serve/id-rule.ts).
import { Type } from "@sinclair/typebox";

/** User and item ids: 1–256 characters, NFC, no control/format characters or lone surrogates, not blank. */
export const Id = Type.String({ minLength: 1, maxLength: 256, idRule: true });

/** Client event ids (idempotent retries): the id rule, at most 128 characters. */
export const EventId = Type.String({ minLength: 1, maxLength: 128, idRule: true });

/** A props key: the id rule, at most 64 characters. */
export const PropKey = Type.String({ minLength: 1, maxLength: 64, idRule: true });

const PropValue = Type.Union([Type.String({ maxLength: 1024 }), Type.Number(), Type.Boolean(), Type.Null()]);

/** Flat key → scalar event properties: at most 32 keys, each a `PropKey` (TypeBox's Record drops key limits,
 * so they are stated as `propertyNames`). */
export const Props = Type.Record(Type.String(), PropValue, { maxProperties: 32, propertyNames: PropKey });

export const ErrorResponse = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String(),
  message: Type.String(),
});

/** The 4xx responses every route declares. */
export const ERRORS_4XX = { "4xx": ErrorResponse };
