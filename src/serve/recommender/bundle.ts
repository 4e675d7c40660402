// Everything tied to one model version: the model, its vectors in catalogue id order, their ANN index, the
// cache of user vectors it encoded and, with a title tower, the catalogue's title vectors (title-index.ts).
// Requests hold a bundle for their whole duration (acquire/release); a swapped-out bundle frees its
// native resources once the last request using it is done, so a swap never fails a request in flight.

import type { ServingModel } from "../../artifact/index.js";
import {
  type IndexHits,
  type ItemCatalogue,
  ItemIndex,
  type ItemIndexConfigInput,
  ItemVectors,
} from "../../retrieval/index.js";
import { buildTitleIndex } from "./title-index.js";
import { UserVectorCache } from "./user-vectors.js";

/**
 * Maps histories in catalogue ids to the model's item ids (`rows[catalogue id]`, 0 = unknown to the model),
 * dropping the items the model does not know; the history itself when the ids already agree.
 */
function toModelIds(rows: Int32Array): (history: Int32Array) => Int32Array {
  return (history) => {
    let known = 0;
    let same = true;
    for (const id of history) {
      const row = id < rows.length ? rows[id] : 0;
      if (row > 0) known++;
      if (row !== id) same = false;
    }
    if (same) return history;
    const out = new Int32Array(known);
    let n = 0;
    for (const id of history) if (id < rows.length && rows[id] > 0) out[n++] = rows[id];
    return out;
  };
}

/** Model item rows → catalogue ids of hits (padding and items the catalogue does not have dropped). */
function toCatalogueHits(ids: readonly string[], catalogue: ItemCatalogue): (hits: IndexHits) => IndexHits {
  const toCatalogue = Int32Array.from(ids, (raw, row) => (row > 0 ? (catalogue.denseId(raw) ?? 0) : 0));
  return (hits) => {
    const items: number[] = [];
    const scores: number[] = [];
    hits.items.forEach((row, i) => {
      const id = toCatalogue[row];
      if (id === 0) return;
      items.push(id);
      scores.push(hits.scores[i]);
    });
    return { items: Int32Array.from(items), scores: Float32Array.from(scores) };
  };
}

/** `model.retrieve` over catalogue ids: histories mapped to the model's ids, its items back (unknown ones dropped). */
function retriever(
  model: ServingModel,
  ids: readonly string[],
  rows: Int32Array,
  catalogue: ItemCatalogue,
): ((history: Int32Array, k: number) => IndexHits) | undefined {
  const retrieve = model.retrieve?.bind(model);
  if (!retrieve) return undefined;
  const modelIds = toModelIds(rows);
  const back = toCatalogueHits(ids, catalogue);
  return (history, k) => back(retrieve(modelIds(history), k));
}

/** The model's learned ranker over catalogue ids (model ids in, catalogue ids out; unknown items dropped). */
function rankerIn(
  model: ServingModel,
  ids: readonly string[],
  rows: Int32Array,
  catalogue: ItemCatalogue,
): ModelBundle["rank"] {
  const ranker = model.ranker;
  if (!ranker) return undefined;
  const modelIds = toModelIds(rows);
  const back = toCatalogueHits(ids, catalogue);
  return async (history, userVector) => back(await ranker.rank(modelIds(history), userVector));
}

export class ModelBundle {
  private inFlight = 0;
  private retired = false;
  private constructor(
    readonly model: ServingModel,
    readonly vectors: ItemVectors | undefined,
    readonly index: ItemIndex | undefined,
    readonly userVectors: UserVectorCache,
    /** Unit title vectors of the catalogue (semantic search); undefined without a title tower. */
    readonly titles?: ItemIndex,
    /** The model's own retrieval in catalogue ids (a model without vectors that scores histories: ItemKNN). */
    readonly retrieve?: (history: Int32Array, k: number) => IndexHits,
    /** The learned re-ranker's choice and scores of the model's candidates, in catalogue ids. */
    readonly rank?: (history: Int32Array, userVector: Float32Array) => Promise<IndexHits>,
  ) {}

  /**
   * Builds the vectors and the ANN index of `model` over `catalogue`. Catalogue items the model has no row
   * for get a content vector from `contentVector` (e.g. a new item's title) when it returns one.
   */
  static async build(
    model: ServingModel,
    catalogue: ItemCatalogue,
    config: { index: ItemIndexConfigInput; userVectorCache: number },
    contentVector: (item: number, vectors: ItemVectors) => Promise<Float32Array | undefined>,
  ): Promise<ModelBundle> {
    const ids = model.itemIds ?? Array.from({ length: model.nItems + 1 }, (_, i) => String(i));
    const rows = new Int32Array(catalogue.maxId + 1);
    ids.forEach((raw, row) => {
      const id = row > 0 ? catalogue.denseId(raw) : undefined;
      if (id !== undefined) rows[id] = row;
    });
    if (model.dim === 0) {
      const noVectors = new UserVectorCache({ model, capacity: 0 });
      return new ModelBundle(
        model,
        undefined,
        undefined,
        noVectors,
        undefined,
        retriever(model, ids, rows, catalogue),
      );
    }
    const vectors = ItemVectors.fromModel(
      model.dim,
      model.itemVectors,
      ids,
      (raw) => catalogue.denseId(raw),
      catalogue.maxId + 1,
    );
    for (let id = 1; id <= catalogue.maxId; id++) {
      if (!catalogue.meta(id) || vectors.get(id)) continue;
      const v = await contentVector(id, vectors);
      if (v) vectors.set(id, v);
    }
    const index = await ItemIndex.buildAsync(vectors.rows, model.dim, config.index, vectors.tableIds());
    for (const [id, v] of vectors.extras()) index.upsert(id, v);
    const titles = await buildTitleIndex(model, catalogue, config.index);
    const userVectors = new UserVectorCache({
      model,
      capacity: config.userVectorCache,
      index,
      modelIds: toModelIds(rows),
    });
    return new ModelBundle(
      model,
      vectors,
      index,
      userVectors,
      titles,
      undefined,
      rankerIn(model, ids, rows, catalogue),
    );
  }

  acquire(): this {
    this.inFlight++;
    return this;
  }

  release(): void {
    this.inFlight--;
    if (this.retired && this.inFlight === 0) void this.model.dispose?.();
  }

  /** Called when a newer bundle replaced this one. */
  retire(): void {
    this.retired = true;
    if (this.inFlight === 0) void this.model.dispose?.();
  }
}
