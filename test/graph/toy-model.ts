// A 2-block causal transformer over a toy next-token task, shared by the learning, checkpoint and export tests.
import { BuildContext } from "../../src/graph/context.js";
import { Graph, type Tensor } from "../../src/graph/graph.js";
import { Rng } from "../../src/graph/init.js";
import * as nn from "../../src/graph/nn.js";
import type { ParamStore } from "../../src/graph/param-store.js";
import { type Feeds, tensor } from "../../src/graph/session.js";
import * as o from "../../src/graph/tensor-ops.js";

export const VOCAB = 16; // ids 1..15, 0 unused
export const LEN = 12;
export const PERIOD = 4;
export const D = 32;

/** Hidden rows [B·L, D], item table and logits of the toy model; `tokens` [B, L] and `bias` [1, 1, L, L] are inputs. */
export function toyLogits(store: ParamStore, training: boolean, dropout = 0.1) {
  const g = new Graph();
  const ctx = new BuildContext(g, store, training);
  const tokens = g.input("tokens", "int64", ["batch", "seq"]);
  const positions = g.input("positions", "int64", ["seq"]);
  const bias = g.input("bias", "float32", [1, 1, "seq", "seq"]);
  const table = nn.embeddingTable(ctx, "item", VOCAB, D);
  const pos = nn.embeddingTable(ctx, "pos", LEN, D, -1);
  let h = nn.dropout(ctx, o.add(o.gather(table, tokens), o.gather(pos, positions)), dropout);
  for (let b = 0; b < 2; b++) {
    h = nn.transformerBlock(ctx, `block${b}`, h, bias, {
      heads: 2,
      dropout,
      inner: 64,
      activation: "gelu",
      norm: "post",
      eps: 1e-6,
    });
  }
  const rows = o.reshape(h, [-1, D]);
  return { g, rows, table, logits: o.matmul(rows, table, { transB: true }) };
}

export function toyLoss(store: ParamStore, dropout = 0.1): Tensor {
  const { g, rows, table } = toyLogits(store, true, dropout);
  const targets = g.input("targets", "int64", ["batch*seq"]);
  return o.mean(o.softmaxCrossEntropy(rows, table, targets)); // ignored positions count as 0 in the mean
}

/** Each sequence repeats a random motif of PERIOD tokens; only positions past the first motif are predictable. */
export function toyBatch(rng: Rng, batch: number, seed = 0): Feeds {
  const tokens = new BigInt64Array(batch * LEN);
  const targets = new BigInt64Array(batch * LEN).fill(-100n);
  for (let b = 0; b < batch; b++) {
    const motif = Array.from({ length: PERIOD }, () => 1 + rng.int(VOCAB - 1));
    for (let t = 0; t < LEN; t++) tokens[b * LEN + t] = BigInt(motif[t % PERIOD]);
    for (let t = PERIOD - 1; t < LEN - 1; t++) targets[b * LEN + t] = tokens[b * LEN + t + 1];
  }
  const bias = new Float32Array(LEN * LEN).map((_, k) => (Math.floor(k / LEN) >= k % LEN ? 0 : -1e9));
  return {
    tokens: tensor(tokens, [batch, LEN]),
    positions: tensor(
      BigInt64Array.from({ length: LEN }, (_, i) => BigInt(i)),
      [LEN],
    ),
    bias: tensor(bias, [1, 1, LEN, LEN]),
    targets: tensor(targets, [batch * LEN]),
    seed: tensor(BigInt64Array.of(BigInt(seed)), []),
  };
}

export { Rng };
