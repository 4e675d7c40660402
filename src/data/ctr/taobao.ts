// Taobao UserBehavior as a two-task CTR set, as a prepare config (read, cleaned and quarantined by the DuckDB
// stage like any shop's log; built by build-ctr.ts): one row per (user, item) pair, labelled cart and buy
// (whether the user ever added that item to the cart / bought it). Inputs are what was known when the pair
// first appeared: the user's page views (pv) before that moment as item and category histories, the item and
// its category, the hour and weekday (Beijing time) and the number of earlier page views.
import { z } from "zod";
import { parseConfig } from "../../util/config-issues.js";
import { taobaoEvents } from "../presets.js";
import type { IngestSpecInput } from "../source.js";

export const TaobaoCtrOptionsSchema = z.strictObject({
  seed: z.number().int().default(2024),
  historyLen: z.number().int().min(1).default(30),
});
export type TaobaoCtrOptions = z.infer<typeof TaobaoCtrOptionsSchema>;

/** The prepare config over the taobao-userbehavior-sample folder `dir` (user_behavior.csv). */
export function taobaoCtrSpec(dir: string, options: Partial<TaobaoCtrOptions> = {}): IngestSpecInput {
  const opts = parseConfig(TaobaoCtrOptionsSchema, options, "taobao CTR options");
  const pv = { events: ["pv"], length: opts.historyLen };
  return {
    name: "taobao-userbehavior-sample",
    baseDir: dir,
    events: [taobaoEvents("")],
    cleaning: { eventTypes: ["pv", "fav", "cart", "buy"], burstWindowSeconds: 0, bots: { enabled: false } },
    ctr: {
      rows: "pairs",
      labels: { cart: { from: "event", positive: ["cart"] }, buy: { from: "event", positive: ["buy"] } },
      split: { kind: "random", seed: opts.seed, ratios: [8, 1, 1] },
      utcOffsetHours: 8,
      features: [
        { name: "user_id", of: "user", from: "id" },
        // Most items occur in one row: only items seen twice in training get their own id.
        { name: "item_id", of: "item", from: "id", minCount: 2 },
        { name: "category", of: "item" },
        { name: "hour", of: "row" },
        { name: "weekday", of: "row" },
        { name: "pv_before", of: "row", from: "events_before", events: ["pv"], transform: "log-standardize" },
      ],
      history: [
        { kind: "before", name: "hist_items", field: "item", ...pv },
        { kind: "before", name: "hist_categories", field: "category", ...pv },
      ],
    },
  };
}
