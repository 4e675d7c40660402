// SASRec (Kang & McAuley, ICDM'18): a causal transformer over the item sequence; the hidden state at each
// position predicts the next item through the tied item embedding table. Layout follows the reference code:
// embeddings scaled by √d, pre-LN blocks with normalised queries, a final LayerNorm. Four losses (losses.ts).
// Optional side information: item towers fused into the (input and tied output) item table
// (item-features.ts), and per-position event-type / time-gap embeddings (context-features.ts). Both read
// data the factory gets beside ModelData (SasrecData); with them off, this is plain SASRec.
import { z } from "zod";
import type { BuildContext } from "../graph/context.js";
import type { Tensor } from "../graph/graph.js";
import type { Rng } from "../graph/init.js";
import * as nn from "../graph/nn.js";
import type { ParamStore } from "../graph/param-store.js";
import { type Feeds, tensor } from "../graph/session.js";
import * as o from "../graph/tensor-ops.js";
import { SeqrankError } from "../util/errors.js";
import {
  ContextConfigSchema,
  type ContextSpace,
  contextEmbedding,
  contextFeeds,
  type PositionContext,
  usesContext,
} from "./context-features.js";
import { type FeedInput, type HistoryFeedSpec, historyFeeds } from "./history-feeds.js";
import {
  fusedItemTable,
  ItemSideConfigSchema,
  type ItemSideData,
  type ItemSideTables,
  itemSideTables,
  titleItemVectors,
  usesItemSide,
} from "./item-features.js";
import {
  fullSoftmaxLoss,
  gatherPositions,
  gbceLoss,
  LossConfigSchema,
  sampledScores,
  sampledSoftmaxLoss,
} from "./losses.js";
import type { ModelData, ModelFactory, SequenceRecommender, TitleGraph, TrainGraph } from "./model.js";
import { nextItemFeeds, nextItemStreamFeeds } from "./next-item-batch.js";
import { cutForTraining, poolSegments, readsSegmentMask, SegmentConfigSchema } from "./segments.js";
import { type SequenceInputs, sequenceInputs } from "./sequence-inputs.js";

export const SasrecConfigSchema = z.strictObject({
  maxLen: z.number().int().positive().default(50),
  dim: z.number().int().positive().default(64),
  blocks: z.number().int().positive().default(2),
  heads: z.number().int().positive().default(1),
  dropout: z.number().min(0).max(1).default(0.1),
  /** Feed-forward inner size; SASRec uses d. */
  inner: z.number().int().positive().optional(),
  activation: z.enum(["relu", "gelu"]).default("relu"),
  norm: z.enum(["pre", "post"]).default("pre"),
  loss: LossConfigSchema.default({}),
  /** Training batches are encoded as this many length streams (random batches, little padding; CE loss, no
   * context features). 1 = one left-padded block per batch. */
  trainStreams: z.number().int().positive().default(3),
  /** Long histories: encode up to `count` segments of maxLen items and pool them (segments.ts). */
  segments: SegmentConfigSchema.default({}),
  /** Item side information fused into the item table (item-features.ts). */
  side: ItemSideConfigSchema.default({}),
  /** Per-position event-type and time-gap embeddings (context-features.ts). */
  context: ContextConfigSchema.default({}),
});
export type SasrecConfig = z.infer<typeof SasrecConfigSchema>;

/** ModelData plus the side data the optional features read (TrainData carries both; see train-data.ts). */
export interface SasrecData extends ModelData {
  itemSide?: ItemSideData;
  /** What the dataset's per-position contexts hold (the contexts themselves come with each batch). */
  contextSpace?: ContextSpace;
}

/** The item embedding table [nItems + 1, d]; row 0 is padding. */
export function itemTable(ctx: BuildContext, nItems: number, dim: number): Tensor {
  return nn.embeddingTable(ctx, "item_emb", nItems + 1, dim);
}

/**
 * Hidden states [B, L, d] for every position of the (left-padded) input sequences; `context` [B, L, d]
 * (per-position side embeddings) is added to the input embeddings when given.
 */
export function sasrecEncode(
  ctx: BuildContext,
  cfg: SasrecConfig,
  items: Tensor,
  inp: SequenceInputs,
  context?: Tensor,
): Tensor {
  const pos = nn.embeddingTable(ctx, "pos_emb", cfg.maxLen, cfg.dim, -1);
  let emb = o.add(o.mul(o.gather(items, inp.items), Math.sqrt(cfg.dim)), o.gather(pos, inp.positions));
  if (context) emb = o.add(emb, context);
  let h = nn.dropout(ctx, emb, cfg.dropout);
  const block = {
    heads: cfg.heads,
    dropout: cfg.dropout,
    inner: cfg.inner ?? cfg.dim,
    activation: cfg.activation,
    norm: cfg.norm,
    eps: 1e-8,
  };
  for (let b = 0; b < cfg.blocks; b++) h = nn.transformerBlock(ctx, `block${b}`, h, inp.attnBias, block);
  return cfg.norm === "pre" ? nn.layerNorm(ctx, "final_ln", h, 1e-8) : h;
}

class Sasrec implements SequenceRecommender {
  readonly name = "sasrec";
  private readonly sideTables?: ItemSideTables;
  constructor(
    readonly cfg: SasrecConfig,
    readonly nItems: number,
    readonly store: ParamStore,
    private readonly itemSide?: ItemSideData,
    /** Set when the model reads per-position context (event types, time gaps). */
    private readonly contexts?: ContextSpace,
  ) {
    if (itemSide) this.sideTables = itemSideTables(cfg.side, itemSide, nItems);
  }
  get maxLen(): number {
    return this.cfg.maxLen;
  }

  /** The item table every graph uses: plain ID embeddings, or fused with the side towers. */
  table(ctx: BuildContext): Tensor {
    if (!this.sideTables || !this.itemSide) return itemTable(ctx, this.nItems, this.cfg.dim);
    return fusedItemTable(ctx, this.cfg.side, this.sideTables, this.itemSide, this.nItems, this.cfg.dim);
  }

  private encode(ctx: BuildContext, table: Tensor): Tensor {
    const extra = this.contexts
      ? contextEmbedding(ctx, this.cfg.context, this.contexts, this.cfg.dim)
      : undefined;
    return sasrecEncode(ctx, this.cfg, table, sequenceInputs(ctx.g, true), extra);
  }

  /** Streams apply to plain next-item CE training (other losses and context features use one block). */
  private get streams(): number {
    const plain = this.cfg.loss.kind === "ce" && !this.contexts && this.cfg.segments.count === 1;
    return plain ? this.cfg.trainStreams : 1;
  }

  /** Hidden rows of every stream, flattened and concatenated in stream order ([Σ B_k·L_k, d]). */
  private encodeStreams(ctx: BuildContext, table: Tensor): Tensor {
    const flat = Array.from({ length: this.streams }, (_, k) =>
      o.reshape(sasrecEncode(ctx, this.cfg, table, sequenceInputs(ctx.g, true, `s${k}_`)), [
        -1,
        this.cfg.dim,
      ]),
    );
    return flat.length === 1 ? flat[0] : o.concat(flat, 0);
  }

  buildTrainGraph(ctx: BuildContext): TrainGraph {
    const g = ctx.g;
    const table = this.table(ctx);
    const at = g.input("loss_at", "int64", ["m"]);
    const targets = g.input("targets", "int64", ["m"]);
    const loss = this.cfg.loss;
    if (loss.kind === "ce") {
      // With side towers the softmax runs over the warm items only (targets are fed as their indices).
      const rows = this.sideTables?.trainRows;
      const out = rows ? o.gather(table, g.constant(rows, [rows.length], "int64")) : table;
      const states =
        this.streams > 1
          ? o.gather(this.encodeStreams(ctx, table), at)
          : gatherPositions(this.encode(ctx, table), at);
      return { loss: fullSoftmaxLoss(states, out, targets) };
    }
    const hidden = this.encode(ctx, table);
    const k = loss.kind === "bce" ? 1 : loss.negatives;
    const negatives = g.input("negatives", "int64", ["batch", k]);
    const scores = sampledScores(hidden, at, table, targets, negatives, g.input("row_of", "int64", ["m"]));
    if (loss.kind === "sampled") return { loss: sampledSoftmaxLoss(scores) };
    return { loss: gbceLoss(scores, k, this.nItems, loss.kind === "bce" ? 0 : loss.gbceT) };
  }

  trainFeeds(
    batch: readonly Int32Array[],
    rng: Rng,
    batchContexts: readonly (PositionContext | undefined)[] = [],
  ): Feeds {
    const cut =
      this.cfg.segments.count > 1
        ? cutForTraining(batch, this.cfg.maxLen, batchContexts)
        : { rows: batch, contexts: batchContexts };
    const seqs = cut.rows;
    if (this.streams > 1) {
      const feeds = nextItemStreamFeeds(seqs, this.cfg.maxLen, this.streams);
      if (this.sideTables) remap(feeds.targets.data as BigInt64Array, this.sideTables.trainIndex);
      return feeds;
    }
    const { feeds, rowOf } = nextItemFeeds(seqs, this.cfg.maxLen);
    if (this.contexts)
      Object.assign(feeds, contextFeeds(this.cfg.context, seqs, cut.contexts, width(feeds), true));
    if (this.cfg.loss.kind === "ce") {
      if (this.sideTables) remap(feeds.targets.data as BigInt64Array, this.sideTables.trainIndex);
      return feeds;
    }
    const k = this.cfg.loss.kind === "bce" ? 1 : this.cfg.loss.negatives;
    const negatives = new BigInt64Array(seqs.length * k);
    for (let i = 0; i < negatives.length; i++) negatives[i] = BigInt(1 + rng.int(this.nItems));
    feeds.negatives = tensor(negatives, [seqs.length, k]);
    feeds.row_of = rowOf;
    return feeds;
  }

  buildScoreGraph(ctx: BuildContext): Tensor {
    const g = ctx.g;
    const table = this.table(ctx);
    const hidden = this.encode(ctx, table);
    const last = gatherPositions(hidden, g.input("last_at", "int64", ["batch"]));
    const seg = this.cfg.segments;
    const user = seg.count > 1 ? poolSegments(g, last, seg, this.cfg.dim) : last;
    return o.matmul(user, table, { transB: true });
  }

  buildTitleGraph(ctx: BuildContext): TitleGraph | undefined {
    if (!this.sideTables?.title || !this.itemSide) return undefined;
    const vectors = titleItemVectors(ctx, this.cfg.side, this.sideTables, this.itemSide, this.cfg.dim);
    return { vectors, maxTokens: this.cfg.side.maxTitleTokens };
  }

  get feedSpec(): HistoryFeedSpec {
    const { segments, context } = this.cfg;
    const inputs: FeedInput[] = ["items", "positions", "pad_bias", "causal_bias", "last_at"];
    if (readsSegmentMask(segments)) inputs.push("segment_mask");
    if (this.contexts && context.events) inputs.push("event_ids");
    if (this.contexts && context.timeGaps) inputs.push("gap_ids");
    return { maxLen: this.cfg.maxLen, inputs, width: "batch", segments: segments.count };
  }

  scoreFeeds(
    histories: readonly Int32Array[],
    contexts: readonly (PositionContext | undefined)[] = [],
  ): Feeds {
    return historyFeeds(this.feedSpec, histories, this.contexts ? contexts : []);
  }
}

function remap(ids: BigInt64Array, index: Int32Array): void {
  for (let k = 0; k < ids.length; k++) ids[k] = BigInt(index[Number(ids[k])]);
}

/** The trimmed batch width L of next-item feeds. */
function width(feeds: Feeds): number {
  return Number(feeds.items.dims[1]);
}

function create(config: SasrecConfig, data: SasrecData, store: ParamStore): Sasrec {
  const need = (what: string): never => {
    throw new SeqrankError("SR_ERR_SIDE_DATA", `sasrec: ${what} enabled but the model data carries none`);
  };
  const side = usesItemSide(config.side) ? (data.itemSide ?? need("item side features")) : undefined;
  const contexts = usesContext(config.context)
    ? (data.contextSpace ?? need("per-position context"))
    : undefined;
  if (config.context.timeGaps && contexts && !contexts.hasTimestamps)
    throw new SeqrankError(
      "SR_ERR_SIDE_DATA",
      "sasrec: context.timeGaps needs timestamps; the dataset has none",
    );
  return new Sasrec(config, data.nItems, store, side, contexts);
}

export const sasrec: ModelFactory<SasrecConfig> = {
  name: "sasrec",
  configSchema: SasrecConfigSchema,
  create: (config: SasrecConfig, data: SasrecData, store: ParamStore) => create(config, data, store),
};
