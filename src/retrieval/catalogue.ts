// The serving view of the catalogue: raw item ids ⇄ dense ids (the dataset's ids first, new items get the
// next free id; ids never change while the process runs, so co-visitation and popularity survive a model
// swap) and item metadata for business filters and display.
import { z } from "zod";
import { dotAt } from "./item-vectors.js";

export interface ItemMeta {
  /** Raw (external) item id. */
  id: string;
  title?: string;
  /** Category path, "A > B > C". */
  category?: string;
  brand?: string;
  attributes?: string[];
  price?: number;
  /** false = out of stock; missing = in stock. */
  inStock?: boolean;
}

const OneOrMany = z.union([z.string(), z.array(z.string())]);

export const BusinessFiltersSchema = z
  .object({
    /** Category path(s); an item matches its own category and every ancestor (prefix at " > "). */
    category: OneOrMany.optional(),
    priceMin: z.number().optional(),
    priceMax: z.number().optional(),
    /** Only items not marked out of stock. */
    inStock: z.boolean().optional(),
  })
  .default({});
export type BusinessFilters = z.infer<typeof BusinessFiltersSchema>;

const norm = (s: string) => s.trim().toLowerCase();

/** A predicate over item metadata; items without a price fail any price bound. */
export function businessFilter(filters: BusinessFilters): (meta: ItemMeta) => boolean {
  const cats =
    filters.category === undefined
      ? undefined
      : (Array.isArray(filters.category) ? filters.category : [filters.category]).map(norm);
  return (meta) => {
    if (filters.inStock && meta.inStock === false) return false;
    if (filters.priceMin !== undefined || filters.priceMax !== undefined) {
      if (meta.price === undefined) return false;
      if (filters.priceMin !== undefined && meta.price < filters.priceMin) return false;
      if (filters.priceMax !== undefined && meta.price > filters.priceMax) return false;
    }
    if (cats) {
      const c = norm(meta.category ?? "");
      if (!cats.some((want) => c === want || c.startsWith(`${want} > `))) return false;
    }
    return true;
  };
}

export class ItemCatalogue {
  private readonly dense = new Map<string, number>();
  private readonly metas: Array<ItemMeta | undefined> = [undefined];
  /** Dense id of a raw id, registering it if new. */
  upsert(meta: ItemMeta): number {
    let id = this.dense.get(meta.id);
    if (id === undefined) {
      id = this.metas.length;
      this.dense.set(meta.id, id);
      this.metas.push(meta);
    } else this.metas[id] = meta;
    return id;
  }

  /** Marks an item deleted (its dense id stays reserved so the model's rows keep their meaning). */
  remove(rawId: string): number | undefined {
    const id = this.dense.get(rawId);
    if (id !== undefined) this.metas[id] = undefined;
    return id;
  }

  denseId(rawId: string): number | undefined {
    const id = this.dense.get(rawId);
    return id !== undefined && this.metas[id] ? id : undefined;
  }

  meta(id: number): ItemMeta | undefined {
    return this.metas[id];
  }

  /** Highest dense id handed out. */
  get maxId(): number {
    return this.metas.length - 1;
  }
}

export function dot(a: Float32Array, b: Float32Array): number {
  return dotAt(a, 0, b);
}

export function cosine(a: Float32Array, b: Float32Array): number {
  const d = Math.sqrt(dot(a, a) * dot(b, b));
  return d > 0 ? dot(a, b) / d : 0;
}
