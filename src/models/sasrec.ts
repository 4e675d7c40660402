// SASRec (Kang & McAuley, ICDM'18): a causal transformer over the item sequence; the hidden state at each
// position predicts the next item through the tied item embedding table. Layout follows the reference code:
// embeddings scaled by √d, pre-LN blocks with normalised queries, a final LayerNorm. Four losses (losses.ts).
import { z } from "zod";
import type { BuildContext } from "../graph/context.js";
import type { Tensor } from "../graph/graph.js";
import type { Rng } from "../graph/init.js";
import * as nn from "../graph/nn.js";
import type { ParamStore } from "../graph/param-store.js";
import { type Feeds, tensor } from "../graph/session.js";
import * as o from "../graph/tensor-ops.js";
import {
  fullSoftmaxLoss,
  gatherPositions,
  gbceLoss,
  LossConfigSchema,
  sampledScores,
  sampledSoftmaxLoss,
} from "./losses.js";
import type { ModelData, ModelFactory, SequenceRecommender, TrainGraph } from "./model.js";
import { nextItemFeeds } from "./next-item-batch.js";
import {
  cutForTraining,
  poolSegments,
  SegmentConfigSchema,
  segmentHistories,
  segmentMaskFeed,
} from "./segments.js";
import { lastPositionFeeds, type SequenceInputs, sequenceFeeds, sequenceInputs } from "./sequence-inputs.js";

export const SasrecConfigSchema = z.object({
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
  /** Long histories: encode up to `count` segments of maxLen items and pool them (segments.ts). */
  segments: SegmentConfigSchema.default({}),
});
export type SasrecConfig = z.infer<typeof SasrecConfigSchema>;

/** The item embedding table [nItems + 1, d]; row 0 is padding. */
export function itemTable(ctx: BuildContext, nItems: number, dim: number): Tensor {
  return nn.embeddingTable(ctx, "item_emb", nItems + 1, dim);
}

/** Hidden states [B, L, d] for every position of the (left-padded) input sequences. */
export function sasrecEncode(
  ctx: BuildContext,
  cfg: SasrecConfig,
  items: Tensor,
  inp: SequenceInputs,
): Tensor {
  const pos = nn.embeddingTable(ctx, "pos_emb", cfg.maxLen, cfg.dim, -1);
  const emb = o.add(o.mul(o.gather(items, inp.items), Math.sqrt(cfg.dim)), o.gather(pos, inp.positions));
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
  constructor(
    readonly cfg: SasrecConfig,
    readonly nItems: number,
    readonly store: ParamStore,
  ) {}
  get maxLen(): number {
    return this.cfg.maxLen;
  }

  buildTrainGraph(ctx: BuildContext): TrainGraph {
    const g = ctx.g;
    const table = itemTable(ctx, this.nItems, this.cfg.dim);
    const hidden = sasrecEncode(ctx, this.cfg, table, sequenceInputs(g, true));
    const at = g.input("loss_at", "int64", ["m"]);
    const targets = g.input("targets", "int64", ["m"]);
    const loss = this.cfg.loss;
    if (loss.kind === "ce") return { loss: fullSoftmaxLoss(gatherPositions(hidden, at), table, targets) };
    const k = loss.kind === "bce" ? 1 : loss.negatives;
    const negatives = g.input("negatives", "int64", ["batch", k]);
    const scores = sampledScores(hidden, at, table, targets, negatives, g.input("row_of", "int64", ["m"]));
    if (loss.kind === "sampled") return { loss: sampledSoftmaxLoss(scores) };
    return { loss: gbceLoss(scores, k, this.nItems, loss.kind === "bce" ? 0 : loss.gbceT) };
  }

  trainFeeds(batch: readonly Int32Array[], rng: Rng): Feeds {
    const seqs = this.cfg.segments.count > 1 ? cutForTraining(batch, this.cfg.maxLen) : batch;
    const { feeds, rowOf } = nextItemFeeds(seqs, this.cfg.maxLen);
    if (this.cfg.loss.kind === "ce") return feeds;
    const k = this.cfg.loss.kind === "bce" ? 1 : this.cfg.loss.negatives;
    const negatives = new BigInt64Array(seqs.length * k);
    for (let i = 0; i < negatives.length; i++) negatives[i] = BigInt(1 + rng.int(this.nItems));
    feeds.negatives = tensor(negatives, [seqs.length, k]);
    feeds.row_of = rowOf;
    return feeds;
  }

  buildScoreGraph(ctx: BuildContext): Tensor {
    const g = ctx.g;
    const table = itemTable(ctx, this.nItems, this.cfg.dim);
    const hidden = sasrecEncode(ctx, this.cfg, table, sequenceInputs(g, true));
    const last = gatherPositions(hidden, g.input("last_at", "int64", ["batch"]));
    const seg = this.cfg.segments;
    const user = seg.count > 1 ? poolSegments(g, last, seg, this.cfg.dim) : last;
    return o.matmul(user, table, { transB: true });
  }

  scoreFeeds(histories: readonly Int32Array[]): Feeds {
    const { count } = this.cfg.segments;
    if (count === 1) {
      const { feeds, len } = sequenceFeeds(histories, this.cfg.maxLen, true);
      return { ...feeds, ...lastPositionFeeds(histories.length, len) };
    }
    const { rows, mask } = segmentHistories(histories, this.cfg.maxLen, count);
    const { feeds, len } = sequenceFeeds(rows, this.cfg.maxLen, true);
    return {
      ...feeds,
      ...lastPositionFeeds(rows.length, len),
      ...segmentMaskFeed(mask, histories.length, count),
    };
  }
}

export const sasrec: ModelFactory<SasrecConfig> = {
  name: "sasrec",
  configSchema: SasrecConfigSchema,
  create: (config: SasrecConfig, data: ModelData, store: ParamStore) =>
    new Sasrec(config, data.nItems, store),
};
