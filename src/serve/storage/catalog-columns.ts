// Which keys of a catalogue line feed which item fields: the item part of prepare's column mapping
// (`columns` of an items source, src/data/source.ts), so a shop maps its own feed once for both. One column
// or several: several ids are joined with ":", several category columns make a path "A > B", several
// attribute columns one list; a text cell of attributes is split at "|" (prepare's list separator).
// Without a mapping, the default reads seqrank's own catalogue lines (id or item_id, title, brand,
// category, price, attributes, in_stock), which amazon-beauty's items.jsonl is.
import type { z } from "zod";
import { ColumnMapSchema } from "../../data/source.js";
import { SeqrankError } from "../../util/errors.js";
import type { ItemInput } from "./catalogue.js";

export const CatalogColumnsSchema = ColumnMapSchema.pick({
  item: true,
  title: true,
  category: true,
  brand: true,
  price: true,
  attributes: true,
});
export type CatalogColumns = z.infer<typeof CatalogColumnsSchema>;

const DEFAULT_COLUMNS: CatalogColumns = {
  item: "id",
  title: "title",
  category: "category",
  brand: "brand",
  price: "price",
  attributes: "attributes",
};
const LIST_SEPARATOR = "|";

const list = (c: string | string[] | undefined): string[] =>
  c === undefined ? [] : Array.isArray(c) ? c : [c];

/** A cell as text: strings and finite numbers; anything else (absent, null, objects) is null. */
function text(v: unknown): string | null {
  if (typeof v === "string") return v.trim() === "" ? null : v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return null;
}

/** Reads one catalogue line (a parsed JSON object) as an item; `where` ("file:line") names it in errors. */
export function catalogItem(
  row: Record<string, unknown>,
  columns: CatalogColumns | undefined,
  where: string,
): ItemInput {
  const map = columns ?? DEFAULT_COLUMNS;
  const fail = (field: string, what: string) =>
    new SeqrankError("SR_ERR_CATALOG_FILE", `${where}: ${field}: ${what}`);
  // seqrank's own lines may name the id `item_id` (amazon-beauty) as well as `id`.
  const idColumns = columns ? list(map.item) : [row.id === undefined ? "item_id" : "id"];
  if (idColumns.length === 0) throw fail("columns.item", "the mapping names no item column");
  const idParts = idColumns.map((c) => text(row[c]));
  if (idParts.some((p) => p === null))
    throw fail(idColumns.join(", "), `expected the item id (a non-empty string or a number)`);
  const categories = list(map.category)
    .flatMap((c) => (Array.isArray(row[c]) ? (row[c] as unknown[]) : [row[c]]))
    .map(text)
    .filter((p): p is string => p !== null);
  const price = priceOf(row, map.price, fail);
  return {
    id: idParts.join(":"),
    title: map.title === undefined ? null : text(row[map.title]),
    brand: map.brand === undefined ? null : text(row[map.brand]),
    category: categories.length > 0 ? categories.join(" > ") : null,
    price,
    inStock: row.in_stock !== false,
    attributes: list(map.attributes).flatMap((c) => attributesOf(row[c])),
  };
}

function priceOf(
  row: Record<string, unknown>,
  column: string | undefined,
  fail: (field: string, what: string) => SeqrankError,
): number | null {
  if (column === undefined) return null;
  const v = row[column];
  if (v === undefined || v === null || v === "") return null;
  const n = typeof v === "number" ? v : typeof v === "string" ? Number(v.trim()) : Number.NaN;
  if (!Number.isFinite(n) || n < 0)
    throw fail(column, `expected a price (a number ≥ 0), got ${JSON.stringify(v)}`);
  return n;
}

function attributesOf(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(text).filter((a): a is string => a !== null);
  const t = text(v);
  return t === null
    ? []
    : t
        .split(LIST_SEPARATOR)
        .map((a) => a.trim())
        .filter(Boolean);
}
