// The recommender extension: loads the served model (an injected one, or what `modelDir` names: a registry's
// current version, an exported model directory, or a training run exported on the fly — model-source.ts; the
// popularity fallback only when no model is configured), builds the RecommenderService, subscribes it to the
// core's hooks, registers the recommendation, search and model routes, follows other replicas' co-visitation and
// popularity deltas (with Redis) and the registry's `current` pointer (hot swap, model-switch.ts) — also that of
// a registry with no version yet, serving the fallback until one is activated (followRegistry: seqrank start).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import fp from "fastify-plugin";
import {
  datasetPopModel,
  type LoadModelOptions,
  ModelRegistry,
  type OpenedModel,
  openModelSource,
  popularityModel,
  resolveModelSource,
  type ServingModel,
} from "../../artifact/index.js";
import { SeqrankError } from "../../util/errors.js";
import { httpError } from "../errors.js";
import { type RecommenderConfigInput, RecommenderService } from "../recommender/index.js";
import { acceptModelTypes } from "../routes/events/event-types.js";
import modelRoutes from "../routes/model/index.js";
import recommendationRoutes from "../routes/recommendations/index.js";
import searchRoutes from "../routes/search/index.js";
import { ModelSwitch, type ModelSwitchEvents } from "./model-switch.js";

export interface RecommenderPluginOptions {
  /** A model to serve as is (tests, benchmarks); otherwise loaded from `modelDir`. */
  model?: ServingModel;
  /** A registry root, an exported model dir or a training run dir; default: the service config's modelDir. */
  modelDir?: string;
  /** How often to check the registry's `current` pointer (0 = never). */
  pollMs?: number;
  /**
   * With no model configured: a registry root whose `current` is followed although it names no version yet
   * (`seqrank start` trains into it in the background). The fallback serves until a version is activated there.
   */
  followRegistry?: string;
  /** Told of each hot swap and refused swap (after the service's own logging and metrics). */
  swapEvents?: Partial<ModelSwitchEvents>;
  load?: LoadModelOptions;
  config?: RecommenderConfigInput;
  /** Called with the service once it is ready (tests, dashboard). */
  onReady?: (service: RecommenderService) => void;
}

function readResults(dir: string | undefined): unknown {
  const path = dir && join(dir, "results.json");
  if (!path || !existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return null;
  }
}

/** Model errors of an activation as the catalogue's HTTP errors (SR_ERR_MODEL_INVALID passes as is: 422). */
function activationError(version: string, err: unknown): Error {
  if (!(err instanceof SeqrankError)) {
    return httpError("SR_ERR_MODEL_SWAP_FAILED", `activating ${version} failed: ${(err as Error).message}`);
  }
  if (err.code === "SR_ERR_MODEL_MISSING") return httpError("SR_ERR_NOT_FOUND", err.message);
  if (err.code === "SR_ERR_MODEL_VERSION") return httpError("SR_ERR_BAD_REQUEST", err.message);
  if (err.code === "SR_ERR_MODEL_INVALID") return err;
  return httpError("SR_ERR_MODEL_SWAP_FAILED", `activating ${version} failed: ${err.code}: ${err.message}`);
}

async function recommenderPlugin(app: FastifyInstance, opts: RecommenderPluginOptions): Promise<void> {
  app.readiness.set("model", false, "loading");
  const path = opts.modelDir ?? app.serveConfig.modelDir;
  // A configured path that names no model is an error at start, never a silent popularity fallback.
  const source = opts.model || path === undefined ? undefined : resolveModelSource(path);
  const followed = !opts.model && !source && opts.followRegistry;
  const registry =
    source?.kind === "registry" ? source.registry : followed ? new ModelRegistry(followed) : undefined;
  let servedFrom = opts.model ? "injected" : (source?.kind ?? "none");
  let opened: OpenedModel | undefined;
  if (source) opened = await openModelSource(source, opts.load, (msg) => app.log.info({ model: path }, msg));
  // No model configured: Pop of the prepared dataset (--data), else popularity from live events alone.
  const dataDir = app.serveConfig.dataDir;
  const model = opts.model ?? opened?.model ?? (dataDir ? datasetPopModel(dataDir) : popularityModel(0));
  let modelDir = opened?.dir;
  acceptModelTypes(app.eventTypes, app.serveConfig, model.eventTypes);

  const service = await RecommenderService.create(app.store, model, {
    config: opts.config,
    log: app.log,
    maxFutureSkewMs: app.serveConfig.events.maxFutureSkewMs,
  });
  const stopFollowing = service.followReplicas((err) =>
    app.log.error({ err }, "applying another replica's co-visitation and popularity deltas failed"),
  );
  const swaps = app.metrics.counter("seqrank_model_swaps_total", "Model hot swaps, by outcome");
  app.metrics.gauge("seqrank_user_vector_cache", "User vector cache lookups, by result", () => [
    [{ result: "hit" }, service.userVectors.hits],
    [{ result: "miss" }, service.userVectors.misses],
  ]);

  /** What /readyz says serves: model name, version and where it came from. */
  const describe = (m: ServingModel) =>
    servedFrom === "none"
      ? `${m.name} fallback (no model configured)`
      : `${m.name}@${m.version} from ${servedFrom}${modelDir ? ` ${modelDir}` : ""}`;
  const modelSwitch =
    registry &&
    new ModelSwitch(
      registry,
      service,
      {
        swapped: (next) => {
          modelDir = next.dir;
          servedFrom = "registry";
          acceptModelTypes(app.eventTypes, app.serveConfig, next.model.eventTypes);
          swaps.inc({ outcome: "ok" });
          app.readiness.set("model", true, describe(next.model));
          app.log.info({ version: next.model.version }, "model swapped");
          opts.swapEvents?.swapped?.(next);
        },
        failed: (version, err) => {
          swaps.inc({ outcome: "error" });
          app.log.error({ err, version }, "model swap refused; still serving the previous model");
          opts.swapEvents?.failed?.(version, err);
        },
      },
      opts.load,
    );

  app.hooks.onEvent.push((events) => service.onEvents(events));
  app.hooks.onItemChange.push((change) => service.onItemChange(change));
  app.hooks.onUserDelete.push((userId) => service.onUserDelete(userId));

  await app.register(recommendationRoutes, { service });
  await app.register(searchRoutes, { service });
  await app.register(modelRoutes, {
    info: () => ({
      name: service.model.name,
      version: service.model.version,
      source: servedFrom,
      dim: service.model.dim,
      nItems: service.model.nItems,
      quantization: service.model.quantization ?? "none",
      titleTower: service.model.encodeTitle !== undefined,
      ranker: service.model.ranker?.name ?? null,
      versions: registry?.versions() ?? [],
      results: readResults(modelDir),
    }),
    activate: modelSwitch
      ? (version) =>
          modelSwitch.activate(version).catch((err) => Promise.reject(activationError(version, err)))
      : undefined,
  });

  const pollMs = opts.pollMs ?? 2000;
  if (modelSwitch && pollMs > 0) {
    const timer = setInterval(() => modelSwitch.follow(), pollMs);
    timer.unref();
    app.addHook("onClose", async () => clearInterval(timer));
  }
  const stopWarming = warmUserVectors(app, service);
  const stopSorting = sortCoVisitation(app, service);
  app.addHook("onClose", async () => {
    await stopFollowing();
    await stopWarming();
    await stopSorting();
    await modelSwitch?.idle();
    await service.model.dispose?.();
  });
  app.readiness.set("model", true, describe(model));
  app.log.info({ model: describe(model) }, "serving model");
  opts.onReady?.(service);
}

/**
 * Encodes the stored users' vectors in the background; /readyz reports "user-vectors" not ready until done
 * (requests are answered meanwhile, encoding the user on a cache miss). Returns a function that stops it.
 */
function warmUserVectors(app: FastifyInstance, service: RecommenderService): () => Promise<void> {
  app.readiness.set("user-vectors", false, "warming");
  const stop = new AbortController();
  const started = performance.now();
  const warming = service.warm(stop.signal).then(
    (users) => {
      const ms = Math.round(performance.now() - started);
      app.readiness.set("user-vectors", true, `${users} users encoded at start in ${ms} ms`);
      app.log.info({ users, ms }, "user vectors warmed");
    },
    (err) => {
      app.readiness.set("user-vectors", true, "warm-up failed: users are encoded on their first request");
      app.log.error({ err }, "user vector warm-up failed");
    },
  );
  return async () => {
    stop.abort();
    await warming;
  };
}

/** Items whose co-visitation lists are sorted between two turns of the event loop (a few ms). */
const SORT_CHUNK = 200;

/**
 * Sorts every item's co-visitation list once at start, in chunks between requests (/readyz reports
 * "co-visitation" not ready until done). Left to the first read of each item, the first ~15,000 requests after
 * a start built ~11,000 lists on amazon-beauty, ~10 KB of garbage each (a third of those requests' garbage).
 * Returns a function that stops it.
 */
function sortCoVisitation(app: FastifyInstance, service: RecommenderService): () => Promise<void> {
  app.readiness.set("co-visitation", false, "sorting neighbour lists");
  let stopped = false;
  const sorting = (async () => {
    const started = performance.now();
    for (let item = 1; item <= service.catalogue.maxId && !stopped; item++) {
      service.covis.sortedNeighbours(item);
      if (item % SORT_CHUNK === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const ms = Math.round(performance.now() - started);
    app.readiness.set("co-visitation", true, `neighbour lists sorted at start in ${ms} ms`);
  })();
  return async () => {
    stopped = true;
    await sorting;
  };
}

/** The recommender as a plugin for buildApp's `plugins` list. */
export function recommender(opts: RecommenderPluginOptions = {}): FastifyPluginAsync {
  return fp((app: FastifyInstance) => recommenderPlugin(app, opts), {
    name: "seqrank-recommender",
    fastify: "5.x",
    dependencies: ["seqrank-store"],
  });
}
