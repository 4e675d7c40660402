// Catalogue CRUD. Every change runs the onItemChange hooks (the recommender and search index new items).
import type { FastifyInstance } from "fastify";
import { httpError } from "../../errors.js";
import type { RunHook } from "../../hooks.js";
import type { CatalogItem } from "../../storage/index.js";
import {
  createdItemResponses,
  deleteItemResponses,
  ItemBody,
  ItemParams,
  itemResponses,
  NewItemBody,
  putItemResponses,
  toItemInput,
  toItemResponse,
} from "./schemas.js";

export interface ItemRoutesOptions {
  runHook: RunHook;
}

export default async function itemRoutes(app: FastifyInstance, opts: ItemRoutesOptions): Promise<void> {
  const stored = async (id: string): Promise<CatalogItem> => {
    const item = await app.store.catalogue.get(id);
    if (!item) throw httpError("SR_ERR_NOT_FOUND", `no item with id "${id}"`);
    return item;
  };

  app.get<{ Params: ItemParams }>(
    "/v1/items/:id",
    { schema: { params: ItemParams, response: itemResponses } },
    async (request) => toItemResponse(await stored(request.params.id)),
  );

  app.post<{ Body: NewItemBody }>(
    "/v1/items",
    { schema: { body: NewItemBody, response: createdItemResponses } },
    async (request, reply) => {
      const { id, ...fields } = request.body;
      if (await app.store.catalogue.get(id))
        throw httpError("SR_ERR_CONFLICT", `item "${id}" already exists (use PUT)`);
      await app.store.catalogue.put(toItemInput(id, fields));
      const item = await stored(id);
      await opts.runHook("onItemChange", { kind: "upsert", item, created: true }, request.log);
      return reply.code(201).send(toItemResponse(item));
    },
  );

  app.put<{ Params: ItemParams; Body: ItemBody }>(
    "/v1/items/:id",
    { schema: { params: ItemParams, body: ItemBody, response: putItemResponses } },
    async (request) => {
      const created = await app.store.catalogue.put(toItemInput(request.params.id, request.body));
      const item = await stored(request.params.id);
      await opts.runHook("onItemChange", { kind: "upsert", item, created }, request.log);
      return { item: toItemResponse(item), created };
    },
  );

  app.delete<{ Params: ItemParams }>(
    "/v1/items/:id",
    { schema: { params: ItemParams, response: deleteItemResponses } },
    async (request) => {
      const { id } = request.params;
      if (!(await app.store.catalogue.delete(id)))
        throw httpError("SR_ERR_NOT_FOUND", `no item with id "${id}"`);
      await opts.runHook("onItemChange", { kind: "delete", id }, request.log);
      return { id, deleted: true };
    },
  );
}
