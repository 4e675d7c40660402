// The recommender's live state and its operations: catalogue, co-visitation, popularity, the search index
// and the current model bundle, kept up to date by the core's hooks (events, item changes, user deletes).
// Co-visitation and popularity start from the dataset and then follow the store's delta log (live-signals.ts),
// so live events survive a restart and reach every replica.
import { join } from "node:path";
import { z } from "zod";
import { loadDataset } from "../../data/cache.js";
import { readVocabTsv } from "../../data/vocab.js";
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
} from "../../retrieval/index.js";
import {
  addDocument,
  createSearchIndex,
  removeDocument,
  type SearchIndex,
  updateDocument,
} from "../../search/index.js";
import type { ServingModel } from "../model/index.js";
import type { CatalogItem, InteractionDelta, Store } from "../storage/index.js";
import type { AcceptedEvent, ItemChange } from "../types.js";
import { ModelBundle } from "./bundle.js";
import { contentVector } from "./content-vectors.js";
import { type HybridResult, type HybridSearchOptions, hybridSearch } from "./hybrid-search.js";
import { LiveSignals } from "./live-signals.js";
import { titleVector } from "./title-index.js";
import type { UserVectorCache } from "./user-vectors.js";

export const RecommenderConfigSchema = z
  .object({
    index: ItemIndexConfigSchema,
    covis: CoVisitationConfigSchema,
    popularity: PopularityConfigSchema,
    pipeline: PipelineConfigSchema,
    ranker: BlendRankerConfigSchema,
    userVectorCache: z.number().int().nonnegative().default(50_000),
  })
  .default({});
export type RecommenderConfig = z.infer<typeof RecommenderConfigSchema>;
export type RecommenderConfigInput = z.input<typeof RecommenderConfigSchema>;

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
  private ranker: Ranker;
  private current!: ModelBundle;
  /** The bundle being warmed during a swap (user deletions reach its cache too). */
  private next: ModelBundle | undefined;

  private constructor(
    private readonly store: Store,
    readonly config: RecommenderConfig,
  ) {
    this.covis = new CoVisitation(config.covis);
    this.popularity = new Popularity(0, config.popularity);
    this.ranker = blendRanker(config.ranker);
    this.live = new LiveSignals(store.deltas, (delta) => this.applyDelta(delta));
  }

  /**
   * Loads the catalogue from the store (ids of `dataDir` first), co-visitation and popularity from the dataset
   * and then from the store's delta log.
   */
  static async create(
    store: Store,
    model: ServingModel,
    opts: { dataDir?: string; config?: RecommenderConfigInput } = {},
  ): Promise<RecommenderService> {
    const service = new RecommenderService(store, RecommenderConfigSchema.parse(opts.config ?? {}));
    if (opts.dataDir)
      for (const raw of readVocabTsv(join(opts.dataDir, "items.tsv")).values.slice(1))
        service.catalogue.upsert({ id: raw });
    for (const raw of model.itemIds?.slice(1) ?? [])
      if (service.catalogue.denseId(raw) === undefined) service.catalogue.upsert({ id: raw });
    for await (const page of store.items(1000)) {
      for (const item of page) {
        service.catalogue.upsert(metaOf(item));
        addDocument(service.searchIndex, { ...item, attributes: item.attributes });
      }
    }
    if (opts.dataDir) service.learnFromDataset(opts.dataDir);
    await service.live.catchUp();
    service.current = await service.buildBundle(model);
    return service;
  }

  private learnFromDataset(dataDir: string): void {
    const ds = loadDataset(dataDir);
    const raw = readVocabTsv(join(dataDir, "items.tsv")).values;
    const toDense = Int32Array.from(raw, (r, i) => (i === 0 ? 0 : (this.catalogue.denseId(r) ?? 0)));
    const now = Date.now() / 1000;
    for (let u = 1; u <= ds.nUsers; u++) {
      const items: number[] = [];
      const ts: number[] = [];
      const sessions: number[] = [];
      for (let p = ds.offsets[u]; p < ds.offsets[u + 1]; p++) {
        if (!ds.trainType[ds.events[p]] || toDense[ds.items[p]] === 0) continue;
        items.push(toDense[ds.items[p]]);
        ts.push(Number.isFinite(ds.ts[p]) ? Math.min(ds.ts[p], now) : now);
        sessions.push(ds.sessions[p]);
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
    for await (const page of this.store.sequences())
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
   * flight finish on the old one.
   */
  async swap(model: ServingModel): Promise<void> {
    const next = await this.buildBundle(model);
    this.next = next;
    try {
      await this.warmBundle(next);
    } finally {
      this.next = undefined;
    }
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

  /** A stored sequence's items that the catalogue knows (deleted items drop out). */
  private knownItems(raw: readonly string[]): string[] {
    return raw.filter((r) => this.catalogue.denseId(r) !== undefined);
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

  private async history(userId: string): Promise<Int32Array> {
    return this.denseHistory(await this.store.sequence(userId));
  }

  private async userVector(userKey: string, history: Int32Array, bundle: ModelBundle) {
    if (bundle.model.dim === 0 || history.length === 0) return undefined;
    return bundle.userVectors.get(userKey, history);
  }

  async recommendFor(
    userId: string,
    opts: RecommendOptionsInput,
  ): Promise<RecommendResult & { history: Int32Array; version: string }> {
    const bundle = this.current.acquire();
    try {
      const key = this.store.userKey(userId);
      const history = await this.history(userId);
      const uv = await this.userVector(key, history, bundle);
      const result = recommend(this.state(bundle, key), history, uv, opts);
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
      const uv =
        userId === undefined
          ? undefined
          : await this.userVector(this.store.userKey(userId), await this.history(userId), bundle);
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
      byUser.set(e.userId, [...(byUser.get(e.userId) ?? []), e]);
      // Items first seen in an event join the catalogue first, so the histories below include them.
      if (this.catalogue.denseId(e.itemId) === undefined) this.catalogue.upsert({ id: e.itemId });
    }
    const deltas: InteractionDelta[] = [];
    const encode: Array<[string, Int32Array]> = [];
    for (const [userId, userEvents] of byUser) {
      const known = this.knownItems(await this.store.sequence(userId)); // already ends with these events
      userEvents.forEach((e, i) => {
        const at = Math.max(0, known.length - userEvents.length + i);
        const from = Math.max(0, at - this.covis.config.window);
        deltas.push({ item: e.itemId, ts: e.ts, previous: known.slice(from, at) });
      });
      if (known.length > 0) encode.push([this.store.userKey(userId), this.denseHistory(known)]);
    }
    try {
      await this.live.record(deltas);
    } finally {
      // Encoded even when the delta log is unreachable (the hook runner still reports that error).
      await this.encodeHistories(encode);
    }
  }

  private async encodeHistories(histories: Array<[userKey: string, history: Int32Array]>): Promise<void> {
    const bundle = this.current.acquire();
    try {
      if (bundle.model.dim > 0 && histories.length > 0) await bundle.userVectors.put(histories);
    } finally {
      bundle.release();
    }
  }

  /** One live interaction, from this process or another replica, into co-visitation and popularity. */
  private applyDelta(delta: InteractionDelta): void {
    // An item first seen in another replica's event joins this catalogue too, as it did there.
    const item = this.catalogue.denseId(delta.item) ?? this.catalogue.upsert({ id: delta.item });
    const ts = delta.ts / 1000;
    this.covis.observe(this.denseHistory(delta.previous), item, ts);
    this.popularity.add(item, ts);
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
    const key = this.store.userKey(userId);
    this.current.userVectors.delete(key);
    this.next?.userVectors.delete(key);
  }
}
