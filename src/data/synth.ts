// Seeded generator of synthetic e-commerce logs, for scale and load tests only (never for accuracy
// numbers). The model, in short:
//   - a category tree (department > group > leaf); leaf sizes follow a Zipf law;
//   - item popularity is Zipf(zipfExponent) over a random permutation of the items, and a session
//     picks its leaf in proportion to the leaf's total popularity, so item view counts stay Zipf-like;
//   - users have 1–3 favourite leaves, sessions of geometric length separated by hours or days,
//     views 5–600 s apart within a session (so a 30-minute gap recovers the sessions);
//   - funnel: a view adds to cart with probability cartRate, a cart is bought with probability buyRate;
//   - a share of users are bots: thousands of views 1–3 s apart over uniformly random items, no carts.
// Events are emitted user by user (like Taobao's UserBehavior file), chronological within a user.
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import { parseConfig } from "../util/config-issues.js";

export const SynthOptionsSchema = z.strictObject({
  seed: z.number().int().default(1),
  /** Exact number of events to emit. */
  events: z.number().int().positive(),
  /** Catalogue size; default one item per 20 events (at least 100). */
  items: z.number().int().positive().optional(),
  /** Number of leaf categories. */
  categories: z.number().int().positive().default(200),
  /** Mean events of a (non-bot) user. */
  meanEventsPerUser: z.number().positive().default(40),
  zipfExponent: z.number().positive().default(1.1),
  cartRate: z.number().min(0).max(1).default(0.1),
  buyRate: z.number().min(0).max(1).default(0.35),
  /** Share of users that are bots. */
  botShare: z.number().min(0).max(1).default(0.001),
  /** First timestamp (unix seconds) and the span users start in. */
  start: z
    .number()
    .int()
    .default(Date.UTC(2024, 0, 1) / 1000),
  days: z.number().positive().default(30),
});
export type SynthOptions = z.input<typeof SynthOptionsSchema>;

export type SynthEventType = "view" | "cart" | "buy";

export interface SynthEvent {
  user: string;
  item: string;
  type: SynthEventType;
  ts: number;
}

export interface SynthItem {
  id: string;
  title: string;
  category: string;
  brand: string;
  price: number;
  attributes: string[];
}

/** sfc32 seeded through splitmix32: fast, 128-bit state, good enough for simulation. */
export function createRng(seed: number): () => number {
  let s = seed >>> 0;
  const splitmix = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  return () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
}

/** Index drawn from a cumulative weight table (binary search). */
function drawFrom(cdf: Float64Array, rand: () => number, from = 0, to = cdf.length): number {
  const lo0 = from === 0 ? 0 : cdf[from - 1];
  const x = lo0 + rand() * (cdf[to - 1] - lo0);
  let lo = from;
  let hi = to - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const geometric = (mean: number, rand: () => number) =>
  1 + Math.floor(Math.log(1 - rand()) / Math.log(1 - 1 / mean));
const between = (lo: number, hi: number, rand: () => number) => lo + Math.floor(rand() * (hi - lo + 1));

const DEPARTMENTS = [
  "Beauty",
  "Electronics",
  "Home",
  "Sports",
  "Toys",
  "Fashion",
  "Grocery",
  "Garden",
  "Books",
  "Auto",
];
const NOUNS = [
  "Cream",
  "Cable",
  "Lamp",
  "Shoe",
  "Puzzle",
  "Jacket",
  "Tea",
  "Hose",
  "Novel",
  "Wiper",
  "Brush",
  "Case",
];
const ADJECTIVES = [
  "Ultra",
  "Soft",
  "Classic",
  "Pro",
  "Mini",
  "Organic",
  "Smart",
  "Deluxe",
  "Eco",
  "Travel",
  "Max",
];
const COLOURS = ["Black", "White", "Red", "Blue", "Green", "Rose", "Silver", "Natural"];

export interface SynthCatalog {
  items: SynthItem[];
  /** Cumulative popularity per item in catalogue order, grouped by leaf: leaf l owns [leafStart[l], leafStart[l+1]). */
  cdf: Float64Array;
  leafStart: Int32Array;
  /** Cumulative leaf popularity (sum of its items' weights). */
  leafCdf: Float64Array;
}

export function synthCatalog(opts: z.output<typeof SynthOptionsSchema>, rand: () => number): SynthCatalog {
  const nItems = opts.items ?? Math.max(100, Math.round(opts.events / 20));
  const nLeaves = Math.min(opts.categories, nItems);
  // Leaf sizes ~ Zipf(1): draw each item's leaf from that law, then group items by leaf.
  const leafWeight = new Float64Array(nLeaves);
  for (let l = 0; l < nLeaves; l++) leafWeight[l] = (l === 0 ? 0 : leafWeight[l - 1]) + 1 / (l + 1);
  // The first nLeaves items seed one leaf each, so no leaf is empty.
  const leafOf = Int32Array.from({ length: nItems }, (_, i) =>
    i < nLeaves ? i : drawFrom(leafWeight, rand),
  );
  const order = Int32Array.from({ length: nItems }, (_, i) => i).sort(
    (x, y) => leafOf[x] - leafOf[y] || x - y,
  );
  // Popularity rank: a random permutation, so neither ids nor leaves encode popularity.
  const rank = Int32Array.from({ length: nItems }, (_, i) => i);
  for (let i = nItems - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [rank[i], rank[j]] = [rank[j], rank[i]];
  }
  const leafName = (l: number) =>
    `${DEPARTMENTS[l % DEPARTMENTS.length]} > ${NOUNS[Math.floor(l / DEPARTMENTS.length) % NOUNS.length]}s > Line ${l}`;
  const items: SynthItem[] = [];
  const cdf = new Float64Array(nItems);
  const leafStart = new Int32Array(nLeaves + 1);
  const leafCdf = new Float64Array(nLeaves);
  const leafBasePrice = Float64Array.from({ length: nLeaves }, () => Math.exp(2 + 2 * rand()));
  let total = 0;
  for (let k = 0; k < nItems; k++) {
    const i = order[k];
    const leaf = leafOf[i];
    leafStart[leaf + 1] = k + 1;
    total += 1 / (rank[i] + 1) ** opts.zipfExponent;
    cdf[k] = total;
    leafCdf[leaf] = total;
    const brand = `Brand${leaf % 50}-${Math.floor(rand() * 8)}`;
    const noun = NOUNS[Math.floor(leaf / DEPARTMENTS.length) % NOUNS.length];
    const colour = COLOURS[Math.floor(rand() * COLOURS.length)];
    const size = `${between(1, 20, rand) * 50}ml`;
    items.push({
      id: `I${(i + 1).toString(36).padStart(5, "0")}`,
      title: `${brand} ${ADJECTIVES[Math.floor(rand() * ADJECTIVES.length)]} ${noun} ${colour} ${size}`,
      category: leafName(leaf),
      brand,
      price: Math.round(leafBasePrice[leaf] * Math.exp(0.6 * (rand() - 0.5)) * 100) / 100,
      attributes: [colour, size],
    });
  }
  return { items, cdf, leafStart, leafCdf };
}

/**
 * Generates the events, calling `emit` for each (chronological within a user, users in sequence).
 * Returns the ids of the bot users (ground truth for tests; not part of the written logs).
 */
export function synthEvents(
  opts: z.output<typeof SynthOptionsSchema>,
  catalog: SynthCatalog,
  rand: () => number,
  emit: (e: SynthEvent) => void,
): { users: number; bots: string[] } {
  const { items, cdf, leafStart, leafCdf } = catalog;
  const bots: string[] = [];
  let remaining = opts.events;
  let users = 0;
  const out = (user: string, item: number, type: SynthEventType, ts: number) => {
    if (remaining <= 0) return false;
    emit({ user, item: items[item].id, type, ts });
    remaining--;
    return true;
  };
  while (remaining > 0) {
    users++;
    const user = `U${users.toString(36).padStart(6, "0")}`;
    let ts = opts.start + Math.floor(rand() * opts.days * 86400);
    if (rand() < opts.botShare) {
      bots.push(user);
      for (let n = between(1000, 5000, rand); n > 0; n--) {
        if (!out(user, Math.floor(rand() * items.length), "view", ts)) break;
        ts += between(1, 3, rand);
      }
      continue;
    }
    const favourites = Array.from({ length: between(1, 3, rand) }, () => drawFrom(leafCdf, rand));
    let budget = geometric(opts.meanEventsPerUser, rand);
    while (budget > 0 && remaining > 0) {
      const leaf =
        rand() < 0.8 ? favourites[Math.floor(rand() * favourites.length)] : drawFrom(leafCdf, rand);
      const [from, to] = [leafStart[leaf], leafStart[leaf + 1]];
      for (let views = geometric(6, rand); views > 0 && budget > 0; views--) {
        const item = rand() < 0.85 ? drawFrom(cdf, rand, from, to) : drawFrom(cdf, rand);
        if (!out(user, item, "view", ts)) break;
        budget--;
        let t = ts;
        if (rand() < opts.cartRate) {
          t += between(5, 120, rand);
          if (!out(user, item, "cart", t)) break;
          budget--;
          if (rand() < opts.buyRate) {
            t += between(30, 600, rand);
            if (!out(user, item, "buy", t)) break;
            budget--;
          }
        }
        ts = t + between(5, 600, rand);
      }
      ts += 3600 + Math.floor(-Math.log(1 - rand()) * 86400); // next session: ≥ 1 h later
    }
  }
  return { users, bots };
}

export interface SynthFiles {
  /** events.csv: user_id,item_id,event_type,timestamp (unix seconds). */
  events: string;
  /** catalog.csv: item_id,title,category,brand,price,attributes ("|"-separated). */
  catalog: string;
  /** Column-mapping config for `seqrank prepare --config` (the ingest spec, source.ts). */
  config: string;
  counts: {
    events: number;
    users: number;
    items: number;
    bots: number;
    byType: Record<SynthEventType, number>;
  };
  /** Ground truth for tests: the bot users (not written to the logs). */
  bots: string[];
}

/** Writes events.csv, catalog.csv and prepare-config.json into `dir`. No value contains a comma or quote. */
export function writeSynth(dir: string, options: SynthOptions): SynthFiles {
  const opts = parseConfig(SynthOptionsSchema, options, "synthetic data options");
  mkdirSync(dir, { recursive: true });
  const rand = createRng(opts.seed);
  const catalog = synthCatalog(opts, rand);
  const catalogPath = join(dir, "catalog.csv");
  writeLines(catalogPath, "item_id,title,category,brand,price,attributes", (push) => {
    for (const it of catalog.items) {
      push(`${it.id},${it.title},${it.category},${it.brand},${it.price},${it.attributes.join("|")}`);
    }
  });
  const eventsPath = join(dir, "events.csv");
  const byType: Record<SynthEventType, number> = { view: 0, cart: 0, buy: 0 };
  let result: { users: number; bots: string[] } = { users: 0, bots: [] };
  writeLines(eventsPath, "user_id,item_id,event_type,timestamp", (push) => {
    result = synthEvents(opts, catalog, rand, (e) => {
      byType[e.type]++;
      push(`${e.user},${e.item},${e.type},${e.ts}`);
    });
  });
  const configPath = join(dir, "prepare-config.json");
  const config = {
    name: `synth-${opts.events}`,
    baseDir: resolve(dir),
    events: [
      {
        path: "events.csv",
        columns: { user: "user_id", item: "item_id", event: "event_type", timestamp: "timestamp" },
        timestampFormat: "unix",
      },
    ],
    items: [
      {
        path: "catalog.csv",
        columns: {
          item: "item_id",
          title: "title",
          category: "category",
          brand: "brand",
          price: "price",
          attributes: "attributes",
        },
        listSeparator: "|",
      },
    ],
    // Train on the whole funnel, evaluate on purchases.
    build: { kCore: { users: 5, items: 5 }, eventTypes: { train: ["view", "cart", "buy"], eval: ["buy"] } },
  };
  writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
  return {
    events: eventsPath,
    catalog: catalogPath,
    config: configPath,
    counts: {
      events: opts.events,
      users: result.users,
      items: catalog.items.length,
      bots: result.bots.length,
      byType,
    },
    bots: result.bots,
  };
}

/** Buffered line writer: lines are flushed in ~1 MB blocks. */
function writeLines(path: string, header: string, body: (push: (line: string) => void) => void): void {
  const fd = openSync(path, "w");
  let buffer = `${header}\n`;
  try {
    body((line) => {
      buffer += `${line}\n`;
      if (buffer.length > 1 << 20) {
        writeSync(fd, buffer);
        buffer = "";
      }
    });
    writeSync(fd, buffer);
  } finally {
    closeSync(fd);
  }
}
