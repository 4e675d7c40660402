// Catalogue item bodies and responses (snake_case on the wire).
import { type Static, Type } from "@sinclair/typebox";
import type { CatalogItem, ItemInput } from "../../storage/index.js";
import { ERRORS_4XX, Id } from "../schemas.js";

const Text = (maxLength: number) => Type.Union([Type.String({ maxLength }), Type.Null()]);

const itemFields = {
  title: Type.Optional(Text(2000)),
  brand: Type.Optional(Text(256)),
  /** Category path, levels joined by " > ". */
  category: Type.Optional(Text(512)),
  price: Type.Optional(Type.Union([Type.Number({ minimum: 0 }), Type.Null()])),
  in_stock: Type.Optional(Type.Boolean()),
  attributes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { maxItems: 200 })),
};

export const ItemBody = Type.Object(itemFields, { additionalProperties: false });
export type ItemBody = Static<typeof ItemBody>;

export const NewItemBody = Type.Object({ id: Id, ...itemFields }, { additionalProperties: false });
export type NewItemBody = Static<typeof NewItemBody>;

export const ItemParams = Type.Object({ id: Id });
export type ItemParams = Static<typeof ItemParams>;

export const ItemResponse = Type.Object({
  id: Type.String(),
  title: Type.Union([Type.String(), Type.Null()]),
  brand: Type.Union([Type.String(), Type.Null()]),
  category: Type.Union([Type.String(), Type.Null()]),
  price: Type.Union([Type.Number(), Type.Null()]),
  in_stock: Type.Boolean(),
  attributes: Type.Array(Type.String()),
  updated_at: Type.Integer(),
});
export type ItemResponse = Static<typeof ItemResponse>;

export const PutItemResponse = Type.Object({ item: ItemResponse, created: Type.Boolean() });
export const DeleteItemResponse = Type.Object({ id: Type.String(), deleted: Type.Boolean() });

export const itemResponses = { 200: ItemResponse, ...ERRORS_4XX };
export const createdItemResponses = { 201: ItemResponse, ...ERRORS_4XX };
export const putItemResponses = { 200: PutItemResponse, ...ERRORS_4XX };
export const deleteItemResponses = { 200: DeleteItemResponse, ...ERRORS_4XX };

export function toItemInput(id: string, body: ItemBody): ItemInput {
  return {
    id,
    title: body.title ?? null,
    brand: body.brand ?? null,
    category: body.category ?? null,
    price: body.price ?? null,
    inStock: body.in_stock ?? true,
    attributes: body.attributes ?? [],
  };
}

export function toItemResponse(item: CatalogItem): ItemResponse {
  return {
    id: item.id,
    title: item.title,
    brand: item.brand,
    category: item.category,
    price: item.price,
    in_stock: item.inStock,
    attributes: item.attributes,
    updated_at: item.updatedAt,
  };
}
