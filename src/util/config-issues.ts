// One way to read a config: every config schema is strict (zod's strictObject), and whatever is wrong with
// an input becomes one SR_ERR_CONFIG message naming each wrong field, and for an unknown key (a typo such
// as "segmnts") the keys allowed where it stood.
import { z } from "zod";
import { SeqrankError } from "./errors.js";

/** Anything with zod's `parse` (a model factory's configSchema is typed this loosely). */
export interface ParsesConfig<T> {
  parse(input: unknown): T;
}

/** The schema inside optional / default / nullable / refinement wrappers. */
function unwrap(schema: z.ZodTypeAny): z.ZodTypeAny {
  let s = schema;
  for (;;) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap();
    else if (s instanceof z.ZodDefault) s = s.removeDefault();
    else if (s instanceof z.ZodEffects) s = s.innerType();
    else if (s instanceof z.ZodCatch) s = s.removeCatch();
    else return s;
  }
}

/** The object schema at `path` inside `schema`, when the path leads through objects, arrays and records. */
function objectAt(schema: z.ZodTypeAny, path: ReadonlyArray<string | number>): z.AnyZodObject | undefined {
  let s: z.ZodTypeAny | undefined = unwrap(schema);
  for (const key of path) {
    if (s instanceof z.ZodObject) s = (s.shape as Record<string, z.ZodTypeAny>)[String(key)];
    else if (s instanceof z.ZodArray) s = s.element;
    else if (s instanceof z.ZodRecord) s = s.valueSchema;
    else return undefined;
    if (!s) return undefined;
    s = unwrap(s);
  }
  return s instanceof z.ZodObject ? s : undefined;
}

/** The keys of a config schema that is an object (undefined for any other schema). */
export function configKeys(schema: unknown): string[] | undefined {
  if (!(schema instanceof z.ZodType)) return undefined;
  const object = unwrap(schema);
  return object instanceof z.ZodObject ? Object.keys(object.shape) : undefined;
}

/** The choices of an enum field of an object config schema (undefined when it is not one). */
export function enumOptions(schema: unknown, key: string): readonly string[] | undefined {
  if (!(schema instanceof z.ZodType)) return undefined;
  const object = unwrap(schema);
  const field = object instanceof z.ZodObject ? object.shape[key] : undefined;
  const inner = field instanceof z.ZodType ? unwrap(field) : undefined;
  return inner instanceof z.ZodEnum ? (inner.options as string[]) : undefined;
}

/** Each issue as one phrase: where it is, and what is wrong (with the allowed keys for an unknown key). */
export function configIssues(schema: unknown, error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const where = issue.path.join(".");
    if (issue.code !== "unrecognized_keys") return `${where || "(top level)"}: ${issue.message}`;
    const keys = issue.keys.map((k) => `"${k}"`).join(", ");
    const object = schema instanceof z.ZodType ? objectAt(schema, issue.path) : undefined;
    const allowed = object ? `; allowed: ${Object.keys(object.shape).join(", ")}` : "";
    return `unknown key${issue.keys.length > 1 ? "s" : ""} ${keys}${where ? ` in ${where}` : ""}${allowed}`;
  });
}

/** `schema.parse(input)`, or SR_ERR_CONFIG "<what>: <every issue>". */
export function parseConfig<T>(schema: ParsesConfig<T>, input: unknown, what: string): T {
  try {
    return schema.parse(input);
  } catch (err) {
    if (!(err instanceof z.ZodError)) throw err;
    throw new SeqrankError("SR_ERR_CONFIG", `${what}: ${configIssues(schema, err).join("; ")}`);
  }
}

/** JSON text of a config (a flag's value, a file's content), or SR_ERR_CONFIG naming where it came from. */
export function parseConfigJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new SeqrankError("SR_ERR_CONFIG", `${what}: not valid JSON (${(err as Error).message})`);
  }
}
