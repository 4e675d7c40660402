import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  createRng,
  type SynthEvent,
  SynthOptionsSchema,
  synthCatalog,
  synthEvents,
  writeSynth,
} from "../../src/data/synth.js";
import { tempDir } from "./build-tables.js";

const out = tempDir("synth");
after(() => out.remove());

function generate(seed: number, events: number) {
  const opts = SynthOptionsSchema.parse({ seed, events });
  const rand = createRng(opts.seed);
  const catalog = synthCatalog(opts, rand);
  const list: SynthEvent[] = [];
  const { bots, users } = synthEvents(opts, catalog, rand, (e) => list.push(e));
  return { opts, catalog, events: list, bots: new Set(bots), users };
}

/** Least-squares slope of log(count) against log(rank) over ranks [from, to]. */
function logLogSlope(sortedCounts: number[], from: number, to: number): number {
  let [sx, sy, sxx, sxy, n] = [0, 0, 0, 0, 0];
  for (let k = from; k <= to; k++) {
    const x = Math.log(k);
    const y = Math.log(sortedCounts[k - 1]);
    [sx, sy, sxx, sxy, n] = [sx + x, sy + y, sxx + x * x, sxy + x * y, n + 1];
  }
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

test("same seed, same bytes; another seed, other data; exact event count", () => {
  const a = writeSynth(join(out.path, "a"), { seed: 11, events: 50_000 });
  const b = writeSynth(join(out.path, "b"), { seed: 11, events: 50_000 });
  const c = writeSynth(join(out.path, "c"), { seed: 12, events: 50_000 });
  for (const file of ["events", "catalog"] as const) {
    assert.ok(readFileSync(a[file]).equals(readFileSync(b[file])), `${file} differs for one seed`);
    assert.ok(!readFileSync(a[file]).equals(readFileSync(c[file])), `${file} equal across seeds`);
  }
  const lines = readFileSync(a.events, "utf8").trim().split("\n");
  assert.equal(lines.length - 1, 50_000);
  assert.equal(lines[0], "user_id,item_id,event_type,timestamp");
  const config = JSON.parse(readFileSync(a.config, "utf8"));
  assert.equal(config.events[0].path, "events.csv");
  assert.deepEqual(config.build.eventTypes.eval, ["buy"]);
});

test("item views are Zipf-like: log-log slope near the exponent, heavy head", () => {
  const g = generate(5, 300_000);
  const views = new Map<string, number>();
  for (const e of g.events)
    if (e.type === "view" && !g.bots.has(e.user)) views.set(e.item, (views.get(e.item) ?? 0) + 1);
  const counts = [...views.values()].sort((x, y) => y - x);
  const slope = logLogSlope(counts, 1, 1000);
  assert.ok(Math.abs(slope + g.opts.zipfExponent) < 0.2, `slope ${slope}`);
  const total = counts.reduce((s, c) => s + c, 0);
  const top1 = counts.slice(0, Math.ceil(g.catalog.items.length / 100)).reduce((s, c) => s + c, 0) / total;
  assert.ok(top1 > 0.4, `top 1% of items get ${top1} of the views`);
});

test("funnel: view > cart > buy with the configured conversion rates; carts and buys follow a view of the item", () => {
  const g = generate(6, 300_000);
  const n = { view: 0, cart: 0, buy: 0 };
  const last = new Map<string, SynthEvent>();
  for (const e of g.events) {
    if (g.bots.has(e.user)) continue;
    n[e.type]++;
    const prev = last.get(e.user);
    if (e.type === "cart") assert.ok(prev?.type === "view" && prev.item === e.item && prev.ts < e.ts);
    if (e.type === "buy") assert.ok(prev?.type === "cart" && prev.item === e.item && prev.ts < e.ts);
    last.set(e.user, e);
  }
  assert.ok(n.view > n.cart && n.cart > n.buy);
  assert.ok(Math.abs(n.cart / n.view - g.opts.cartRate) < 0.01, `cart rate ${n.cart / n.view}`);
  assert.ok(Math.abs(n.buy / n.cart - g.opts.buyRate) < 0.03, `buy rate ${n.buy / n.cart}`);
});

test("bots: a share of users with thousands of rapid views and no purchases; humans pause", () => {
  const g = generate(7, 1_000_000);
  assert.ok(g.bots.size >= 5, `${g.bots.size} bots`);
  assert.ok(Math.abs(g.bots.size / g.users - g.opts.botShare) < 0.001, `bot share ${g.bots.size / g.users}`);
  const byUser = new Map<string, SynthEvent[]>();
  for (const e of g.events) {
    const list = byUser.get(e.user);
    if (list) list.push(e);
    else byUser.set(e.user, [e]);
  }
  let humans = 0;
  for (const [user, list] of byUser) {
    const gaps = list.slice(1).map((e, k) => e.ts - list[k].ts);
    assert.ok(
      gaps.every((gap) => gap >= 0),
      "chronological within a user",
    );
    if (g.bots.has(user)) {
      if (list.length < 1000) continue; // the last user may be cut short by the event budget
      assert.ok(list.every((e) => e.type === "view") && gaps.every((gap) => gap <= 3));
    } else if (list.length > 10) {
      humans++;
      // Sessions: gaps within a session are at most 10 minutes, gaps between sessions at least an hour.
      assert.ok(gaps.every((gap) => gap <= 600 || gap >= 3600));
    }
  }
  assert.ok(humans > 1000);
});
