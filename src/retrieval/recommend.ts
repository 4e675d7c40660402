// The multi-stage recommendation pipeline: candidates (ANN over item vectors with the user vector,
// co-visitation of the recent items, popular, trending) → filters (seen items, deleted items, business
// rules) → ranker → MMR re-ranking → top k, each with the history items that drove it when asked.
import { z } from "zod";
import { SeqrankError } from "../util/errors.js";
import { CandidatePool } from "./candidate-pool.js";
import { BusinessFiltersSchema, businessFilter, cosine, type ItemCatalogue } from "./catalogue.js";
import type { CoVisitation } from "./covisitation.js";
import type { AnnSearch, IndexHits, ItemIndex } from "./item-index.js";
import { ItemScratch } from "./item-scratch.js";
import type { ItemVectors } from "./item-vectors.js";
import { mmr } from "./mmr.js";
import type { Popularity } from "./popularity.js";
import { CANDIDATE_SOURCES, type Candidate, type CandidateSource, type Ranker } from "./ranker.js";
import { unitScale } from "./unit-scale.js";

export const PipelineConfigSchema = z
  .strictObject({
    /** ANN neighbours of the user vector. */
    ann: z.number().int().nonnegative().default(50),
    /** Most recent history items whose co-visitation neighbours are candidates. */
    covisRecent: z.number().int().nonnegative().default(5),
    covisPerItem: z.number().int().nonnegative().default(30),
    /** Weight of the i-th most recent item's neighbours: recency^i. */
    recency: z.number().min(0).max(1).default(0.7),
    popular: z.number().int().nonnegative().default(30),
    trending: z.number().int().nonnegative().default(20),
    /** Ranked candidates MMR chooses from, as a multiple of k. */
    mmrPool: z.number().int().positive().default(3),
    /** History items considered when explaining a recommendation. */
    explainHistory: z.number().int().positive().default(20),
  })
  .default({});
export type PipelineConfig = z.infer<typeof PipelineConfigSchema>;

export const RecommendOptionsSchema = z.object({
  k: z.number().int().min(1).max(200).default(10),
  excludeSeen: z.boolean().default(true),
  explain: z.boolean().default(false),
  /** 0 = pure relevance order, 1 = maximal diversity (MMR λ = 1 − diversity). */
  diversity: z.number().min(0).max(1).default(0.2),
  filters: BusinessFiltersSchema,
  /** Candidate sources to use (all by default). */
  sources: z.array(z.enum(CANDIDATE_SOURCES)).default([...CANDIDATE_SOURCES]),
});
export type RecommendOptions = z.infer<typeof RecommendOptionsSchema>;
export type RecommendOptionsInput = z.input<typeof RecommendOptionsSchema>;

export interface RecommenderState {
  catalogue: ItemCatalogue;
  /** The serving model's item vectors (absent with the popularity fallback). */
  vectors?: ItemVectors;
  /** ANN over the catalogue's vectors; absent when the model has no vectors (popularity fallback). */
  index?: ItemIndex;
  /** Searches `index` through a cache (e.g. the service's ANN hits per user); default: `index` itself. */
  annSearch?: AnnSearch;
  /**
   * A model without vectors that scores histories itself (ItemKNN): its best items for the history are the
   * "ann" candidates (the model's own retrieval) in place of the vector search.
   */
  retrieve?: (history: Int32Array, k: number) => IndexHits;
  /**
   * The model's candidates as a learned re-ranker chose them (its top k unseen items, in retrieval order):
   * then they are the only candidates (source "ann") and `ranker` scores them (scoredRanker).
   */
  ranked?: IndexHits;
  covis: CoVisitation;
  popularity: Popularity;
  ranker: Ranker;
  config: PipelineConfig;
}

export interface Reason {
  /** A history item (dense id). */
  item: number;
  /** similar: close in the model's vector space; co-visited: often seen next to it by other users. */
  kind: "similar" | "co-visited";
  weight: number;
}

export interface Recommendation {
  item: number;
  score: number;
  sources: CandidateSource[];
  because?: Reason[];
}

export interface RecommendResult {
  items: Recommendation[];
  /** Candidates proposed, and left after the filters. */
  candidates: number;
  filtered: number;
}

// Scratch reused by every call: recommend() runs synchronously, one call at a time per thread. Sets and
// typed arrays built per call (from iterators) were most of a request's garbage, i.e. of its GC pauses.
const scratchPool = new CandidatePool();
const covisWeights = new ItemScratch();
const seenItems = new ItemScratch();
let covisScores = new Float64Array(256);

/**
 * Adds `scores` (scaled by the best one) as `source` scores of their items. An item whose score is not a
 * finite number (a damaged model's NaN inner product) is not proposed: it has no score to rank by.
 */
function propose(
  pool: CandidatePool,
  source: CandidateSource,
  items: ArrayLike<number>,
  scores: ArrayLike<number>,
): void {
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) continue;
    hi = Math.max(hi, scores[i]);
    lo = Math.min(lo, scores[i]);
  }
  // ANN inner products can be negative: scale min–max; counts (≥ 0): scale by the max.
  for (let i = 0; i < items.length; i++) {
    if (!Number.isFinite(scores[i])) continue;
    let c = pool.get(items[i]);
    if (!c) {
      c = pool.add(items[i]);
    }
    setSource(c, source, unitScale(scores[i], lo, hi));
  }
}

/** c.sources[source] = value through named stores: a keyed store with a variable key boxed every value. */
function setSource(c: Candidate, source: CandidateSource, value: number): void {
  if (source === "ann") c.sources.ann = value;
  else if (source === "covis") c.sources.covis = value;
  else if (source === "popular") c.sources.popular = value;
  else c.sources.trending = value;
}

/** Co-visitation neighbours of the recent history items, weights summed over the items (recency-weighted). */
function covisCandidates(
  state: RecommenderState,
  history: Int32Array,
  now: number,
): { items: Int32Array; scores: Float64Array } {
  const { covisRecent, covisPerItem, recency } = state.config;
  const acc = covisWeights;
  acc.clear();
  const decay = state.covis.decay(now);
  let w = 1;
  for (let i = history.length - 1; i >= Math.max(0, history.length - covisRecent); i--) {
    const list = state.covis.sortedNeighbours(history[i]);
    for (let j = 0; list && j < Math.min(covisPerItem, list.items.length); j++) {
      const other = list.items[j];
      acc.set(other, acc.get(other) + w * (list.weights[j] * decay));
    }
    w *= recency;
  }
  const items = acc.items;
  if (covisScores.length < items.length) covisScores = new Float64Array(2 * items.length);
  for (let i = 0; i < items.length; i++) covisScores[i] = acc.get(items[i]);
  return { items, scores: covisScores.subarray(0, items.length) };
}

function gatherCandidates(
  state: RecommenderState,
  history: Int32Array,
  userVector: Float32Array | undefined,
  sources: readonly CandidateSource[],
  now: number,
): CandidatePool {
  const pool = scratchPool;
  pool.reset();
  if (state.ranked) {
    for (const item of state.ranked.items) if (!pool.get(item)) pool.add(item).sources.ann = 1;
    return pool;
  }
  const cfg = state.config;
  if (sources.includes("ann") && cfg.ann > 0) {
    if (state.retrieve && history.length > 0) {
      // Room for the history's own items, which the model may rank high and the filters then drop.
      const hits = state.retrieve(history, cfg.ann + history.length);
      propose(pool, "ann", hits.items, hits.scores);
    } else if (userVector && state.index) {
      const hits = (state.annSearch ?? state.index).search(userVector, cfg.ann);
      propose(pool, "ann", hits.items, hits.scores);
    }
  }
  if (sources.includes("covis") && history.length > 0) {
    const covis = covisCandidates(state, history, now);
    propose(pool, "covis", covis.items, covis.scores);
  }
  for (const kind of ["popular", "trending"] as const) {
    if (!sources.includes(kind) || cfg[kind] === 0) continue;
    const top = state.popularity.top(kind);
    const n = Math.min(cfg[kind], top.items.length);
    propose(pool, kind, top.items.subarray(0, n), top.scores.subarray(0, n));
  }
  return pool;
}

/** Indices of the `m` largest scores, best first; ties keep index order (a stable sort's top m, in O(n·m)). */
function topIndices(scores: ArrayLike<number>, m: number): Int32Array {
  const top = new Int32Array(Math.min(m, scores.length));
  let size = 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (size === top.length && !(s > scores[top[size - 1]])) continue;
    let j = size < top.length ? size++ : size - 1;
    while (j > 0 && s > scores[top[j - 1]]) {
      top[j] = top[j - 1];
      j--;
    }
    top[j] = i;
  }
  return top;
}

/** Narrow filters can leave fewer than k candidates: walk further down the popular list. */
function backfillPopular(
  state: RecommenderState,
  pool: CandidatePool,
  k: number,
  admit: (c: Candidate) => void,
): void {
  const top = state.popularity.top("popular");
  const before = pool.size;
  for (let i = 0; i < top.items.length && pool.size - before < 4 * k; i++) {
    if (pool.get(top.items[i])) continue;
    const c = pool.add(top.items[i]);
    c.sources.popular = top.scores[0] > 0 ? top.scores[i] / top.scores[0] : 0;
    admit(c);
  }
}

/** The history items that best explain `item`: highest co-visitation weight or vector similarity. */
function explainItem(state: RecommenderState, item: number, history: Int32Array, now: number): Reason[] {
  const recent = history.subarray(Math.max(0, history.length - state.config.explainHistory));
  const v = state.vectors?.get(item);
  const reasons: Reason[] = [];
  let maxCovis = 0;
  const covis = Array.from(recent, (h) => {
    const c = state.covis.weight(h, item, now);
    maxCovis = Math.max(maxCovis, c);
    return c;
  });
  recent.forEach((h, i) => {
    const hv = state.vectors?.get(h);
    const cos = v && hv ? cosine(v, hv) : 0;
    const sim = Number.isFinite(cos) ? cos : 0;
    const co = maxCovis > 0 ? covis[i] / maxCovis : 0;
    if (co <= 0 && sim <= 0) return;
    reasons.push(
      co >= sim ? { item: h, kind: "co-visited", weight: co } : { item: h, kind: "similar", weight: sim },
    );
  });
  const unique = new Map<number, Reason>();
  for (const r of reasons.sort((a, b) => b.weight - a.weight)) if (!unique.has(r.item)) unique.set(r.item, r);
  return [...unique.values()].slice(0, 3);
}

/**
 * The blend ranker is finite by construction; a learned one may not be. Its NaN would sort arbitrarily and
 * reach the response, so it is an error naming the ranker rather than a silently wrong list.
 */
function assertFinite(ranker: Ranker, scores: Float32Array, candidates: readonly Candidate[]): void {
  for (let i = 0; i < scores.length; i++)
    if (!Number.isFinite(scores[i]))
      throw new SeqrankError(
        "SR_ERR_RANKER",
        `ranker "${ranker.name}" scored item ${candidates[i].item} as ${scores[i]} (scores must be finite)`,
      );
}

/** Recommendations for a history (dense ids, oldest first) and, when the model has one, its user vector. */
export function recommend(
  state: RecommenderState,
  history: Int32Array,
  userVector: Float32Array | undefined,
  options: RecommendOptionsInput = {},
  now = Date.now() / 1000,
): RecommendResult {
  const opts = RecommendOptionsSchema.parse(options);
  const pool = gatherCandidates(state, history, userVector, opts.sources, now);
  const seen = seenItems;
  seen.clear();
  if (opts.excludeSeen) for (let i = 0; i < history.length; i++) seen.set(history[i], 1);
  const accept = businessFilter(opts.filters);
  // Sized once and trimmed at the end (pushing into [] regrew it about six times per call).
  const kept: Candidate[] = new Array(pool.size);
  let nKept = 0;
  const admit = (c: Candidate) => {
    const meta = state.catalogue.meta(c.item);
    if (!meta || seen.has(c.item) || !accept(meta)) return;
    if (userVector && state.vectors) c.dot = state.vectors.dot(c.item, userVector);
    kept[nKept++] = c;
  };
  for (let i = 0; i < pool.size; i++) admit(pool.at(i));
  if (nKept < opts.k) backfillPopular(state, pool, opts.k, admit);
  kept.length = nKept;
  const scores = state.ranker.score(kept, { history, userVector });
  assertFinite(state.ranker, scores, kept);
  const top = topIndices(scores, opts.k * state.config.mmrPool);
  const shortlist: Array<{ item: number; score: number; c: Candidate }> = [];
  for (let j = 0; j < top.length; j++)
    shortlist.push({ item: kept[top[j]].item, score: scores[top[j]], c: kept[top[j]] });
  const picked = mmr(shortlist, opts.k, 1 - opts.diversity, (i) => state.vectors?.get(i));
  const items = picked.map(({ item, score, c }) => {
    const rec: Recommendation = {
      item,
      score,
      sources: CANDIDATE_SOURCES.filter((s) => c.sources[s] > 0),
    };
    if (opts.explain) rec.because = explainItem(state, item, history, now);
    return rec;
  });
  return { items, candidates: pool.size, filtered: kept.length };
}
