// Approximate maximum-inner-product search over item vectors with a usearch HNSW graph. Keys are dense item
// ids. With `quantization: "i8"` usearch stores int8 vectors, which only works for cosine (it normalises
// before casting), so inner products are turned into cosines first (Bachrach et al., RecSys 2014): every item
// x gets an extra component √(M² − |x|²), M = the largest norm, making all items norm M; a query gets 0
// there, so cos(q′, x′) = q·x / (|q|·M) ranks exactly as q·x.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import usearch, { type Index as HnswIndex } from "usearch";
import { z } from "zod";
import { SeqrankError } from "../util/errors.js";

export const ItemIndexConfigSchema = z
  .strictObject({
    quantization: z.enum(["f32", "i8"]).default("f32"),
    /** HNSW graph degree (M). */
    connectivity: z.number().int().positive().default(16),
    /** Beam width while building (efConstruction). */
    expansionAdd: z.number().int().positive().default(64),
    /** Beam width while searching (ef). */
    expansionSearch: z.number().int().positive().default(96),
    /** Threads for bulk adds (searches are single-threaded: one request, one core). */
    threads: z.number().int().positive().default(1),
  })
  .default({});
export type ItemIndexConfig = z.infer<typeof ItemIndexConfigSchema>;
export type ItemIndexConfigInput = z.input<typeof ItemIndexConfigSchema>;

export interface IndexHits {
  /** Dense item ids, best first. */
  items: Int32Array;
  /** Inner products with the query (approximate for i8). */
  scores: Float32Array;
}

interface IndexMeta {
  format: "seqrank-item-index";
  dim: number;
  maxNorm: number;
  config: ItemIndexConfig;
}

function norm(v: Float32Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

/** [x / M, √(M² − |x|²) / M]: unit length for every |x| ≤ M (longer vectors are scaled down to M). */
function augment(x: Float32Array, maxNorm: number, out: Float32Array, at: number): void {
  const n = norm(x);
  const f = n > maxNorm ? 1 / n : 1 / maxNorm;
  for (let i = 0; i < x.length; i++) out[at + i] = x[i] * f;
  out[at + x.length] = Math.sqrt(Math.max(0, maxNorm * maxNorm - n * n)) / maxNorm;
}

/** What the recommendation pipeline needs of an index (an ItemIndex, or a cache in front of one). */
export interface AnnSearch {
  search(query: Float32Array, k: number): IndexHits;
}

export class ItemIndex implements AnnSearch {
  /** Bumped by every upsert and remove, so results cached elsewhere can tell they may be stale. */
  generation = 0;

  private constructor(
    private readonly hnsw: HnswIndex,
    readonly dim: number,
    /** i8 only: the norm M of the augmentation (largest item norm of the build set). */
    private readonly maxNorm: number,
    readonly config: ItemIndexConfig,
  ) {}

  private static open(dim: number, config: ItemIndexConfig): HnswIndex {
    const i8 = config.quantization === "i8";
    return new usearch.Index({
      dimensions: i8 ? dim + 1 : dim,
      metric: i8 ? usearch.MetricKind.Cos : usearch.MetricKind.IP,
      quantization: i8 ? usearch.ScalarKind.I8 : usearch.ScalarKind.F32,
      connectivity: config.connectivity,
      expansion_add: config.expansionAdd,
      expansion_search: config.expansionSearch,
      multi: false,
    });
  }

  /**
   * Indexes rows `items[i]` of `vectors` ([n, dim] row-major, row = dense item id). Without `items`, every row
   * except row 0 (padding) is indexed.
   */
  static build(vectors: Float32Array, dim: number, config: ItemIndexConfigInput = {}, items?: Int32Array) {
    const { index, keys, rows } = ItemIndex.prepare(vectors, dim, config, items);
    if (keys.length > 0) index.hnsw.add(keys, rows, index.config.threads);
    return index;
  }

  /** Like `build`, adding `chunk` items at a time and yielding to the event loop in between (serving stays live). */
  static async buildAsync(
    vectors: Float32Array,
    dim: number,
    config: ItemIndexConfigInput = {},
    items?: Int32Array,
    chunk = 512,
  ): Promise<ItemIndex> {
    const { index, keys, rows } = ItemIndex.prepare(vectors, dim, config, items);
    const width = index.width;
    for (let start = 0; start < keys.length; start += chunk) {
      const end = Math.min(keys.length, start + chunk);
      index.hnsw.add(
        keys.subarray(start, end),
        rows.subarray(start * width, end * width),
        index.config.threads,
      );
      await new Promise((resolve) => setImmediate(resolve));
    }
    return index;
  }

  private static prepare(
    vectors: Float32Array,
    dim: number,
    config: ItemIndexConfigInput,
    items?: Int32Array,
  ) {
    const cfg = ItemIndexConfigSchema.parse(config);
    const ids = items ?? Int32Array.from({ length: vectors.length / dim - 1 }, (_, i) => i + 1);
    const row = (id: number) => vectors.subarray(id * dim, (id + 1) * dim);
    let maxNorm = 0;
    for (const id of ids) maxNorm = Math.max(maxNorm, norm(row(id)));
    const index = new ItemIndex(ItemIndex.open(dim, cfg), dim, maxNorm || 1, cfg);
    const width = index.width;
    const rows = new Float32Array(ids.length * width);
    ids.forEach((id, r) => {
      index.encode(row(id), rows, r * width);
    });
    return { index, keys: BigUint64Array.from(ids, (id) => BigInt(id)), rows };
  }

  private get width(): number {
    return this.config.quantization === "i8" ? this.dim + 1 : this.dim;
  }

  private encode(x: Float32Array, out: Float32Array, at: number): void {
    if (this.config.quantization === "i8") augment(x, this.maxNorm, out, at);
    else out.set(x, at);
  }

  get size(): number {
    return this.hnsw.size();
  }

  has(item: number): boolean {
    return this.hnsw.contains(BigInt(item)) as boolean;
  }

  /** Adds or replaces one item's vector (values beyond the build set's range are clipped in i8). */
  upsert(item: number, vector: Float32Array): void {
    if (vector.length !== this.dim) {
      throw new SeqrankError("SR_ERR_INDEX_DIM", `vector has ${vector.length} values, the index ${this.dim}`);
    }
    const key = BigInt(item);
    if (this.hnsw.contains(key)) this.hnsw.remove(key);
    const row = new Float32Array(this.width);
    this.encode(vector, row, 0);
    this.hnsw.add(key, row, 1);
    this.generation++;
  }

  remove(item: number): boolean {
    this.generation++;
    return (this.hnsw.remove(BigInt(item)) as number) > 0;
  }

  /** The `k` items with the largest inner product with `query`. */
  search(query: Float32Array, k: number): IndexHits {
    const n = Math.min(k, this.size);
    if (n === 0) return { items: new Int32Array(0), scores: new Float32Array(0) };
    const i8 = this.config.quantization === "i8";
    let q = query;
    if (i8) {
      q = new Float32Array(this.dim + 1);
      q.set(query);
    }
    // f32: usearch's IP distance is 1 − q·x; i8: cosine distance 1 − q·x / (|q|·M).
    const unit = i8 ? norm(query) * this.maxNorm : 1;
    const m = this.hnsw.search(q, n, 1);
    let count = 0;
    while (count < m.keys.length && m.keys[count] !== 0xffffffffffffffffn) count++;
    const items = new Int32Array(count);
    const scores = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      items[i] = Number(m.keys[i]);
      scores[i] = (1 - m.distances[i]) * unit;
    }
    return { items, scores };
  }

  /** Writes the graph to `path` and its settings to `path`.json. */
  save(path: string): void {
    this.hnsw.save(path);
    const meta: IndexMeta = {
      format: "seqrank-item-index",
      dim: this.dim,
      maxNorm: this.maxNorm,
      config: this.config,
    };
    writeFileSync(`${path}.json`, `${JSON.stringify(meta)}\n`);
  }

  static load(path: string): ItemIndex {
    if (!existsSync(path) || !existsSync(`${path}.json`)) {
      throw new SeqrankError(
        "SR_ERR_INDEX_MISSING",
        `no item index at ${path} (needs ${path} and ${path}.json)`,
      );
    }
    const meta = JSON.parse(readFileSync(`${path}.json`, "utf8")) as IndexMeta;
    if (meta.format !== "seqrank-item-index") {
      throw new SeqrankError("SR_ERR_INDEX_FORMAT", `${path}.json is not a seqrank item index`);
    }
    const hnsw = ItemIndex.open(meta.dim, meta.config);
    hnsw.load(path);
    return new ItemIndex(hnsw, meta.dim, meta.maxNorm, meta.config);
  }
}
