// GET /v1/search: hybrid product search (BM25 + vectors, fused by RRF), personalised with `user`. The
// response names what the vector leg ran: "title-tower" (semantic: the model's title encoder), or the
// fallback "bm25-neighbours" for models without one, or "none" without model vectors.
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { RecommenderService } from "../../recommender/index.js";
import { ItemRef, itemRef } from "../recommendations/index.js";
import { ERRORS_4XX, Id } from "../schemas.js";

export interface SearchRoutesOptions {
  service: RecommenderService;
}

const SearchQuery = Type.Object(
  {
    q: Type.String({ minLength: 1, maxLength: 500 }),
    user: Type.Optional(Id),
    k: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
    category: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
    brand: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    price_min: Type.Optional(Type.Number({ minimum: 0 })),
    price_max: Type.Optional(Type.Number({ minimum: 0 })),
    in_stock: Type.Optional(Type.Boolean()),
    /** Weight of the user's taste against query relevance (with `user`). */
    personal: Type.Number({ minimum: 0, maximum: 10, default: 0.3 }),
  },
  { additionalProperties: false },
);
type SearchQuery = Static<typeof SearchQuery>;

const SearchResponse = Type.Object({
  query: Type.String(),
  model: Type.String(),
  vector_leg: Type.Union([
    Type.Literal("title-tower"),
    Type.Literal("bm25-neighbours"),
    Type.Literal("none"),
  ]),
  hits: Type.Array(
    Type.Object({
      ...ItemRef,
      score: Type.Number(),
      bm25_rank: Type.Optional(Type.Integer()),
      vector_rank: Type.Optional(Type.Integer()),
      matched: Type.Array(Type.String()),
    }),
  ),
});

export default async function searchRoutes(
  app: FastifyInstance,
  { service }: SearchRoutesOptions,
): Promise<void> {
  app.get<{ Querystring: SearchQuery }>(
    "/v1/search",
    { schema: { querystring: SearchQuery, response: { 200: SearchResponse, ...ERRORS_4XX } } },
    async (request) => {
      const q = request.query;
      const { hits, vectorLeg } = await service.search(
        q.q,
        {
          k: q.k,
          category: q.category,
          brand: q.brand,
          priceMin: q.price_min,
          priceMax: q.price_max,
          inStock: q.in_stock,
          personalWeight: q.personal,
        },
        q.user,
      );
      return {
        query: q.q,
        model: service.model.version,
        vector_leg: vectorLeg,
        hits: hits.map((h) => ({
          ...itemRef(service.catalogue, h.item),
          score: h.score,
          bm25_rank: h.bm25Rank,
          vector_rank: h.vectorRank,
          matched: h.matched,
        })),
      };
    },
  );
}
