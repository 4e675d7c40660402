// The ingest stage's output tables, built from the kept staged rows (see docs in schema.ts):
// `events` sorted per user chronologically with file order breaking ties, `items` and `users` covering
// every id that occurs in an event or a catalog file.
import type { DuckDBConnection } from "@duckdb/node-api";
import { stageTable } from "./stage.js";

const KEPT_EVENTS = `${stageTable("events")} WHERE rule IS NULL`;

/** `ord` is the staged row's rowid: its global source order (see stage.ts). `label` is the raw CTR label and
 *  `category` the category the event was logged with (NULL when the source maps none). */
export async function createEventsTable(conn: DuckDBConnection): Promise<void> {
  await conn.run(`CREATE OR REPLACE TABLE events AS
    SELECT user_id, item_id, event_type, ts, ord, session_id, file AS src_file, src_line, label, category
    FROM (SELECT *, rowid AS ord FROM ${KEPT_EVENTS}) e
    JOIN sr_sources USING (src)
    ORDER BY user_id, ts NULLS FIRST, ord`);
}

/** Catalog files come first (in spec order); fields they leave empty are taken from the item's first event.
 *  `profile` holds the catalogue columns an items source maps as its profile (CTR item fields). */
export async function createItemsTable(conn: DuckDBConnection): Promise<void> {
  const firstOf = (field: string, nonEmpty = `${field} IS NOT NULL`) =>
    `arg_min(${field}, rowid) FILTER (WHERE ${nonEmpty}) AS ${field}`;
  const fields = [
    firstOf("title"),
    firstOf("category"),
    firstOf("brand"),
    firstOf("price"),
    firstOf("attributes", "len(attributes) > 0"),
  ].join(", ");
  const catalogOnly = firstOf("profile");
  const hasItemField =
    "title IS NOT NULL OR category IS NOT NULL OR brand IS NOT NULL OR price IS NOT NULL OR len(attributes) > 0";
  await conn.run(`CREATE OR REPLACE TABLE items (item_id VARCHAR PRIMARY KEY, title VARCHAR, category VARCHAR,
    brand VARCHAR, price DOUBLE, attributes VARCHAR[] NOT NULL, profile JSON)`);
  await conn.run(`INSERT INTO items
    WITH catalog AS (SELECT item_id, ${fields}, ${catalogOnly} FROM ${stageTable("items")} WHERE rule IS NULL
      GROUP BY item_id),
    seen AS (SELECT item_id, ${fields} FROM ${KEPT_EVENTS} AND (${hasItemField}) GROUP BY item_id),
    ids AS (SELECT DISTINCT item_id FROM ${KEPT_EVENTS} UNION SELECT item_id FROM catalog)
    SELECT item_id, coalesce(c.title, s.title), coalesce(c.category, s.category), coalesce(c.brand, s.brand),
      coalesce(c.price, s.price), coalesce(c.attributes, s.attributes, []), c.profile
    FROM ids LEFT JOIN catalog c USING (item_id) LEFT JOIN seen s USING (item_id)
    ORDER BY item_id`);
}

/** Profiles merge: the first event's profile columns, overridden by each profile file in spec order. */
export async function createUsersTable(conn: DuckDBConnection): Promise<void> {
  await conn.run("CREATE OR REPLACE TABLE users (user_id VARCHAR PRIMARY KEY, profile JSON NOT NULL)");
  await conn.run(`INSERT INTO users
    WITH seen AS (
      SELECT user_id, arg_min(profile, rowid) FILTER (WHERE profile IS NOT NULL) AS profile, -1 AS src
      FROM ${KEPT_EVENTS} GROUP BY user_id),
    listed AS (SELECT user_id, profile, src FROM ${stageTable("users")} WHERE rule IS NULL),
    merged AS (
      SELECT user_id, list(profile ORDER BY src) FILTER (WHERE profile IS NOT NULL) AS profiles
      FROM (SELECT * FROM seen UNION ALL SELECT * FROM listed) GROUP BY user_id)
    SELECT user_id, coalesce(list_reduce(profiles, (a, b) -> json_merge_patch(a, b)), '{}')::JSON
    FROM merged ORDER BY user_id`);
}
