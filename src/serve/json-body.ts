// The JSON body parser. Unlike Fastify's default it says why a body is refused: malformed JSON keeps the
// parser's reason, and a `__proto__` or `constructor.prototype` key (prototype pollution) is a 400 naming
// where it is, rather than "not valid JSON".
import type { FastifyRequest } from "fastify";
import { httpError } from "./errors.js";

/** Only bodies that could spell a forbidden key (literally or with \u escapes) are walked. */
const SUSPECT = /proto|constructor|\\u/;

/** The path (`body/events/0/__proto__`) of the first forbidden key in `value`, if any. */
export function forbiddenKey(value: unknown): string | undefined {
  const stack: Array<[unknown, string]> = [[value, "body"]];
  while (stack.length) {
    const [node, path] = stack.pop()!;
    if (typeof node !== "object" || node === null) continue;
    for (const [key, child] of Object.entries(node)) {
      if (key === "__proto__") return `${path}/__proto__`;
      if (
        key === "constructor" &&
        typeof child === "object" &&
        child !== null &&
        Object.hasOwn(child, "prototype")
      )
        return `${path}/constructor/prototype`;
      stack.push([child, `${path}/${key}`]);
    }
  }
  return undefined;
}

export function parseJsonBody(
  _request: FastifyRequest,
  body: string,
  done: (err: Error | null, value?: unknown) => void,
): void {
  if (body.length === 0) {
    done(httpError("SR_ERR_BAD_JSON", "the body is empty but content-type is application/json"));
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    // Only the position: V8's message quotes part of the body, which may hold user ids (and is logged).
    const at = /at position \d+/.exec((err as Error).message)?.[0];
    done(httpError("SR_ERR_BAD_JSON", `the body is not valid JSON${at ? ` (${at})` : ""}`));
    return;
  }
  const forbidden = SUSPECT.test(body) ? forbiddenKey(value) : undefined;
  if (forbidden) {
    done(
      httpError(
        "SR_ERR_VALIDATION",
        `${forbidden}: "__proto__" and "constructor.prototype" keys are not allowed`,
      ),
    );
    return;
  }
  done(null, value);
}
