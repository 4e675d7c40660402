// Batch order for an epoch: rows (CTR rows, re-rank queries) in a shuffled order cut into batches; sequences
// grouped by length so that trimming each batch to its longest sequence removes most padding: users are
// shuffled, cut into pools of `poolBatches` batches, each pool is sorted by length and cut into batches, and
// the batches are shuffled again. The callers seed `rng` per epoch, so a resumed run draws the same batches.
import type { Rng } from "../graph/init.js";

export function shuffleInPlace<T>(a: T[] | Int32Array, rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

/** `ids` in an order drawn from `rng`, cut into batches of `batchSize` (the last one may be shorter). */
export function shuffledBatches(ids: ArrayLike<number>, batchSize: number, rng: Rng): Int32Array[] {
  const order = Int32Array.from(ids);
  shuffleInPlace(order, rng);
  const batches: Int32Array[] = [];
  for (let at = 0; at < order.length; at += batchSize) batches.push(order.subarray(at, at + batchSize));
  return batches;
}

/** Indices of `lengths` grouped into batches of at most `batchSize`. `poolBatches` = 1 gives random batches. */
export function lengthBucketedBatches(
  lengths: ArrayLike<number>,
  batchSize: number,
  rng: Rng,
  poolBatches = 64,
): Int32Array[] {
  const order = Int32Array.from({ length: lengths.length }, (_, i) => i);
  shuffleInPlace(order, rng);
  const pool = batchSize * Math.max(1, poolBatches);
  const batches: Int32Array[] = [];
  for (let p = 0; p < order.length; p += pool) {
    const chunk = order.slice(p, p + pool);
    if (poolBatches > 1) chunk.sort((a, b) => lengths[a] - lengths[b]);
    for (let b = 0; b < chunk.length; b += batchSize) batches.push(chunk.slice(b, b + batchSize));
  }
  shuffleInPlace(batches, rng);
  return batches;
}
