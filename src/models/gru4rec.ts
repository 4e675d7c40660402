// GRU4Rec baseline (Hidasi et al., ICLR'16, as in RecBole with a tied output): one GRU layer over the item
// embeddings (dropout on the embeddings); the state after each item predicts the next item with a softmax
// over the whole catalogue, and the state after the last item of a history is its user vector.
// The graph has no loop op, so the recurrence is unrolled over a fixed window of maxLen steps: inputs are
// left-padded to exactly maxLen, and a padding step keeps the state (still 0) unchanged. The input
// projections of all steps are one matmul outside the loop; each step adds one [B, d] × [d, 3d] matmul.
import { z } from "zod";
import type { BuildContext } from "../graph/context.js";
import type { Tensor } from "../graph/graph.js";
import { normal, zeros } from "../graph/init.js";
import * as nn from "../graph/nn.js";
import type { ParamStore } from "../graph/param-store.js";
import { type Feeds, tensor } from "../graph/session.js";
import * as o from "../graph/tensor-ops.js";
import { type HistoryFeedSpec, historyFeeds } from "./history-feeds.js";
import { fullSoftmaxLoss, gatherPositions } from "./losses.js";
import type { ModelData, ModelFactory, SequenceRecommender, TrainGraph } from "./model.js";

export const Gru4recConfigSchema = z.strictObject({
  /** Steps of the unrolled recurrence (longer histories keep their last maxLen items). */
  maxLen: z.number().int().positive().max(200).default(50),
  dim: z.number().int().positive().default(64),
  /** Dropout on the item embeddings (RecBole's default). */
  dropout: z.number().min(0).max(1).default(0.3),
});
export type Gru4recConfig = z.infer<typeof Gru4recConfigSchema>;

/**
 * GRU states [B, d] after each of the L steps of `x` [B, L, d] (PyTorch's gate layout:
 * r, z = σ(W_x x + b_x + W_h h + b_h), n = tanh(W_xn x + b_xn + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h).
 * Where `keep` [B, L] is false the state is carried over unchanged.
 */
export function gruStates(ctx: BuildContext, name: string, x: Tensor, keep: Tensor): Tensor[] {
  const d = x.shape[2] as number;
  const steps = x.shape[1] as number;
  const cols = (t: Tensor, from: number, to: number) => o.slice(t, { axes: [1], starts: [from], ends: [to] });
  const xp = nn.linear(ctx, `${name}.x`, x, 3 * d);
  const wh = ctx.param(`${name}.h.weight`, [d, 3 * d], (n, rng) => normal(n, nn.DEFAULT_STD, rng));
  const bh = ctx.param(`${name}.h.bias`, [3 * d], zeros);
  let h = o.mul(o.detach(o.squeeze(o.slice(x, { axes: [1], starts: [0], ends: [1] }), [1])), 0); // zeros [B, d]
  const states: Tensor[] = [];
  // One Split along time, not a Slice per step: a Slice's gradient is a zero-padded copy of all of xp, so
  // per-step slices would make the backward pass quadratic in the number of steps.
  const step = o.detach(o.slice(xp, { axes: [1], starts: [0], ends: [1] })); // shape [B, 1, 3d] for Split
  const xs = ctx.g.apply("Split", [xp, ...Array.from({ length: steps }, () => step)], { axis: 1 });
  for (let t = 0; t < steps; t++) {
    const xt = o.squeeze(xs[t], [1]);
    const hp = o.add(o.matmul(h, wh), bh);
    const gates = o.sigmoid(o.add(cols(xt, 0, 2 * d), cols(hp, 0, 2 * d)));
    const n = o.tanh(o.add(cols(xt, 2 * d, 3 * d), o.mul(cols(gates, 0, d), cols(hp, 2 * d, 3 * d))));
    const next = o.add(n, o.mul(cols(gates, d, 2 * d), o.sub(h, n)));
    h = o.where(cols(keep, t, t + 1), next, h);
    states.push(h);
  }
  return states;
}

/** Item ids [B, len]: each sequence's last `len` items, left-padded with 0. */
export function leftPadded(seqs: readonly ArrayLike<number>[], len: number): BigInt64Array {
  const items = new BigInt64Array(seqs.length * len);
  seqs.forEach((s, r) => {
    const n = Math.min(s.length, len);
    for (let j = 0; j < n; j++) items[r * len + len - n + j] = BigInt(s[s.length - n + j]);
  });
  return items;
}

class Gru4rec implements SequenceRecommender {
  readonly name = "gru4rec";
  constructor(
    readonly cfg: Gru4recConfig,
    readonly nItems: number,
    readonly store: ParamStore,
  ) {}
  get maxLen(): number {
    return this.cfg.maxLen;
  }

  private encode(ctx: BuildContext): { table: Tensor; states: Tensor[] } {
    const table = nn.embeddingTable(ctx, "item_emb", this.nItems + 1, this.cfg.dim);
    const items = ctx.g.input("items", "int64", ["batch", this.cfg.maxLen]);
    const x = nn.dropout(ctx, o.gather(table, items), this.cfg.dropout);
    return { table, states: gruStates(ctx, "gru", x, o.greater(items, 0)) };
  }

  buildTrainGraph(ctx: BuildContext): TrainGraph {
    const { table, states } = this.encode(ctx);
    const hidden = o.concat(
      states.map((h) => o.unsqueeze(h, [1])),
      1,
    );
    const rows = gatherPositions(hidden, ctx.g.input("loss_at", "int64", ["m"]));
    return { loss: fullSoftmaxLoss(rows, table, ctx.g.input("targets", "int64", ["m"])) };
  }

  /** Inputs are each sequence but its last item, targets the items after them (non-padding positions only). */
  trainFeeds(seqs: readonly Int32Array[]): Feeds {
    const len = this.cfg.maxLen;
    const inputs = seqs.map((s) => s.subarray(Math.max(0, s.length - 1 - len), s.length - 1));
    const m = inputs.reduce((n, s) => n + s.length, 0);
    const at = new BigInt64Array(m);
    const targets = new BigInt64Array(m);
    let k = 0;
    inputs.forEach((s, r) => {
      const full = seqs[r];
      for (let j = 0; j < s.length; j++) {
        at[k] = BigInt(r * len + len - s.length + j);
        targets[k++] = BigInt(full[full.length - s.length + j]);
      }
    });
    return {
      items: tensor(leftPadded(inputs, len), [seqs.length, len]),
      loss_at: tensor(at, [m]),
      targets: tensor(targets, [m]),
    };
  }

  buildScoreGraph(ctx: BuildContext): Tensor {
    const { table, states } = this.encode(ctx);
    return o.matmul(states[states.length - 1], table, { transB: true });
  }

  /** The unrolled recurrence reads exactly maxLen steps. */
  get feedSpec(): HistoryFeedSpec {
    return { maxLen: this.cfg.maxLen, inputs: ["items"], width: "full", segments: 1 };
  }

  scoreFeeds(histories: readonly Int32Array[]): Feeds {
    return historyFeeds(this.feedSpec, histories);
  }
}

export const gru4rec: ModelFactory<Gru4recConfig> = {
  name: "gru4rec",
  configSchema: Gru4recConfigSchema,
  create: (config: Gru4recConfig, data: ModelData, store: ParamStore) =>
    new Gru4rec(config, data.nItems, store),
};
