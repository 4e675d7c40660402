// GET /v1/users/:id/recommendations and GET /v1/items/:id/similar: the multi-stage pipeline's answers with
// item metadata and, with `explain`, the history items behind each recommendation.
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { BusinessFilters, ItemCatalogue, Recommendation } from "../../../retrieval/index.js";
import { httpError } from "../../errors.js";
import type { RecommenderService } from "../../recommender/index.js";
import { ERRORS_4XX, Id } from "../schemas.js";

export interface RecommendationRoutesOptions {
  service: RecommenderService;
}

const Params = Type.Object({ id: Id });
type Params = Static<typeof Params>;

const filterFields = {
  category: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  price_min: Type.Optional(Type.Number({ minimum: 0 })),
  price_max: Type.Optional(Type.Number({ minimum: 0 })),
  in_stock: Type.Optional(Type.Boolean()),
};
const RecQuery = Type.Object(
  {
    k: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
    exclude_seen: Type.Boolean({ default: true }),
    explain: Type.Boolean({ default: false }),
    diversity: Type.Number({ minimum: 0, maximum: 1, default: 0.2 }),
    ...filterFields,
  },
  { additionalProperties: false },
);
type RecQuery = Static<typeof RecQuery>;

export const ItemRef = {
  item_id: Type.String(),
  title: Type.Union([Type.String(), Type.Null()]),
  brand: Type.Union([Type.String(), Type.Null()]),
  category: Type.Union([Type.String(), Type.Null()]),
  price: Type.Union([Type.Number(), Type.Null()]),
};
const RecItem = Type.Object({
  ...ItemRef,
  score: Type.Number(),
  sources: Type.Array(Type.String()),
  because: Type.Optional(Type.Array(Type.Object({ ...ItemRef, kind: Type.String(), weight: Type.Number() }))),
});
const RecResponse = Type.Object({
  user_id: Type.Optional(Type.String()),
  item_id: Type.Optional(Type.String()),
  model: Type.String(),
  items: Type.Array(RecItem),
  candidates: Type.Integer(),
  filtered: Type.Integer(),
});

export function itemRef(catalogue: ItemCatalogue, item: number) {
  const meta = catalogue.meta(item);
  return {
    item_id: meta?.id ?? String(item),
    title: meta?.title ?? null,
    brand: meta?.brand ?? null,
    category: meta?.category ?? null,
    price: meta?.price ?? null,
  };
}

function toFilters(q: {
  category?: string;
  price_min?: number;
  price_max?: number;
  in_stock?: boolean;
}): BusinessFilters {
  return { category: q.category, priceMin: q.price_min, priceMax: q.price_max, inStock: q.in_stock };
}

/** Response items, each built as one object literal (spreading itemRef's object cost a copy per item). */
function toItems(catalogue: ItemCatalogue, items: Recommendation[]) {
  return items.map((r) => {
    return {
      ...itemRef(catalogue, r.item),
      score: r.score,
      sources: r.sources,
      because: r.because?.map((b) => ({ ...itemRef(catalogue, b.item), kind: b.kind, weight: b.weight })),
    };
  });
}

export default async function recommendationRoutes(
  app: FastifyInstance,
  { service }: RecommendationRoutesOptions,
): Promise<void> {
  app.get<{ Params: Params; Querystring: RecQuery }>(
    "/v1/users/:id/recommendations",
    { schema: { params: Params, querystring: RecQuery, response: { 200: RecResponse, ...ERRORS_4XX } } },
    async (request) => {
      const q = request.query;
      const result = await service.recommendFor(request.params.id, {
        k: q.k,
        excludeSeen: q.exclude_seen,
        explain: q.explain,
        diversity: q.diversity,
        filters: toFilters(q),
      });
      return {
        user_id: request.params.id,
        model: result.version,
        items: toItems(service.catalogue, result.items),
        candidates: result.candidates,
        filtered: result.filtered,
      };
    },
  );

  app.get<{ Params: Params; Querystring: RecQuery }>(
    "/v1/items/:id/similar",
    { schema: { params: Params, querystring: RecQuery, response: { 200: RecResponse, ...ERRORS_4XX } } },
    async (request) => {
      const q = request.query;
      const result = service.similarTo(request.params.id, {
        k: q.k,
        explain: q.explain,
        diversity: q.diversity,
        filters: toFilters(q),
      });
      if (!result) throw httpError("SR_ERR_NOT_FOUND", `no item with id "${request.params.id}"`);
      return {
        item_id: request.params.id,
        model: result.version,
        items: toItems(service.catalogue, result.items),
        candidates: result.candidates,
        filtered: result.filtered,
      };
    },
  );
}
