// One model's vectors in catalogue id order: the model's item table re-indexed by raw id (so a model trained
// on another vocabulary still lines up), overlaid with content vectors of items the model has no row for.
import { SeqrankError } from "../util/errors.js";

function dotAt(table: Float32Array, at: number, query: Float32Array): number {
  let s = 0;
  for (let d = 0; d < query.length; d++) s += table[at + d] * query[d];
  return s;
}

export class ItemVectors {
  private readonly extra = new Map<number, Float32Array>();

  /** `table` is [rows, dim] row-major in catalogue id order (row 0 padding; all-zero rows = no vector). */
  constructor(
    readonly dim: number,
    private readonly table: Float32Array,
    private readonly present: Uint8Array,
  ) {}

  /**
   * Re-indexes a model table (row r = item `modelIds[r]`, row 0 padding) into catalogue ids given by `denseId`.
   * Items the catalogue does not know are skipped.
   */
  static fromModel(
    dim: number,
    modelTable: Float32Array,
    modelIds: readonly string[],
    denseId: (rawId: string) => number | undefined,
    rows: number,
  ): ItemVectors {
    const table = new Float32Array(rows * dim);
    const present = new Uint8Array(rows);
    for (let r = 1; r < modelIds.length; r++) {
      const id = denseId(modelIds[r]);
      if (id === undefined || id >= rows) continue;
      table.set(modelTable.subarray(r * dim, (r + 1) * dim), id * dim);
      present[id] = 1;
    }
    return new ItemVectors(dim, table, present);
  }

  /** Sets the (content) vector of an item, e.g. one added after training. */
  set(id: number, vector: Float32Array): void {
    if (vector.length !== this.dim) {
      throw new SeqrankError("SR_ERR_INDEX_DIM", `vector has ${vector.length} values, the model ${this.dim}`);
    }
    this.extra.set(id, vector);
  }

  delete(id: number): void {
    this.extra.delete(id);
    if (id < this.present.length) this.present[id] = 0;
  }

  get(id: number): Float32Array | undefined {
    const extra = this.extra.get(id);
    if (extra) return extra;
    return id > 0 && id < this.present.length && this.present[id]
      ? this.table.subarray(id * this.dim, (id + 1) * this.dim)
      : undefined;
  }

  /** Inner product of the item's vector with `query` without a view per call (NaN without a vector). */
  dot(id: number, query: Float32Array): number {
    const extra = this.extra.size > 0 ? this.extra.get(id) : undefined;
    if (extra) return dotAt(extra, 0, query);
    if (!(id > 0 && id < this.present.length && this.present[id])) return Number.NaN;
    return dotAt(this.table, id * this.dim, query);
  }

  /** Catalogue ids whose vector is a row of `rows` (and not overridden by `set`). */
  tableIds(): Int32Array {
    const ids: number[] = [];
    for (let i = 1; i < this.present.length; i++) if (this.present[i] && !this.extra.has(i)) ids.push(i);
    return Int32Array.from(ids);
  }

  /** Vectors given by `set` (content vectors). */
  extras(): IterableIterator<[number, Float32Array]> {
    return this.extra.entries();
  }

  /** The table for bulk indexing (rows without a vector are zero). */
  get rows(): Float32Array {
    return this.table;
  }
}
