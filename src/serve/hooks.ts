// The extension hooks (see types.ts) and the one place that runs them: in order, awaited, each failure
// logged and counted without failing the request whose data is already committed.
import type { FastifyBaseLogger } from "fastify";
import type { Counter, MetricsRegistry } from "./metrics-registry.js";
import type { ServeHooks } from "./types.js";

export type RunHook = <K extends keyof ServeHooks>(
  name: K,
  arg: Parameters<ServeHooks[K][number]>[0],
  log: FastifyBaseLogger,
) => Promise<void>;

export function createHooks(metrics: MetricsRegistry): { hooks: ServeHooks; runHook: RunHook } {
  const hooks: ServeHooks = { onEvent: [], onItemChange: [], onUserDelete: [] };
  const errors: Counter = metrics.counter("seqrank_hook_errors_total", "Extension hooks that threw, by hook");
  const runHook: RunHook = async (name, arg, log) => {
    for (const hook of hooks[name] as Array<(a: typeof arg) => unknown>) {
      try {
        await hook(arg);
      } catch (err) {
        errors.inc({ hook: name });
        log.error({ err, hook: name }, "extension hook failed");
      }
    }
  };
  return { hooks, runHook };
}
