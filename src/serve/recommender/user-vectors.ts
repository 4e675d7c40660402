// The user vectors of one model, cached per user together with the exact history each was encoded from. A
// stale entry is never served: a read compares the cached history with the user's current sequence from the
// store (which replicas share), so an event written through another replica only costs one encoder run here.
// The encoder normally stays off the read path: a new event encodes the user's new history on the write path
// (`put`), and `warm` batch-encodes the stored users when a model is loaded. Each entry also keeps its ANN
// hits (`searcher`), valid until the item index changes.

import type { HistoryEvents, ServingModel } from "../../artifact/index.js";
import type { AnnSearch, IndexHits, ItemIndex } from "../../retrieval/index.js";
import { keepEvents } from "./history-events.js";

interface Entry {
  history: Int32Array;
  /** Undefined when the model knows none of the history's items. */
  vector: Float32Array | undefined;
  /** Whether the history's events (types, times) were encoded with it (models that read them). */
  withEvents: boolean;
  /** ANN hits of `vector`, for `k` neighbours, at index generation `generation`. */
  ann?: { hits: IndexHits; k: number; generation: number };
}

export interface UserVectorCacheOptions {
  model: ServingModel;
  /** Users kept (least recently used out first). */
  capacity: number;
  /** The model's ANN index, whose hits per user are kept with the vectors. */
  index?: ItemIndex;
  /**
   * A history (catalogue ids) in the encoder's item ids, without the items it does not know (e.g. added after
   * training); default: the history as is.
   */
  modelIds?: (history: Int32Array) => Int32Array;
}

function sameHistory(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Users encoded per encoder run while warming (shorter batches keep a swap's event-loop pauses short). */
const WARM_BATCH = 64;

export class UserVectorCache {
  /** Insertion order is the LRU order: a hit moves its entry to the end. */
  private readonly entries = new Map<string, Entry>();
  readonly capacity: number;
  hits = 0;
  misses = 0;

  constructor(private readonly opts: UserVectorCacheOptions) {
    this.capacity = opts.capacity;
  }

  /** The vector of `history` (the user's current one); encoded and cached unless the cached entry matches. */
  async get(userKey: string, history: Int32Array, events?: HistoryEvents): Promise<Float32Array | undefined> {
    const e = this.entries.get(userKey);
    if (e && sameHistory(e.history, history) && (e.withEvents || !events)) {
      this.hits++;
      this.entries.delete(userKey);
      this.entries.set(userKey, e);
      return e.vector;
    }
    this.misses++;
    return (await this.put([[userKey, history, events]]))[0];
  }

  /**
   * Encodes the users' histories in one encoder run and caches them (kept, not copied) as their vectors: the
   * write path of new events.
   */
  async put(
    users: ReadonlyArray<readonly [string, Int32Array, HistoryEvents?]>,
  ): Promise<Array<Float32Array | undefined>> {
    const vectors = await this.encode(
      users.map(([, h]) => h),
      users.map(([, , e]) => e),
    );
    users.forEach(([key, history, events], i) => {
      this.set(key, history, vectors[i], events !== undefined);
    });
    return vectors;
  }

  /**
   * The index, searched through the user's cached hits: `search(vector, k)` with the user's cached vector
   * answers from the entry while the index is unchanged (any other query goes to the index).
   */
  searcher(userKey: string): AnnSearch | undefined {
    const index = this.opts.index;
    if (!index) return undefined;
    return {
      search: (query, k) => {
        const e = this.entries.get(userKey);
        if (!e || e.vector !== query) return index.search(query, k);
        if (e.ann?.k !== k || e.ann.generation !== index.generation)
          e.ann = { hits: index.search(query, k), k, generation: index.generation };
        return e.ann.hits;
      },
    };
  }

  /**
   * Encodes stored users (pages of [user key, history]) in batches until the cache is full, and with
   * `annK` > 0 also their `annK` ANN hits; users already cached are skipped; `signal` stops it between
   * batches. Returns the users encoded.
   */
  async warm(
    pages: AsyncIterable<Array<[string, Int32Array]>>,
    annK = 0,
    signal?: AbortSignal,
  ): Promise<number> {
    let encoded = 0;
    for await (const page of pages) {
      const todo = page.filter(([key, h]) => h.length > 0 && !this.entries.has(key));
      // Similar lengths together: a batch is padded to its longest history.
      todo.sort((a, b) => a[1].length - b[1].length);
      for (let start = 0; start < todo.length; ) {
        const room = this.capacity - this.entries.size;
        if (room <= 0 || signal?.aborted) return encoded;
        const batch = todo.slice(start, start + Math.min(WARM_BATCH, room));
        start += batch.length;
        const vectors = await this.encode(batch.map(([, h]) => h));
        batch.forEach(([key, h], i) => {
          const v = vectors[i];
          if (this.entries.has(key)) return; // an event encoded it meanwhile
          this.set(key, h, v, false);
          if (v && annK > 0) this.searcher(key)?.search(v, annK);
        });
        encoded += batch.length;
      }
    }
    return encoded;
  }

  delete(userKey: string): void {
    this.entries.delete(userKey);
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * One encoder run for the histories the model knows something of; undefined for the others. `events[b]`
   * (position by position with histories[b]) loses the same positions the model ids drop.
   */
  private async encode(
    histories: Int32Array[],
    events: readonly (HistoryEvents | undefined)[] = [],
  ): Promise<Array<Float32Array | undefined>> {
    const { model, modelIds } = this.opts;
    const inputs = modelIds ? histories.map(modelIds) : histories;
    const known = inputs.filter((h) => h.length > 0);
    if (known.length === 0) return inputs.map(() => undefined);
    const knownEvents = inputs.flatMap((h, b) => {
      if (h.length === 0) return [];
      const e = events[b];
      if (!e || !modelIds || h.length === histories[b].length) return [e];
      return [keepEvents(e, (i) => modelIds(histories[b].subarray(i, i + 1)).length > 0)];
    });
    const vectors = model.encodeUsers
      ? await model.encodeUsers(known, knownEvents)
      : await Promise.all(known.map((h, i) => model.encodeUser(h, knownEvents[i])));
    let next = 0;
    return inputs.map((h) => (h.length > 0 ? vectors[next++] : undefined));
  }

  private set(
    userKey: string,
    history: Int32Array,
    vector: Float32Array | undefined,
    withEvents: boolean,
  ): void {
    this.entries.delete(userKey);
    this.entries.set(userKey, { history, vector, withEvents });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }
}
