// Schema pieces shared by the core routes.
import { Type } from "@sinclair/typebox";

/** User and item ids: 1–256 characters, no control characters. */
export const Id = Type.String({ minLength: 1, maxLength: 256, pattern: "^[^\\u0000-\\u001f\\u007f]+$" });

export const ErrorResponse = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String(),
  message: Type.String(),
});

/** The 4xx responses every route declares. */
export const ERRORS_4XX = { "4xx": ErrorResponse };
