import { z } from "zod";

const OneOrMany = z.union([z.string(), z.array(z.string())]);

export const SearchFiltersSchema = z
  .object({
    /** Category path(s); a document matches if its category is one of them or below one (path prefix at " > "). */
    category: OneOrMany.optional(),
    /** Brand name(s), exact after trimming and lowercasing. */
    brand: OneOrMany.optional(),
    /** Inclusive price range; documents without a price fail any price bound. */
    priceMin: z.number().optional(),
    priceMax: z.number().optional(),
  })
  .default({});
export type SearchFilters = z.infer<typeof SearchFiltersSchema>;

export const SearchOptionsSchema = z
  .object({
    limit: z.number().int().positive().max(10_000).default(10),
    /** Treat the last query token as a prefix (as-you-type), unless the query ends with whitespace. */
    prefix: z.boolean().default(true),
    /** Also match terms within edit distance 1 (tokens of ≥ 5 characters) or 2 (≥ 9 characters). */
    typo: z.boolean().default(true),
    /** Most completions of the last token kept (the most frequent ones). */
    maxPrefixExpansions: z.number().int().nonnegative().default(20),
    /** Most typo variants kept per token (fewest edits first, then most frequent). */
    maxTypoExpansions: z.number().int().nonnegative().default(10),
    /** Score weight of a completion and of 1- and 2-edit variants, relative to an exact match (1). */
    prefixWeight: z.number().min(0).max(1).default(0.8),
    typoWeights: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).default([0.6, 0.4]),
    filters: SearchFiltersSchema,
    /** Score every matching document instead of Block-Max WAND pruning (same results; for tests and benchmarks). */
    exhaustive: z.boolean().default(false),
  })
  .default({});
export type SearchOptions = z.infer<typeof SearchOptionsSchema>;
export type SearchOptionsInput = z.input<typeof SearchOptionsSchema>;
