// Per-position context of a sequence: the event type of each interaction (taobao pv/fav/cart/buy) and the
// time since the previous one, bucketed on a log scale. The context travels beside the item arrays as typed
// fields of the data, aligned by index (TrainData.sequenceContexts with its sequences, EvalData.contexts with
// its histories), and every transform of a sequence (augmentation, segment cuts) transforms its context
// alike. A row without one (a served history of a user with no events) reads as "unknown" (id 0), which the
// embeddings also learn.
import { z } from "zod";
import type { BuildContext } from "../graph/context.js";
import type { Tensor } from "../graph/graph.js";
import * as nn from "../graph/nn.js";
import { type Feeds, tensor } from "../graph/session.js";
import * as o from "../graph/tensor-ops.js";

export const ContextConfigSchema = z.strictObject({
  /** Add an embedding of each input event's type. */
  events: z.boolean().default(false),
  /** Add an embedding of the bucketed time since the previous event (needs timestamps). */
  timeGaps: z.boolean().default(false),
});
export type ContextConfig = z.infer<typeof ContextConfigSchema>;

export interface PositionContext {
  /** Event-type code of each position (the dataset's codes, 0-based). */
  events: Uint8Array;
  /** Unix seconds of each position, NaN when unknown. */
  ts: Float64Array;
}

/** The context of any row (a served history, a segment, a row with a [MASK] slot): a code below 0 = unknown. */
export interface RowContext {
  events: ArrayLike<number>;
  ts: ArrayLike<number>;
}

/** What a dataset's contexts can hold: the model sizes its tables by it. */
export interface ContextSpace {
  /** Number of event-type codes of the dataset. */
  nEventTypes: number;
  /** Whether any timestamp is known (time gaps are useless without). */
  hasTimestamps: boolean;
}

/** The positions `at` (indices into the sequence) of a context, in that order: a transformed sequence's context. */
export function pickContext(c: PositionContext, at: ArrayLike<number>): PositionContext {
  return { events: Uint8Array.from(at, (p) => c.events[p]), ts: Float64Array.from(at, (p) => c.ts[p]) };
}

/** Positions start..end (exclusive) of a context, without copying. */
export function sliceContext(c: PositionContext, start: number, end: number): PositionContext {
  return { events: c.events.subarray(start, end), ts: c.ts.subarray(start, end) };
}

/** Gap ids: 0 = unknown or padding, 1 = first event of the sequence, 2 + ⌊log2(1 + seconds)⌋ (capped) after. */
export const GAP_BUCKETS = 34;
export function gapBucket(seconds: number): number {
  if (Number.isNaN(seconds)) return 0;
  return 2 + Math.min(GAP_BUCKETS - 3, Math.floor(Math.log2(1 + Math.max(0, seconds))));
}

export function usesContext(cfg: ContextConfig): boolean {
  return cfg.events || cfg.timeGaps;
}

/**
 * `event_ids` and/or `gap_ids` [B, L] (the enabled ones) aligned with `sequenceFeeds`' left padding: row r holds the context of the
 * last min(L, m) positions of seqs[r]'s input (contexts[r] covers seqs[r] position by position), where the input is the sequence without its last item when
 * `dropLast` (training: the last item is only a target) and the whole sequence otherwise (scoring).
 */
export function contextFeeds(
  cfg: ContextConfig,
  seqs: readonly Int32Array[],
  contexts: readonly (PositionContext | undefined)[],
  len: number,
  dropLast: boolean,
): Feeds {
  const inputs = dropLast ? seqs.map((s) => s.subarray(0, Math.max(0, s.length - 1))) : seqs;
  return rowContextFeeds(cfg, inputs, contexts, len);
}

/**
 * The same for rows whose contexts are given beside them: rowContexts[r] covers rows[r] position by position
 * (undefined = unknown throughout; an event code below 0 = an unknown type).
 */
export function rowContextFeeds(
  cfg: ContextConfig,
  rows: readonly ArrayLike<number>[],
  rowContexts: readonly (RowContext | undefined)[],
  len: number,
): Feeds {
  const b = rows.length;
  const events = new BigInt64Array(b * len);
  const gaps = new BigInt64Array(b * len);
  for (let r = 0; r < b; r++) {
    const c = rowContexts[r];
    if (!c) continue;
    const m = rows[r].length;
    const n = Math.min(m, len);
    for (let j = 0; j < n; j++) {
      const at = r * len + len - n + j;
      const p = m - n + j;
      events[at] = BigInt(c.events[p] < 0 ? 0 : c.events[p] + 1);
      gaps[at] = BigInt(p === 0 ? 1 : gapBucket(c.ts[p] - c.ts[p - 1]));
    }
  }
  const feeds: Feeds = {};
  if (cfg.events) feeds.event_ids = tensor(events, [b, len]);
  if (cfg.timeGaps) feeds.gap_ids = tensor(gaps, [b, len]);
  return feeds;
}

/** Sum of the enabled context embeddings [B, L, d], or undefined when none is enabled. */
export function contextEmbedding(
  ctx: BuildContext,
  cfg: ContextConfig,
  space: ContextSpace,
  dim: number,
): Tensor | undefined {
  const parts: Tensor[] = [];
  if (cfg.events) {
    const table = nn.embeddingTable(ctx, "event_emb", space.nEventTypes + 1, dim);
    parts.push(o.gather(table, ctx.g.input("event_ids", "int64", ["batch", "seq"])));
  }
  if (cfg.timeGaps) {
    const table = nn.embeddingTable(ctx, "gap_emb", GAP_BUCKETS, dim);
    parts.push(o.gather(table, ctx.g.input("gap_ids", "int64", ["batch", "seq"])));
  }
  return parts.length === 0 ? undefined : parts.reduce((a, t) => o.add(a, t));
}
