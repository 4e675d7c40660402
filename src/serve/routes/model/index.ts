// GET /v1/model: the served model (name, version, where it came from), the registry's versions and the run's
// metrics (results.json) for the dashboard. POST /v1/admin/model: activate a registry version (write scope) and
// hot-swap to it; a version that fails verification is refused (422 SR_ERR_MODEL_INVALID) and nothing changes.
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { ERRORS_4XX } from "../schemas.js";

export interface ModelInfo {
  name: string;
  version: string;
  /** Where the served model came from: registry, model-dir, run, injected, or none (popularity fallback). */
  source: string;
  dim: number;
  nItems: number;
  /** How the user encoder's weights are stored ("none" = float32). */
  quantization: string;
  /** Whether search's vector leg runs the model's title tower (else the BM25-neighbour fallback). */
  titleTower: boolean;
  /** The learned re-ranker serving with the model (null: the blend of candidate scores ranks). */
  ranker: string | null;
  versions: string[];
  /** The run's results.json (metrics and training curves), when it has one. */
  results: unknown;
}

export interface ModelRoutesOptions {
  info: () => ModelInfo;
  /**
   * Activates `version` and resolves once it serves (rejects, changing nothing, when it cannot); undefined
   * when no registry is configured.
   */
  activate?: (version: string) => Promise<void>;
}

const ModelResponse = Type.Object({
  name: Type.String(),
  version: Type.String(),
  source: Type.String(),
  dim: Type.Integer(),
  n_items: Type.Integer(),
  quantization: Type.String(),
  title_tower: Type.Boolean(),
  ranker: Type.Union([Type.String(), Type.Null()]),
  versions: Type.Array(Type.String()),
  results: Type.Any(),
});

const ActivateBody = Type.Object(
  { version: Type.String({ minLength: 1, maxLength: 128, pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$" }) },
  { additionalProperties: false },
);
type ActivateBody = Static<typeof ActivateBody>;

const toResponse = (m: ModelInfo) => ({
  name: m.name,
  version: m.version,
  source: m.source,
  dim: m.dim,
  n_items: m.nItems,
  quantization: m.quantization,
  title_tower: m.titleTower,
  ranker: m.ranker,
  versions: m.versions,
  results: m.results,
});

export default async function modelRoutes(app: FastifyInstance, opts: ModelRoutesOptions): Promise<void> {
  app.get("/v1/model", { schema: { response: { 200: ModelResponse, ...ERRORS_4XX } } }, async () =>
    toResponse(opts.info()),
  );
  const activate = opts.activate;
  if (!activate) return;
  app.post<{ Body: ActivateBody }>(
    "/v1/admin/model",
    { schema: { body: ActivateBody, response: { 200: ModelResponse, ...ERRORS_4XX } } },
    async (request) => {
      await activate(request.body.version);
      return toResponse(opts.info());
    },
  );
}
