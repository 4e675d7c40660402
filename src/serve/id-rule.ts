// The one rule for ids (user, item and event ids, props keys) at every entry point: body fields, URL params
// and query params all pass through the `idRule` Ajv keyword, so the URL and the body always reach the same
// user. Non-NFC text is refused, not normalised: normalising would silently merge ids that differ byte-wise
// in storage, and a client that sends NFC (what every browser and most languages produce) is unaffected.
import type { KeywordDefinition } from "ajv";

/** Lone surrogates (text that is not well-formed UTF-16), control, format (zero-width, bidi) and line/paragraph separators. */
const FORBIDDEN = /[\p{Cs}\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

const codePoint = (ch: string) => `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;

/** Why `id` breaks the id rule, or undefined when it is a valid id (lengths are the schema's job). */
export function idProblem(id: string): string | undefined {
  const bad = FORBIDDEN.exec(id);
  if (bad) {
    const kind = /\p{Cs}/u.test(bad[0])
      ? "a lone surrogate (not well-formed UTF-16)"
      : "a control or format character";
    return `must not contain ${kind}: ${codePoint(bad[0])} at index ${bad.index}`;
  }
  if (id.trim() === "") return "must not be blank";
  if (id.normalize("NFC") !== id) return "must be in Unicode normalisation form NFC";
  return undefined;
}

/** `{ idRule: true }` in a string schema applies `idProblem`; its message goes out with the field's path. */
export const idRuleKeyword: KeywordDefinition = {
  keyword: "idRule",
  type: "string",
  schemaType: "boolean",
  errors: true,
  validate: function validateId(enabled: boolean, data: string) {
    const problem = enabled ? idProblem(data) : undefined;
    if (problem === undefined) return true;
    (validateId as { errors?: unknown[] }).errors = [{ keyword: "idRule", message: problem, params: {} }];
    return false;
  },
};
