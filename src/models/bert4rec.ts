// BERT4Rec (Sun et al., CIKM'19): a bidirectional transformer trained as a cloze task. Random positions of
// each training sequence are replaced by a [MASK] token (id nItems + 1) and predicted from both sides; to
// recommend, [MASK] is appended to the history and its hidden state is read. Layout as in RecBole: item +
// position embeddings, LayerNorm, dropout, post-LN GELU blocks (padding-only attention mask), and a head of
// linear + GELU + LayerNorm before the tied item embeddings with a per-item output bias.
import { z } from "zod";
import type { BuildContext } from "../graph/context.js";
import type { Tensor } from "../graph/graph.js";
import type { Rng } from "../graph/init.js";
import * as nn from "../graph/nn.js";
import type { ParamStore } from "../graph/param-store.js";
import { type Feeds, tensor } from "../graph/session.js";
import * as o from "../graph/tensor-ops.js";
import { type FeedInput, type HistoryFeedSpec, historyFeeds } from "./history-feeds.js";
import { fullSoftmaxLoss, gatherPositions } from "./losses.js";
import type { ModelData, ModelFactory, SequenceRecommender, TrainGraph } from "./model.js";
import { type BiasedOutput, withOutputBias } from "./output-bias.js";
import { type SequenceInputs, sequenceFeeds, sequenceInputs } from "./sequence-inputs.js";

export const Bert4recConfigSchema = z.strictObject({
  maxLen: z.number().int().min(2).default(50),
  dim: z.number().int().positive().default(64),
  blocks: z.number().int().positive().default(2),
  heads: z.number().int().positive().default(2),
  dropout: z.number().min(0).max(1).default(0.1),
  /** Feed-forward inner size; BERT4Rec uses 4d. */
  inner: z.number().int().positive().optional(),
  /** Probability that a position is masked for training (RecBole 0.2; the paper tunes 0.2–0.6). */
  maskProb: z.number().gt(0).lt(1).default(0.2),
});
export type Bert4recConfig = z.infer<typeof Bert4recConfigSchema>;

const EPS = 1e-12;

/**
 * Training feeds: each sequence's last `maxLen` items, each position replaced by `maskId` with probability
 * `maskProb` (at least one per sequence, the last position included); targets are the original items at
 * the masked positions only (`loss_at` = their flat positions b·L + t).
 */
export function maskedItemFeeds(
  seqs: readonly Int32Array[],
  maxLen: number,
  maskProb: number,
  maskId: number,
  rng: Rng,
): Feeds {
  const inputs = seqs.map((s) => s.slice(Math.max(0, s.length - maxLen)));
  const masked: number[][] = inputs.map((s) => {
    const at: number[] = [];
    for (let j = 0; j < s.length; j++) if (rng.next() < maskProb) at.push(j);
    if (at.length === 0) at.push(rng.int(s.length));
    return at;
  });
  const m = masked.reduce((n, at) => n + at.length, 0);
  const lossAt = new BigInt64Array(m);
  const targets = new BigInt64Array(m);
  let k = 0;
  inputs.forEach((s, r) => {
    for (const j of masked[r]) {
      targets[k++] = BigInt(s[j]);
      s[j] = maskId;
    }
  });
  const { feeds, len } = sequenceFeeds(inputs, maxLen, false);
  k = 0;
  inputs.forEach((s, r) => {
    for (const j of masked[r]) lossAt[k++] = BigInt(r * len + len - s.length + j);
  });
  feeds.loss_at = tensor(lossAt, [m]);
  feeds.targets = tensor(targets, [m]);
  return feeds;
}

class Bert4rec implements SequenceRecommender {
  readonly name = "bert4rec";
  constructor(
    readonly cfg: Bert4recConfig,
    readonly nItems: number,
    readonly store: ParamStore,
  ) {}
  get maxLen(): number {
    return this.cfg.maxLen;
  }
  get maskId(): number {
    return this.nItems + 1;
  }

  /** Hidden states [B, L, d]; `table` [nItems + 2, d] holds padding (row 0), the items and [MASK]. */
  private encode(ctx: BuildContext, table: Tensor, inp: SequenceInputs): Tensor {
    const { dim, dropout } = this.cfg;
    const pos = nn.embeddingTable(ctx, "pos_emb", this.cfg.maxLen, dim, -1);
    const emb = o.add(o.gather(table, inp.items), o.gather(pos, inp.positions));
    let h = nn.dropout(ctx, nn.layerNorm(ctx, "emb_ln", emb, EPS), dropout);
    const block = {
      heads: this.cfg.heads,
      dropout,
      inner: this.cfg.inner ?? 4 * dim,
      activation: "gelu" as const,
      norm: "post" as const,
      eps: EPS,
    };
    for (let b = 0; b < this.cfg.blocks; b++)
      h = nn.transformerBlock(ctx, `block${b}`, h, inp.attnBias, block);
    return h;
  }

  /** Prediction head over the real items (rows 0..nItems; [MASK] is never a target). */
  private head(ctx: BuildContext, rows: Tensor, table: Tensor): BiasedOutput {
    const t = nn.layerNorm(ctx, "head_ln", nn.gelu(nn.linear(ctx, "head", rows, this.cfg.dim)), EPS);
    const items = o.slice(table, { axes: [0], starts: [0], ends: [this.nItems + 1] });
    return withOutputBias(ctx, "out_bias", t, items);
  }

  private graphParts(ctx: BuildContext, at: Tensor): BiasedOutput {
    const table = nn.embeddingTable(ctx, "item_emb", this.nItems + 2, this.cfg.dim);
    const hidden = this.encode(ctx, table, sequenceInputs(ctx.g, false));
    return this.head(ctx, gatherPositions(hidden, at), table);
  }

  buildTrainGraph(ctx: BuildContext): TrainGraph {
    const out = this.graphParts(ctx, ctx.g.input("loss_at", "int64", ["m"]));
    return { loss: fullSoftmaxLoss(out.rows, out.table, ctx.g.input("targets", "int64", ["m"])) };
  }

  trainFeeds(seqs: readonly Int32Array[], rng: Rng): Feeds {
    return maskedItemFeeds(seqs, this.cfg.maxLen, this.cfg.maskProb, this.maskId, rng);
  }

  buildScoreGraph(ctx: BuildContext): Tensor {
    const out = this.graphParts(ctx, ctx.g.input("last_at", "int64", ["batch"]));
    return o.matmul(out.rows, out.table, { transB: true });
  }

  /** The last maxLen − 1 items of each history followed by [MASK], whose hidden state is read. */
  get feedSpec(): HistoryFeedSpec {
    const inputs: FeedInput[] = ["items", "positions", "pad_bias", "last_at"];
    return { maxLen: this.cfg.maxLen, inputs, width: "batch", segments: 1, maskToken: this.maskId };
  }

  scoreFeeds(histories: readonly Int32Array[]): Feeds {
    return historyFeeds(this.feedSpec, histories);
  }
}

export const bert4rec: ModelFactory<Bert4recConfig> = {
  name: "bert4rec",
  configSchema: Bert4recConfigSchema,
  create: (config: Bert4recConfig, data: ModelData, store: ParamStore) =>
    new Bert4rec(config, data.nItems, store),
};
