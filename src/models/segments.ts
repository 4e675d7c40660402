// Long histories as fixed-length segments (the seed's method): a history is cut, from the newest item back,
// into at most `count` segments of the encoder's length; each segment is encoded on its own and the segment
// vectors (hidden state at each segment's newest item) are pooled into one user vector.
//   mean:      average of the segment vectors;
//   last:      the newest segment only (plain truncation to one segment);
//   attention: softmax(⟨s_i, s_last⟩ / √d) weights with the newest segment as the query (no parameters).
// Training needs no change: segments are just shorter training sequences (see cutForTraining).
import { z } from "zod";
import type { Graph, Tensor } from "../graph/graph.js";
import { type Feeds, tensor } from "../graph/session.js";
import * as o from "../graph/tensor-ops.js";
import { type PositionContext, sliceContext } from "./context-features.js";

export const SegmentConfigSchema = z.strictObject({
  /** Most segments per history; 1 = plain truncation to the last maxLen items. */
  count: z.number().int().positive().default(1),
  pool: z.enum(["mean", "last", "attention"]).default("attention"),
});
export type SegmentConfig = z.infer<typeof SegmentConfigSchema>;

/**
 * Splits each history into segments, newest last; returns the segment rows, where each starts in its history
 * (so per-position context can be cut alike) and a [B, S] validity mask.
 */
export function segmentHistories(
  histories: readonly Int32Array[],
  maxLen: number,
  count: number,
): { rows: Int32Array[]; starts: number[]; mask: Float32Array } {
  const rows: Int32Array[] = [];
  const starts: number[] = [];
  const mask = new Float32Array(histories.length * count);
  histories.forEach((h, b) => {
    for (let s = 0; s < count; s++) {
      // Segment s counts back from the newest: s = count − 1 holds the last maxLen items.
      const end = h.length - (count - 1 - s) * maxLen;
      const start = Math.max(0, end - maxLen);
      const seg = end > 0 ? h.subarray(start, end) : h.subarray(0, 0);
      rows.push(seg.length > 0 ? seg : Int32Array.of(0));
      starts.push(seg.length > 0 ? start : -1);
      mask[b * count + s] = seg.length > 0 ? 1 : 0;
    }
  });
  return { rows, starts, mask };
}

export function segmentMaskFeed(mask: Float32Array, batch: number, count: number): Feeds {
  return { segment_mask: tensor(mask, [batch, count]) };
}

/** Whether the pooled user vector reads the `segment_mask` input ("last" takes the newest segment, always there). */
export const readsSegmentMask = (cfg: SegmentConfig): boolean => cfg.count > 1 && cfg.pool !== "last";

/** Pools segment vectors [B·S, d] into user vectors [B, d] with the `segment_mask` [B, S] input. */
export function poolSegments(g: Graph, segVecs: Tensor, cfg: SegmentConfig, dim: number): Tensor {
  const vecs = o.reshape(segVecs, [-1, cfg.count, dim]); // [B, S, d]
  const last = o.squeeze(o.slice(vecs, { axes: [1], starts: [cfg.count - 1], ends: [cfg.count] }), [1]);
  if (!readsSegmentMask(cfg)) return last;
  const mask = g.input("segment_mask", g.floatType, ["batch", cfg.count]);
  let weights: Tensor;
  if (cfg.pool === "mean") weights = o.div(mask, o.sum(mask, { axes: [1], keepdims: true }));
  else {
    const scores = o.mul(o.sum(o.mul(vecs, o.unsqueeze(last, [1])), { axes: [2] }), 1 / Math.sqrt(dim));
    weights = o.softmax(o.where(o.greater(mask, 0), scores, -1e9));
  }
  return o.sum(o.mul(vecs, o.unsqueeze(weights, [2])), { axes: [1] });
}

/** Training rows for segment models: chunks of maxLen + 1 items overlapping by one, so every item but the
 * first is a target exactly once. */
export function cutForTraining(
  seqs: readonly Int32Array[],
  maxLen: number,
  contexts: readonly (PositionContext | undefined)[] = [],
): { rows: Int32Array[]; contexts: (PositionContext | undefined)[] } {
  const rows: Int32Array[] = [];
  const rowContexts: (PositionContext | undefined)[] = [];
  seqs.forEach((s, b) => {
    const c = contexts[b];
    for (let end = s.length; end > 1; end -= maxLen) {
      const start = Math.max(0, end - maxLen - 1);
      rows.push(s.subarray(start, end));
      rowContexts.push(c && sliceContext(c, start, end));
    }
  });
  return { rows, contexts: rowContexts };
}
