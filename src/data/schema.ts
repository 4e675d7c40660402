// The records the ingest stage produces: one zod schema per DuckDB table it leaves behind (`events`,
// `items`, `users`). The column-mapping config (source.ts) maps raw file columns onto these fields.
import { z } from "zod";

/** One row of `events`: a user did something to an item, at `ts` (unix seconds) if the source has times. */
export const EventRowSchema = z.object({
  user_id: z.string().min(1),
  item_id: z.string().min(1),
  event_type: z.string().min(1),
  ts: z.number().int().nullable(),
  /** Global source order; breaks ties between equal timestamps. */
  ord: z.number().int().nonnegative(),
  session_id: z.string().nullable(),
  src_file: z.string(),
  src_line: z.number().int().positive(),
});
export type EventRow = z.infer<typeof EventRowSchema>;

/** One row of `items`: every item that occurs in an event or in a catalog file. */
export const ItemRowSchema = z.object({
  item_id: z.string().min(1),
  title: z.string().nullable(),
  /** Category path, levels joined by " > ". */
  category: z.string().nullable(),
  brand: z.string().nullable(),
  price: z.number().nonnegative().nullable(),
  /** Free attribute values or ids; empty when the item has none. */
  attributes: z.array(z.string()),
});
export type ItemRow = z.infer<typeof ItemRowSchema>;

/** One row of `users`: every user that occurs in an event or in a profile file; `profile` holds any columns. */
export const UserRowSchema = z.object({
  user_id: z.string().min(1),
  profile: z.record(z.unknown()),
});
export type UserRow = z.infer<typeof UserRowSchema>;

/** Separator of category-path levels in `items.category`. */
export const CATEGORY_SEPARATOR = " > ";
