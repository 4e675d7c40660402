// How a model's user encoder is fed from histories (oldest first): a serialisable description per model
// (HistoryFeedSpec, recorded in a served model's model.json) and the ONE function that turns histories into
// feeds from it. Every model's scoreFeeds calls it (evaluation during training, `seqrank evaluate`), and so
// does the service's model loader: offline and served scores come from the same feeds. Each encoder input is
// filled by a named builder (FEED_BUILDERS); export refuses a graph with an input no builder fills.
import { z } from "zod";
import { type Feeds, tensor } from "../graph/session.js";
import { type RowContext, rowContextFeeds } from "./context-features.js";
import { segmentHistories, segmentMaskFeed } from "./segments.js";
import { lastPositionFeeds, sequenceFeeds } from "./sequence-inputs.js";

/** Encoder input name → the feature builder that fills it. */
export const FEED_BUILDERS = {
  items: "item-ids",
  positions: "positions",
  pad_bias: "padding-mask",
  causal_bias: "causal-mask",
  last_at: "last-position",
  segment_mask: "segment-mask",
  event_ids: "event-types",
  gap_ids: "time-gaps",
  scale: "history-scale",
} as const;
export type FeedInput = keyof typeof FEED_BUILDERS;
export const FEED_INPUTS = Object.keys(FEED_BUILDERS) as [FeedInput, ...FeedInput[]];

export const HistoryFeedSpecSchema = z.object({
  /** Longest window the encoder reads (older items are cut, or go to older segments). */
  maxLen: z.number().int().positive(),
  /** The encoder's inputs; each is filled by its builder in FEED_BUILDERS. */
  inputs: z.array(z.enum(FEED_INPUTS)).min(1),
  /** "batch": padded to the batch's longest history (≤ maxLen); "full": always maxLen wide (unrolled graphs). */
  width: z.enum(["batch", "full"]),
  /** BERT4Rec: the newest maxLen − 1 items, then this [MASK] id, whose hidden state is read. */
  maskToken: z.number().int().positive().optional(),
  /** Segment models: up to this many segments of maxLen items each (segments.ts); 1 = plain truncation. */
  segments: z.number().int().positive(),
  /** BPR-MF: the pooled history is scaled by max(1, n)^−scaleAlpha (n = items read). */
  scaleAlpha: z.number().optional(),
});
export type HistoryFeedSpec = z.infer<typeof HistoryFeedSpecSchema>;

/** `c` cut to positions [start, end), with `extra` unknown positions appended (the [MASK] slot). */
function cutContext(c: RowContext, start: number, end: number, extra = 0): RowContext {
  const n = end - start;
  const events = new Int16Array(n + extra).fill(-1);
  const ts = new Float64Array(n + extra).fill(Number.NaN);
  for (let j = 0; j < n; j++) {
    events[j] = c.events[start + j];
    ts[j] = c.ts[start + j];
  }
  return { events, ts };
}

/** The encoder rows of `histories` (segments, or a [MASK] slot appended), with their contexts cut alike. */
function encoderRows(
  spec: HistoryFeedSpec,
  histories: readonly Int32Array[],
  contexts: readonly (RowContext | undefined)[],
): { rows: Int32Array[]; rowContexts: (RowContext | undefined)[]; extra: Feeds } {
  const { maxLen, segments, maskToken } = spec;
  if (segments > 1) {
    const { rows, starts, mask } = segmentHistories(histories, maxLen, segments);
    const rowContexts = rows.map((row, i) => {
      const c = contexts[Math.floor(i / segments)];
      return c && starts[i] >= 0 ? cutContext(c, starts[i], starts[i] + row.length) : undefined;
    });
    return { rows, rowContexts, extra: segmentMaskFeed(mask, histories.length, segments) };
  }
  if (maskToken === undefined) return { rows: [...histories], rowContexts: [...contexts], extra: {} };
  const rows: Int32Array[] = [];
  const rowContexts = histories.map((h, b) => {
    const start = Math.max(0, h.length - (maxLen - 1));
    const row = new Int32Array(h.length - start + 1);
    row.set(h.subarray(start));
    row[row.length - 1] = maskToken;
    rows.push(row);
    const c = contexts[b];
    return c && cutContext(c, start, h.length, 1);
  });
  return { rows, rowContexts, extra: {} };
}

/**
 * Feeds of the encoder `spec` describes for a batch of histories; contexts[b] (when given) holds the event
 * types and times of histories[b] position by position (models with event-type / time-gap inputs; without,
 * every position reads as unknown).
 */
export function historyFeeds(
  spec: HistoryFeedSpec,
  histories: readonly Int32Array[],
  contexts: readonly (RowContext | undefined)[] = [],
): Feeds {
  const { rows, rowContexts, extra } = encoderRows(spec, histories, contexts);
  const wants = new Set<string>(spec.inputs);
  const { feeds, len } = sequenceFeeds(
    rows,
    spec.maxLen,
    wants.has("causal_bias"),
    "",
    spec.width === "full",
  );
  const all: Feeds = {
    ...feeds,
    ...lastPositionFeeds(rows.length, len),
    ...extra,
    ...rowContextFeeds(
      { events: wants.has("event_ids"), timeGaps: wants.has("gap_ids") },
      rows,
      rowContexts,
      len,
    ),
  };
  if (spec.scaleAlpha !== undefined) {
    const alpha = spec.scaleAlpha;
    const scale = Float32Array.from(histories, (h) => Math.max(1, Math.min(h.length, spec.maxLen)) ** -alpha);
    all.scale = tensor(scale, [histories.length]);
  }
  const out: Feeds = {};
  for (const name of spec.inputs) out[name] = all[name];
  return out;
}
