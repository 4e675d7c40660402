// Issue #13 item 1: every score in every response is finite, by construction. A property test: seeded random
// event streams with adversarial times (both ends of the accepted range, equal times, backdated, far past
// and far future, huge bursts on one item, unknown items) go through the real app (Beauty data, a vector
// model); after each round, recommendations (with explanations and diversity), similar items and search
// answer with finite numbers and never a 5xx.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { FastifyInstance } from "fastify";
import {
  blendRanker,
  type Candidate,
  CoVisitation,
  ItemCatalogue,
  PipelineConfigSchema,
  Popularity,
  type Ranker,
  recommend,
} from "../../src/retrieval/index.js";
import { recommender } from "../../src/serve/plugins/recommender.js";
import { preparedDataset } from "../helpers/prepared.js";
import { datasetsDir, testApp, WRITE } from "../serve/helpers.js";
import { vectorModel } from "../serve/vector-model.js";

const SEED = 13;
const ROUNDS = 12;
const DAY_MS = 86_400_000;
const MIN_TS = Date.UTC(2000, 0, 1);

/** mulberry32: a small seeded generator, so a failure replays exactly. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let app: FastifyInstance;
before(async () => {
  app = await testApp(
    {
      dataDir: preparedDataset("amazon-beauty"),
      catalogFile: join(datasetsDir, "amazon-beauty", "items.jsonl"),
    },
    { plugins: [recommender({ model: vectorModel("v1") })] },
  );
});
after(() => app.close());

/** Every number anywhere in a JSON value, and every score or weight whatever it holds (Infinity → null). */
function numbers(value: unknown, path = "$", out: Array<[string, unknown]> = []): Array<[string, unknown]> {
  if (typeof value === "number" || /\.(score|weight)$/.test(path)) out.push([path, value]);
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) numbers(v, `${path}[${i}]`, out);
  else if (typeof value === "object" && value !== null)
    for (const [k, v] of Object.entries(value)) numbers(v, `${path}.${k}`, out);
  return out;
}

test(`random event streams with adversarial times never make a score non-finite nor a 5xx (seed ${SEED})`, async () => {
  const rand = random(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const int = (n: number) => Math.floor(rand() * n);
  const item = () => (rand() < 0.1 ? `unknown-${int(1e6)}` : String(1 + int(12_101)));
  const users = Array.from({ length: 30 }, (_, i) => (i < 15 ? String(1 + i) : `new-${i}`));
  // Times the service must accept (it is "now" on the server a few ms later) and times it must refuse.
  const acceptedTime = (now: number): number =>
    pick([
      () => MIN_TS,
      () => MIN_TS + int(1000),
      () => now + DAY_MS - 60_000,
      () => now,
      () => now - int(10 * 365) * DAY_MS,
      () => now - int(3600_000),
    ])();
  const refusedTime = (now: number): number | string =>
    pick([
      () => now + 3 * 365 * DAY_MS,
      () => now + 100 * DAY_MS,
      () => 1e300,
      () => MIN_TS - 1,
      () => -now,
      () => "1960-01-01T00:00:00Z",
      () => "275760-09-13T00:00:00Z",
    ])();
  const reads: string[] = [];
  let writes = 0;
  let refused = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const now = Date.now();
    const burstAt = acceptedTime(now);
    const burstItem = item();
    const events = Array.from({ length: 200 }, () => {
      const r = rand();
      if (r < 0.3) return { user_id: pick(users), item_id: burstItem, ts: burstAt }; // a burst at one time
      return { user_id: pick(users), item_id: item(), ts: acceptedTime(now), type: pick(["view", "click"]) };
    });
    const res = await app.inject({ method: "POST", url: "/v1/events", headers: WRITE, payload: { events } });
    assert.equal(res.statusCode, 200, `round ${round}: ${res.body}`);
    writes += events.length;
    for (let i = 0; i < 5; i++) {
      const bad = await app.inject({
        method: "POST",
        url: "/v1/events",
        headers: WRITE,
        payload: { user_id: pick(users), item_id: item(), ts: refusedTime(Date.now()) },
      });
      assert.equal(bad.statusCode, 400, `round ${round}: ${bad.body}`);
      refused++;
    }
    const diversity = pick([0, 0.2, 0.7, 1]);
    const urls = [
      ...Array.from(
        { length: 4 },
        () => `/v1/users/${pick(users)}/recommendations?explain=true&diversity=${diversity}`,
      ),
      `/v1/users/${pick(users)}/recommendations?exclude_seen=false&k=50`,
      `/v1/items/${burstItem}/similar?explain=true`,
      `/v1/items/${String(1 + int(12_101))}/similar?diversity=${diversity}`,
      `/v1/search?q=${pick(["shampoo", "nail polish", "red", "cream"])}&user=${pick(users)}&personal=2`,
    ];
    for (const url of urls) {
      const read = await app.inject({ method: "GET", url, headers: WRITE });
      assert.ok(read.statusCode === 200 || read.statusCode === 404, `round ${round} ${url}: ${read.body}`);
      if (read.statusCode === 404) continue; // similar items of an unknown item
      for (const [path, n] of numbers(read.json()))
        assert.ok(Number.isFinite(n), `round ${round} ${url}: ${path} = ${n}`);
      reads.push(url);
    }
  }
  assert.ok(writes === ROUNDS * 200 && refused === ROUNDS * 5 && reads.length >= ROUNDS * 6);
});

test("the blend ranker is finite for any inner products; a ranker's non-finite score is an error, not a response", () => {
  const candidate = (dot: number): Candidate => ({
    item: 1,
    dot,
    sources: { ann: 1, covis: 0.5, popular: 0, trending: 1 },
  });
  const dots = [Number.POSITIVE_INFINITY, -1e308, 1e308, Number.NaN, 1, Number.NEGATIVE_INFINITY];
  const scores = blendRanker().score(dots.map(candidate), { history: new Int32Array() });
  assert.ok(scores.every(Number.isFinite), String(scores));
  assert.ok(scores[2] > scores[4] && scores[4] > scores[1], "finite extremes still order");

  const catalogue = new ItemCatalogue();
  for (const id of ["a", "b", "c"]) catalogue.upsert({ id });
  const popularity = new Popularity(3, { refreshMs: 0 });
  for (let i = 1; i <= 3; i++) popularity.add(i, Date.now() / 1000);
  const broken: Ranker = { name: "learned-v0", score: (cs) => Float32Array.from(cs, () => Number.NaN) };
  const state = (ranker: Ranker) => ({
    catalogue,
    covis: new CoVisitation(),
    popularity,
    ranker,
    config: PipelineConfigSchema.parse({}),
  });
  assert.ok(
    recommend(state(blendRanker()), new Int32Array(), undefined).items.every((r) => Number.isFinite(r.score)),
  );
  assert.throws(
    () => recommend(state(broken), new Int32Array(), undefined),
    (err: Error & { code?: string }) => err.code === "SR_ERR_RANKER" && /learned-v0/.test(err.message),
  );
});
