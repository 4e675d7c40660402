// Request validation: one Ajv for bodies without type coercion or silent stripping (a number where a string
// belongs, or an unknown field, is a 400 that says so) and one for params, querystring and headers, which
// arrive as strings and are coerced. Defaults from the schemas are applied; the first error is reported.
import { Ajv, type Options } from "ajv";
import addFormatsModule from "ajv-formats";
import type { FastifySchema, FastifySchemaCompiler } from "fastify";
import { idRuleKeyword } from "./id-rule.js";

// ajv-formats is CommonJS whose default export is the plugin itself.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const BASE: Options = { useDefaults: true, allErrors: false, removeAdditional: false };

export function validatorCompiler(): FastifySchemaCompiler<FastifySchema> {
  const body = new Ajv({ ...BASE, coerceTypes: false });
  const strings = new Ajv({ ...BASE, coerceTypes: "array" });
  addFormats(body);
  addFormats(strings);
  body.addKeyword(idRuleKeyword);
  strings.addKeyword(idRuleKeyword);
  return ({ schema, httpPart }) => (httpPart === "body" ? body : strings).compile(schema as object);
}
