// BPR-MF as a sequence model. The SequenceRecommender feeds carry histories, not user ids, so the user
// vector is FISM's (Kabbur et al., KDD'13): the pooled embeddings of the user's items,
// u = n^−α · Σ_j p_j, and score(u, i) = u · q_i + b_i with separate history (p) and target (q) tables.
// Training treats every item of a training sequence as a positive whose user vector pools the other items
// (FISM's leave-the-target-out rule, so an item never predicts itself); order is ignored. The loss is BPR
// against one uniform negative per positive (Rendle et al., UAI'09) or a softmax over the whole catalogue.
import { z } from "zod";
import type { BuildContext } from "../graph/context.js";
import type { Tensor } from "../graph/graph.js";
import type { Rng } from "../graph/init.js";
import * as nn from "../graph/nn.js";
import type { ParamStore } from "../graph/param-store.js";
import { type Feeds, tensor } from "../graph/session.js";
import * as o from "../graph/tensor-ops.js";
import { type HistoryFeedSpec, historyFeeds } from "./history-feeds.js";
import { fullSoftmaxLoss, logSigmoid } from "./losses.js";
import type { ModelData, ModelFactory, SequenceRecommender, TrainGraph } from "./model.js";
import { withOutputBias } from "./output-bias.js";
import { sequenceFeeds } from "./sequence-inputs.js";

export const BprmfConfigSchema = z.strictObject({
  /** Items of a history that are pooled (the most recent ones). */
  maxLen: z.number().int().min(2).default(50),
  dim: z.number().int().positive().default(64),
  /** Pooling exponent: 1 = mean, 0 = sum; FISM finds 0.4–0.5 best. */
  alpha: z.number().min(0).max(1).default(0.5),
  /** bpr: one uniform negative per positive; ce: softmax over all items. */
  loss: z.enum(["bpr", "ce"]).default("bpr"),
});
export type BprmfConfig = z.infer<typeof BprmfConfigSchema>;

class Bprmf implements SequenceRecommender {
  readonly name = "bprmf";
  constructor(
    readonly cfg: BprmfConfig,
    readonly nItems: number,
    readonly store: ParamStore,
  ) {}
  get maxLen(): number {
    return this.cfg.maxLen;
  }

  /** History table p, target table q, and Σ_j p_j [B, d] over the non-padding items of `items`. */
  private pool(ctx: BuildContext) {
    const history = nn.embeddingTable(ctx, "history_emb", this.nItems + 1, this.cfg.dim);
    const target = nn.embeddingTable(ctx, "item_emb", this.nItems + 1, this.cfg.dim);
    const items = ctx.g.input("items", "int64", ["batch", "seq"]);
    // Masked rather than relying on a zero padding row: the sum would otherwise train row 0.
    const real = o.unsqueeze(o.greater(items, 0), [2]);
    const sum = o.sum(o.where(real, o.gather(history, items), 0), { axes: [1] });
    return { history, target, sum };
  }

  buildTrainGraph(ctx: BuildContext): TrainGraph {
    const g = ctx.g;
    const { history, target, sum } = this.pool(ctx);
    const positives = g.input("targets", "int64", ["m"]);
    const rowOf = g.input("row_of", "int64", ["m"]);
    const scale = g.input("scale", g.floatType, ["m"]);
    const user = o.mul(o.sub(o.gather(sum, rowOf), o.gather(history, positives)), o.unsqueeze(scale, [1]));
    const out = withOutputBias(ctx, "item_bias", user, target);
    if (this.cfg.loss === "ce") return { loss: fullSoftmaxLoss(out.rows, out.table, positives) };
    const score = (ids: Tensor) => o.sum(o.mul(out.rows, o.gather(out.table, ids)), { axes: [-1] });
    const negatives = g.input("negatives", "int64", ["m"]);
    return { loss: o.neg(o.mean(logSigmoid(o.sub(score(positives), score(negatives))))) };
  }

  /** Every item of each sequence's last maxLen is a positive, pooled over the sequence's other items. */
  trainFeeds(seqs: readonly Int32Array[], rng: Rng): Feeds {
    const inputs = seqs.map((s) => s.subarray(Math.max(0, s.length - this.cfg.maxLen)));
    const m = inputs.reduce((n, s) => n + s.length, 0);
    const targets = new BigInt64Array(m);
    const rowOf = new BigInt64Array(m);
    const scale = new Float32Array(m);
    let k = 0;
    inputs.forEach((s, r) => {
      const w = (s.length - 1) ** -this.cfg.alpha;
      for (let j = 0; j < s.length; j++, k++) {
        targets[k] = BigInt(s[j]);
        rowOf[k] = BigInt(r);
        scale[k] = w;
      }
    });
    const feeds: Feeds = {
      items: sequenceFeeds(inputs, this.cfg.maxLen, false).feeds.items,
      targets: tensor(targets, [m]),
      row_of: tensor(rowOf, [m]),
      scale: tensor(scale, [m]),
    };
    if (this.cfg.loss === "bpr") {
      const negatives = BigInt64Array.from({ length: m }, () => BigInt(1 + rng.int(this.nItems)));
      feeds.negatives = tensor(negatives, [m]);
    }
    return feeds;
  }

  buildScoreGraph(ctx: BuildContext): Tensor {
    const { target, sum } = this.pool(ctx);
    const user = o.mul(sum, o.unsqueeze(ctx.g.input("scale", ctx.g.floatType, ["batch"]), [1]));
    const out = withOutputBias(ctx, "item_bias", user, target);
    return o.matmul(out.rows, out.table, { transB: true });
  }

  get feedSpec(): HistoryFeedSpec {
    const { maxLen, alpha } = this.cfg;
    return { maxLen, inputs: ["items", "scale"], width: "batch", segments: 1, scaleAlpha: alpha };
  }

  scoreFeeds(histories: readonly Int32Array[]): Feeds {
    return historyFeeds(this.feedSpec, histories);
  }
}

export const bprmf: ModelFactory<BprmfConfig> = {
  name: "bprmf",
  configSchema: BprmfConfigSchema,
  create: (config: BprmfConfig, data: ModelData, store: ParamStore) => new Bprmf(config, data.nItems, store),
};
