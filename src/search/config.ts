import { z } from "zod";
import { TokenizerConfigSchema } from "./tokenizers/index.js";

/** The text fields every document is indexed under, in this fixed order (field index = position). */
export const SEARCH_FIELDS = ["title", "brand", "category", "attributes"] as const;
export type SearchField = (typeof SEARCH_FIELDS)[number];
export const FIELD_COUNT = SEARCH_FIELDS.length;

export const SearchIndexConfigSchema = z
  .strictObject({
    /** BM25 term-frequency saturation. */
    k1: z.number().positive().default(1.2),
    /** BM25 length normalisation (0 = none, 1 = full), applied per field against that field's average length. */
    b: z.number().min(0).max(1).default(0.75),
    /** BM25F field weights: a field's term frequency counts this many times before saturation. */
    boosts: z
      .object({
        title: z.number().nonnegative().default(1.5),
        brand: z.number().nonnegative().default(2),
        category: z.number().nonnegative().default(1),
        attributes: z.number().nonnegative().default(0.75),
      })
      .default({}),
    tokenizer: TokenizerConfigSchema,
  })
  .default({});
export type SearchIndexConfig = z.infer<typeof SearchIndexConfigSchema>;
export type SearchIndexConfigInput = z.input<typeof SearchIndexConfigSchema>;

/** One product. Only `id` is required; missing text fields are simply empty. */
export interface SearchDocument {
  id: string;
  title?: string | null;
  brand?: string | null;
  /** A category path such as "Makeup > Face > Foundation"; the category filter matches any ancestor. */
  category?: string | null;
  attributes?: readonly string[] | null;
  price?: number | null;
}
