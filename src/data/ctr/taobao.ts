// Taobao UserBehavior as a two-task CTR set: one row per (user, item) pair, labelled cart and buy (whether
// the user ever added that item to the cart / bought it). Inputs are what was known when the pair first
// appeared: the user's page views (pv) before that moment as item and category histories, the item and its
// category, the hour and weekday (Beijing time) and the number of earlier page views.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { parseConfig } from "../../util/config-issues.js";
import { SeqrankError } from "../../util/errors.js";
import type { IngestSpecInput } from "../source.js";
import { assertRawData, Interner, type RawCtrData, randomSplit } from "./ctr-data.js";

export const TaobaoCtrOptionsSchema = z.strictObject({
  seed: z.number().int().default(2024),
  historyLen: z.number().int().min(1).default(30),
});
export type TaobaoCtrOptions = z.infer<typeof TaobaoCtrOptionsSchema>;

interface Event {
  item: string;
  category: string;
  type: string;
  ts: number;
}

const BEIJING = 8 * 3600;

/** `dir` is the taobao-userbehavior-sample folder (user_behavior.csv). */
export function readTaobaoCtr(dir: string, options: Partial<TaobaoCtrOptions> = {}): RawCtrData {
  const opts = parseConfig(TaobaoCtrOptionsSchema, options, "taobao CTR options");
  const path = join(dir, "user_behavior.csv");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new SeqrankError("SR_ERR_CTR_DATA", `cannot read ${path}: ${(e as Error).message}`);
  }
  const byUser = new Map<string, Event[]>();
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const [u, item, category, type, ts] = line.split(",");
    let list = byUser.get(u);
    if (!list) {
      list = [];
      byUser.set(u, list);
    }
    list.push({ item, category, type, ts: Number(ts) });
  }
  const users = new Interner();
  const items = new Interner();
  const categoryOf: string[] = [];
  const user: number[] = [];
  const item: number[] = [];
  const cart: number[] = [];
  const buy: number[] = [];
  const hour: string[] = [];
  const weekday: string[] = [];
  const pvBefore: number[] = [];
  const histItems: string[][] = [];
  const histCats: string[][] = [];
  for (const [u, events] of byUser) {
    events.sort((a, b) => a.ts - b.ts); // stable: source order among equal timestamps
    const uid = users.id(u);
    const rowOf = new Map<string, number>();
    const pv: Event[] = [];
    for (const e of events) {
      let r = rowOf.get(e.item);
      if (r === undefined) {
        r = user.length;
        rowOf.set(e.item, r);
        const iid = items.id(e.item);
        categoryOf[iid] = e.category;
        user.push(uid);
        item.push(iid);
        cart.push(0);
        buy.push(0);
        const local = e.ts + BEIJING;
        hour.push(String(Math.floor(local / 3600) % 24));
        weekday.push(String((Math.floor(local / 86400) + 4) % 7)); // 1970-01-01 was a Thursday
        pvBefore.push(pv.length);
        const recent = pv.slice(-opts.historyLen).reverse(); // newest first: the cut keeps the latest
        histItems.push(recent.map((p) => p.item));
        histCats.push(recent.map((p) => p.category));
      }
      if (e.type === "cart") cart[r] = 1;
      if (e.type === "buy") buy[r] = 1;
      if (e.type === "pv") pv.push(e);
    }
  }
  const data: RawCtrData = {
    name: "taobao-userbehavior-sample",
    user: Int32Array.from(user),
    item: Int32Array.from(item),
    nUsers: users.size,
    nItems: items.size,
    labels: { cart: Uint8Array.from(cart), buy: Uint8Array.from(buy) },
    split: randomSplit(user.length, opts.seed),
    columns: [
      { name: "user_id", kind: "categorical", key: "user", group: "user", values: users.keys },
      // Most items occur in one row: only items seen twice in training get their own id (minCount).
      { name: "item_id", kind: "categorical", key: "item", group: "item", minCount: 2, values: items.keys },
      { name: "category", kind: "categorical", key: "item", group: "item", values: categoryOf },
      { name: "hour", kind: "categorical", key: "row", group: "context", values: hour },
      { name: "weekday", kind: "categorical", key: "row", group: "context", values: weekday },
      {
        name: "pv_before",
        kind: "numeric",
        key: "row",
        group: "context",
        transform: "log-standardize",
        values: Float64Array.from(pvBefore),
      },
      {
        name: "hist_items",
        kind: "multi",
        key: "row",
        group: "sequence",
        maxLen: opts.historyLen,
        vocabOf: "item_id",
        values: histItems,
      },
      {
        name: "hist_categories",
        kind: "multi",
        key: "row",
        group: "sequence",
        maxLen: opts.historyLen,
        vocabOf: "category",
        values: histCats,
      },
    ],
  };
  assertRawData(data);
  return data;
}

/**
 * The same table as a prepare config over the taobao-userbehavior-sample folder `dir`: read, cleaned and
 * quarantined by the DuckDB stage like any shop's log, built by build-ctr.ts.
 */
export function taobaoCtrSpec(dir: string, options: Partial<TaobaoCtrOptions> = {}): IngestSpecInput {
  const opts = parseConfig(TaobaoCtrOptionsSchema, options, "taobao CTR options");
  const pv = { events: ["pv"], length: opts.historyLen };
  return {
    name: "taobao-userbehavior-sample",
    baseDir: dir,
    events: [
      {
        path: "user_behavior.csv",
        header: false,
        columnNames: ["user_id", "item_id", "category_id", "behavior_type", "timestamp"],
        columns: {
          user: "user_id",
          item: "item_id",
          event: "behavior_type",
          timestamp: "timestamp",
          category: "category_id",
        },
        timestampFormat: "unix",
      },
    ],
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
