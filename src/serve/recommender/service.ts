// The recommender's live state and its operations: catalogue, co-visitation, popularity, the search index
// and the current model bundle, kept up to date by the core's hooks (events, item changes, user deletes).
// Co-visitation and popularity start from the dataset and then follow the store's delta log (live-signals.ts),
// so live events survive a restart and reach every replica.
import type { FastifyBaseLogger } from "fastify";
import { z } from "zod";
import type { HistoryEvents, ServingModel } from "../../artifact/index.js";
import {
  BlendRankerConfigSchema,
  blendRanker,
  CoVisitation,
  CoVisitationConfigSchema,
  ItemCatalogue,
  ItemIndexConfigSchema,
  type ItemMeta,
  PipelineConfigSchema,
  Popularity,
  PopularityConfigSchema,
  type Ranker,
  type RecommenderState,
  type RecommendOptionsInput,
  type RecommendResult,
  recommend,
  scoredRanker,
} from "../../retrieval/index.js";
import {
  addDocument,
  createSearchIndex,
  removeDocument,
  type SearchIndex,
  updateDocument,
} from "../../search/index.js";
import { ServeConfigSchema } from "../config.js";
import type { CatalogItem, InteractionDelta, Store } from "../storage/index.js";
import type { AcceptedEvent, ItemChange } from "../types.js";
import { ModelBundle } from "./bundle.js";
import { contentVector } from "./content-vectors.js";
import { eventPositions, tailPositions } from "./event-positions.js";
import { keepEvents, sequenceEvents } from "./history-events.js";
import { type HybridResult, type HybridSearchOptions, hybridSearch } from "./hybrid-search.js";
import { LiveSignals } from "./live-signals.js";
import { PendingDeltas } from "./pending-deltas.js";
import { titleVector } from "./title-index.js";
import type { UserVectorCache } from "./user-vectors.js";

export const RecommenderConfigSchema = z
  .strictObject({
    index: ItemIndexConfigSchema,
    covis: CoVisitationConfigSchema,
    popularity: PopularityConfigSchema,
    pipeline: PipelineConfigSchema,
    ranker: BlendRankerConfigSchema,
    userVectorCache: z.number().int().nonnegative().default(50_000),
    /** Deltas of not-yet-catalogued items held until the item is created (pending-deltas.ts). */
    pendingDeltas: z.number().int().nonnegative().default(10_000),
  })
  .default({});
export type RecommenderConfig = z.infer<typeof RecommenderConfigSchema>;
export type RecommenderConfigInput = z.input<typeof RecommenderConfigSchema>;

/** The logger the service reports skipped or clamped input to (the app's pino logger). */
export type ServiceLog = Pick<FastifyBaseLogger, "warn">;

export interface RecommenderServiceOptions {
  config?: RecommenderConfigInput;
  log?: ServiceLog;
  /** Config `events.maxFutureSkewMs`: a replayed delta dated later than this ahead counts as now (logged). */
  maxFutureSkewMs?: number;
}

function metaOf(item: CatalogItem): ItemMeta {
  return {
    id: item.id,
    title: item.title ?? undefined,
    brand: item.brand ?? undefined,
    category: item.category ?? undefined,
    attributes: item.attributes,
    price: item.price ?? undefined,
    inStock: item.inStock,
  };
}

export class RecommenderService {
  readonly catalogue = new ItemCatalogue();
  readonly searchIndex: SearchIndex = createSearchIndex();
  readonly covis: CoVisitation;
  readonly popularity: Popularity;
  private readonly live: LiveSignals;
  private readonly pending: PendingDeltas;
  private ranker: Ranker;
  private current!: ModelBundle;
  /** The bundle being warmed during a swap (user deletions reach its cache too). */
  private next: ModelBundle | undefined;

  private constructor(
    private readonly store: Store,
    readonly config: RecommenderConfig,
    private readonly options: { log?: ServiceLog; maxFutureSkewMs: number },
  ) {
    this.covis = new CoVisitation(config.covis);
    this.popularity = new Popularity(0, config.popularity);
    this.ranker = blendRanker(config.ranker);
    this.pending = new PendingDeltas(config.pendingDeltas);
    this.live = new LiveSignals(store.deltas, (delta) => this.applyDelta(delta));
  }

  /**
   * Loads the catalogue from the store (the model's item ids first), co-visitation and popularity from the
   * model version's training interactions and then from the store's delta log.
   */
  static async create(
    store: Store,
    model: ServingModel,
    opts: RecommenderServiceOptions = {},
  ): Promise<RecommenderService> {
    const service = new RecommenderService(store, RecommenderConfigSchema.parse(opts.config ?? {}), {
      log: opts.log,
      maxFutureSkewMs: opts.maxFutureSkewMs ?? ServeConfigSchema.parse({}).events.maxFutureSkewMs,
    });
    for (const raw of model.itemIds?.slice(1) ?? [])
      if (service.catalogue.denseId(raw) === undefined) service.catalogue.upsert({ id: raw });
    for await (const page of store.catalogue.pages(1000)) {
      for (const item of page) {
        service.catalogue.upsert(metaOf(item));
        addDocument(service.searchIndex, { ...item, attributes: item.attributes });
      }
    }
    service.learnFromInteractions(model);
    await service.live.catchUp();
    service.current = await service.buildBundle(model);
    return service;
  }

  /**
   * Co-visitation and popularity from the training interactions the model version ships (no user ids; times
   * NaN → now, so undated data does not decay into nothing). A version without them (exported by an older
   * seqrank) starts from the live events alone, and says so.
   */
  private learnFromInteractions(model: ServingModel): void {
    const x = model.interactions;
    if (!x || !model.itemIds) {
      this.options.log?.warn(
        { version: model.version },
        "the model version ships no training interactions: popularity and co-visitation start from live events (export it again)",
      );
      return;
    }
    const ids = model.itemIds;
    const toDense = Int32Array.from(ids, (raw, m) => (m === 0 ? 0 : (this.catalogue.denseId(raw) ?? 0)));
    const now = Date.now() / 1000;
    const items: number[] = [];
    const ts: number[] = [];
    const sessions: number[] = [];
    for (let s = 0; s + 1 < x.offsets.length; s++) {
      items.length = 0;
      ts.length = 0;
      sessions.length = 0;
      for (let e = x.offsets[s]; e < x.offsets[s + 1]; e++) {
        if (toDense[x.items[e]] === 0) continue;
        items.push(toDense[x.items[e]]);
        ts.push(Number.isFinite(x.ts[e]) ? Math.min(x.ts[e], now) : now);
        sessions.push(x.sessions[e]);
      }
      this.covis.addSequence(items, ts, sessions);
      items.forEach((item, i) => {
        this.popularity.add(item, ts[i]);
      });
    }
  }

  private buildBundle(model: ServingModel): Promise<ModelBundle> {
    return ModelBundle.build(
      model,
      this.catalogue,
      { index: this.config.index, userVectorCache: this.config.userVectorCache },
      (item, vectors) => contentVector(item, model, this.searchIndex, this.catalogue, vectors),
    );
  }

  /**
   * Encodes the stored users' histories into the current model's cache (and their ANN hits), so reads find
   * them (the service answers meanwhile, encoding on a miss). Returns how many users were encoded.
   */
  warm(signal?: AbortSignal): Promise<number> {
    return this.warmBundle(this.current, signal);
  }

  private warmBundle(bundle: ModelBundle, signal?: AbortSignal): Promise<number> {
    if (bundle.model.dim === 0) return Promise.resolve(0);
    return bundle.userVectors.warm(this.storedHistories(), this.config.pipeline.ann, signal);
  }

  private async *storedHistories(): AsyncIterable<Array<[string, Int32Array]>> {
    for await (const page of this.store.sequences.pages())
      yield page.map(([key, items]): [string, Int32Array] => [key, this.denseHistory(items)]);
  }

  get model(): ServingModel {
    return this.current.model;
  }

  /** The current model's user vector cache. */
  get userVectors(): UserVectorCache {
    return this.current.userVectors;
  }

  /**
   * Loads the new model's bundle completely and warms its user vectors, then swaps the reference; requests in
   * flight finish on the old one. `commit` runs right before the switch, in the same turn (e.g. writing the
   * registry's `current`); if it or anything before throws, the old model keeps serving.
   */
  async swap(model: ServingModel, commit?: () => void): Promise<void> {
    const next = await this.buildBundle(model);
    this.next = next;
    try {
      await this.warmBundle(next);
    } finally {
      this.next = undefined;
    }
    commit?.();
    const old = this.current;
    this.current = next;
    old.retire();
  }

  /** The pipeline's view of the live state; with `userKey`, ANN searches go through the user's cached hits. */
  private state(bundle: ModelBundle, userKey?: string): RecommenderState {
    return {
      catalogue: this.catalogue,
      vectors: bundle.vectors,
      index: bundle.index,
      annSearch: userKey === undefined ? undefined : bundle.userVectors.searcher(userKey),
      retrieve: bundle.retrieve,
      covis: this.covis,
      popularity: this.popularity,
      ranker: this.ranker,
      config: this.config.pipeline,
    };
  }

  /** Replaces the ranker (e.g. a learned one); takes effect on the next request. */
  setRanker(ranker: Ranker): void {
    this.ranker = ranker;
  }

  /** Dense ids of a stored sequence's known items (one lookup per item: this runs on every recommendation). */
  private denseHistory(raw: readonly string[]): Int32Array {
    const ids = new Int32Array(raw.length);
    let n = 0;
    for (const r of raw) {
      const id = this.catalogue.denseId(r);
      if (id !== undefined) ids[n++] = id;
    }
    return n === ids.length ? ids : ids.slice(0, n);
  }

  /** For a model that reads event types or times: the stored events behind the dense history of `sequence`. */
  private async historyEvents(userId: string, sequence: readonly string[], model: ServingModel) {
    if (!model.usesEvents) return undefined;
    const events = sequenceEvents(sequence, await this.store.events.ofUser(userId, sequence.length));
    return keepEvents(events, (i) => this.catalogue.denseId(sequence[i]) !== undefined);
  }

  private async userVector(userId: string, bundle: ModelBundle) {
    const sequence = await this.store.sequences.get(userId);
    const history = this.denseHistory(sequence);
    if (bundle.model.dim === 0 || history.length === 0) return { history, vector: undefined };
    const events = await this.historyEvents(userId, sequence, bundle.model);
    return {
      history,
      vector: await bundle.userVectors.get(this.store.sequences.key(userId), history, events),
    };
  }

  async recommendFor(
    userId: string,
    opts: RecommendOptionsInput,
  ): Promise<RecommendResult & { history: Int32Array; version: string }> {
    const bundle = this.current.acquire();
    try {
      const key = this.store.sequences.key(userId);
      const { history, vector: uv } = await this.userVector(userId, bundle);
      const state = this.state(bundle, key);
      if (bundle.rank && uv && bundle.model.ranker) {
        // candidates → learned ranker → business rules and MMR (recommend applies those to its scores).
        state.ranked = await bundle.rank(history, uv);
        state.ranker = scoredRanker(bundle.model.ranker.name, state.ranked);
      }
      const result = recommend(state, history, uv, opts);
      return { ...result, history, version: bundle.model.version };
    } finally {
      bundle.release();
    }
  }

  /** Items like `item`: its ANN neighbours and co-visited items (undefined for an unknown item). */
  similarTo(
    itemId: string,
    opts: RecommendOptionsInput,
  ): (RecommendResult & { version: string }) | undefined {
    const id = this.catalogue.denseId(itemId);
    if (id === undefined) return undefined;
    const bundle = this.current.acquire();
    try {
      const v = bundle.vectors?.get(id);
      const result = recommend(this.state(bundle), Int32Array.of(id), v, {
        ...opts,
        sources: ["ann", "covis"],
      });
      return { ...result, version: bundle.model.version };
    } finally {
      bundle.release();
    }
  }

  async search(query: string, opts: HybridSearchOptions, userId?: string): Promise<HybridResult> {
    const bundle = this.current.acquire();
    try {
      const uv = userId === undefined ? undefined : (await this.userVector(userId, bundle)).vector;
      return await hybridSearch(this.searchIndex, this.catalogue, bundle, query, opts, uv);
    } finally {
      bundle.release();
    }
  }

  /**
   * Hook: new events go to the delta log and feed co-visitation and popularity at once, and the users' new
   * histories are encoded here (one encoder run per request), on the write path, so their next reads find the
   * vectors cached.
   */
  async onEvents(events: AcceptedEvent[]): Promise<void> {
    const byUser = new Map<string, AcceptedEvent[]>();
    for (const e of events) {
      const own = byUser.get(e.userId);
      if (own) own.push(e);
      else byUser.set(e.userId, [e]);
    }
    const deltas: InteractionDelta[] = [];
    const encode: Array<[string, Int32Array, HistoryEvents?]> = [];
    for (const [userId, userEvents] of byUser) {
      const sequence = await this.store.sequences.get(userId); // already holds these events, at their times
      deltas.push(...(await this.userDeltas(userId, userEvents, sequence)));
      const history = this.denseHistory(sequence);
      const events = await this.historyEvents(userId, sequence, this.current.model);
      if (history.length > 0) encode.push([this.store.sequences.key(userId), history, events]);
    }
    try {
      await this.live.record(deltas);
    } finally {
      // Encoded even when the delta log is unreachable (the hook runner still reports that error).
      await this.encodeHistories(encode);
    }
  }

  /**
   * The deltas of a user's new events: each item with the known items just before it in time order (a
   * backdated event pairs with the items of its time). An item the catalogue does not know yet (catalogue
   * sync lag) is in the stored sequence, which the recommender reads without it until it exists.
   */
  private async userDeltas(
    userId: string,
    fresh: AcceptedEvent[],
    sequence: readonly string[],
  ): Promise<InteractionDelta[]> {
    // Reading the stored events costs ~2 µs per event: only when the new ones are not simply the newest.
    const positions =
      tailPositions(sequence, fresh) ??
      eventPositions(sequence, await this.store.events.ofUser(userId, fresh.length + sequence.length), fresh);
    return fresh.map((e, i) => ({
      item: e.itemId,
      ts: e.ts,
      previous: this.knownBefore(sequence, positions[i]),
    }));
  }

  /** The known items just before `at` in the sequence (oldest first), as many as co-visitation pairs. */
  private knownBefore(sequence: readonly string[], at: number): string[] {
    const previous: string[] = [];
    for (let i = at - 1; i >= 0 && previous.length < this.covis.config.window; i--)
      if (this.catalogue.denseId(sequence[i]) !== undefined) previous.unshift(sequence[i]);
    return previous;
  }

  private async encodeHistories(
    histories: Array<[userKey: string, history: Int32Array, events?: HistoryEvents]>,
  ): Promise<void> {
    const bundle = this.current.acquire();
    try {
      if (bundle.model.dim > 0 && histories.length > 0) await bundle.userVectors.put(histories);
    } finally {
      bundle.release();
    }
  }

  /**
   * One live interaction, from this process or another replica, into co-visitation and popularity. Only
   * catalogue items count: a delta on an unknown item is held (bounded) until the item is created, rather
   * than adding the id to the catalogue.
   */
  private applyDelta(delta: InteractionDelta): void {
    const item = this.catalogue.denseId(delta.item);
    if (item === undefined) {
      this.pending.hold(delta);
      return;
    }
    const ts = this.deltaTime(delta) / 1000;
    this.covis.observe(this.denseHistory(delta.previous), item, ts);
    this.popularity.add(item, ts);
  }

  /**
   * A delta's time in unix ms. Events are checked on the way in (routes/events/event-time.ts), but a delta log
   * written by an older version may hold any time: one beyond the accepted skew counts as now, and is logged.
   */
  private deltaTime(delta: InteractionDelta): number {
    const now = Date.now();
    if (Number.isFinite(delta.ts) && delta.ts <= now + this.options.maxFutureSkewMs) return delta.ts;
    this.options.log?.warn(
      { item: delta.item, ts: delta.ts },
      "a co-visitation/popularity delta dated beyond the accepted clock skew counts as now",
    );
    return now;
  }

  /** Deltas held for items not in the catalogue yet (at most config `pendingDeltas`). */
  get pendingDeltas(): number {
    return this.pending.size;
  }

  /** Follows the deltas other replicas append (a no-op for a log only this process writes); returns stop. */
  followReplicas(onError: (err: unknown) => void): () => Promise<void> {
    return this.live.follow(onError);
  }

  /** Hook: catalogue writes reach search, filters and the ANN index at once. */
  async onItemChange(change: ItemChange): Promise<void> {
    if (change.kind === "delete") {
      const id = this.catalogue.remove(change.id);
      removeDocument(this.searchIndex, change.id);
      if (id === undefined) return;
      this.current.index?.remove(id);
      this.current.titles?.remove(id);
      this.current.vectors?.delete(id);
      this.popularity.setRemoved(id, true);
      this.covis.removeItem(id);
      return;
    }
    const id = this.catalogue.upsert(metaOf(change.item));
    for (const delta of this.pending.take(change.item.id)) this.applyDelta(delta);
    updateDocument(this.searchIndex, change.item);
    this.popularity.setRemoved(id, false);
    const bundle = this.current;
    const title = await titleVector(bundle.model, change.item.title ?? undefined);
    if (title) bundle.titles?.upsert(id, title);
    else bundle.titles?.remove(id);
    if (!bundle.vectors || !bundle.index || (bundle.vectors.get(id) && !change.created)) return;
    const v = await contentVector(id, bundle.model, this.searchIndex, this.catalogue, bundle.vectors);
    if (!v) return;
    bundle.vectors.set(id, v);
    bundle.index.upsert(id, v);
  }

  onUserDelete(userId: string): void {
    const key = this.store.sequences.key(userId);
    this.current.userVectors.delete(key);
    this.next?.userVectors.delete(key);
  }
}
