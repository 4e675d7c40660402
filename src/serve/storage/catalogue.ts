// The catalogue: item metadata, kept in the SQLite file.

export interface CatalogItem {
  id: string;
  title: string | null;
  brand: string | null;
  category: string | null;
  price: number | null;
  inStock: boolean;
  attributes: string[];
  /** Unix milliseconds of the last write. */
  updatedAt: number;
}

export type ItemInput = Omit<CatalogItem, "updatedAt">;

export interface Catalogue {
  get(id: string): Promise<CatalogItem | undefined>;
  /** Returns true when the item did not exist before. */
  put(item: ItemInput): Promise<boolean>;
  /** Upserts the items in one transaction; returns how many did not exist before. */
  putMany(items: ItemInput[]): Promise<number>;
  /** Returns true when an item was removed. */
  delete(id: string): Promise<boolean>;
  /** Every item in id order, in pages (for building search and vector indexes). */
  pages(pageSize?: number): AsyncIterable<CatalogItem[]>;
}
