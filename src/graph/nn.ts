// Building blocks composed from primitives: activations, dropout, Embedding, Linear, LayerNorm,
// multi-head attention, feed-forward and transformer blocks. Default init N(0, 0.02); LayerNorm γ=1, β=0.
import type { BuildContext } from "./context.js";
import type { Tensor } from "./graph.js";
import { normal, ones, zeros } from "./init.js";
import * as o from "./tensor-ops.js";

export const DEFAULT_STD = 0.02;

/** Exact GELU: x·Φ(x). */
export function gelu(x: Tensor): Tensor {
  return o.mul(o.mul(x, 0.5), o.add(o.erf(o.mul(x, Math.SQRT1_2)), 1));
}

/** Inverted dropout; identity when not training or p = 0. */
export function dropout(ctx: BuildContext, x: Tensor, p: number): Tensor {
  if (!ctx.training || p <= 0) return x;
  const keep = o.greater(o.randomUniform(x, ctx.seed, ctx.nextSalt()), p);
  return o.where(keep, o.mul(x, 1 / (1 - p)), 0);
}

/** An embedding table [rows, dim]; row `paddingIdx` starts at zero. */
export function embeddingTable(
  ctx: BuildContext,
  name: string,
  rows: number,
  dim: number,
  paddingIdx = 0,
): Tensor {
  return ctx.param(name, [rows, dim], (size, rng) => {
    const w = normal(size, DEFAULT_STD, rng);
    if (paddingIdx >= 0) w.fill(0, paddingIdx * dim, (paddingIdx + 1) * dim);
    return w;
  });
}

export interface LinearOpts {
  bias?: boolean;
}
export function linear(
  ctx: BuildContext,
  name: string,
  x: Tensor,
  outDim: number,
  opts: LinearOpts = {},
): Tensor {
  const inDim = x.shape[x.rank - 1] as number;
  const w = ctx.param(`${name}.weight`, [inDim, outDim], (size, rng) => normal(size, DEFAULT_STD, rng));
  const y = o.matmul(x, w);
  return opts.bias === false ? y : o.add(y, ctx.param(`${name}.bias`, [outDim], zeros));
}

export function layerNorm(ctx: BuildContext, name: string, x: Tensor, eps = 1e-8): Tensor {
  const d = x.shape[x.rank - 1] as number;
  return o.layerNorm(x, ctx.param(`${name}.gamma`, [d], ones), ctx.param(`${name}.beta`, [d], zeros), eps);
}

export interface AttentionOpts {
  heads: number;
  dropout: number;
}

/**
 * Multi-head attention of queries `q` [B, Lq, d] over `kv` [B, Lk, d]. `bias` is added to the scores and
 * broadcasts to [B, heads, Lq, Lk]: 0 where attending is allowed, a large negative number where it is not
 * (causal and padding masks are built by the caller, so the same layer serves SASRec and BERT4Rec).
 */
export function multiHeadAttention(
  ctx: BuildContext,
  name: string,
  q: Tensor,
  kv: Tensor,
  bias: Tensor,
  opts: AttentionOpts,
): Tensor {
  const d = q.shape[q.rank - 1] as number;
  const dh = d / opts.heads;
  // With one head the split is a free reshape to [B, 1, L, d]: no transposes.
  const split = (t: Tensor) =>
    opts.heads === 1 ? o.unsqueeze(t, [1]) : o.transpose(o.reshape(t, [0, 0, opts.heads, dh]), [0, 2, 1, 3]);
  const merge = (t: Tensor) =>
    opts.heads === 1 ? o.squeeze(t, [1]) : o.reshape(o.transpose(t, [0, 2, 1, 3]), [0, 0, d]);
  const qh = split(linear(ctx, `${name}.q`, q, d));
  const kh = split(linear(ctx, `${name}.k`, kv, d));
  const vh = split(linear(ctx, `${name}.v`, kv, d));
  const scores = o.add(o.mul(o.matmul(qh, kh, { transB: true }), 1 / Math.sqrt(dh)), bias);
  const weights = dropout(ctx, o.softmax(scores), opts.dropout);
  return linear(ctx, `${name}.out`, merge(o.matmul(weights, vh)), d);
}

export interface FeedForwardOpts {
  inner: number;
  activation: "gelu" | "relu";
  dropout: number;
}
export function feedForward(ctx: BuildContext, name: string, x: Tensor, opts: FeedForwardOpts): Tensor {
  const d = x.shape[x.rank - 1] as number;
  const act = opts.activation === "gelu" ? gelu : o.relu;
  const h = dropout(ctx, act(linear(ctx, `${name}.fc1`, x, opts.inner)), opts.dropout);
  return linear(ctx, `${name}.fc2`, h, d);
}

export interface TransformerBlockOpts extends AttentionOpts, FeedForwardOpts {
  /** "post": x = LN(x + f(x)) as in BERT and RecBole; "pre": SASRec's reference layout (see below). */
  norm: "pre" | "post";
  eps?: number;
}

export function transformerBlock(
  ctx: BuildContext,
  name: string,
  x: Tensor,
  bias: Tensor,
  opts: TransformerBlockOpts,
): Tensor {
  const ln = (n: string, t: Tensor) => layerNorm(ctx, `${name}.${n}`, t, opts.eps);
  const attn = (t: Tensor, kv: Tensor) =>
    dropout(ctx, multiHeadAttention(ctx, `${name}.attn`, t, kv, bias, opts), opts.dropout);
  const ffn = (t: Tensor) => dropout(ctx, feedForward(ctx, `${name}.ffn`, t, opts), opts.dropout);
  if (opts.norm === "post") {
    const h = ln("ln1", o.add(x, attn(x, x)));
    return ln("ln2", o.add(h, ffn(h)));
  }
  // SASRec's reference layout: normalised queries attend over the raw sequence with the residual on the
  // queries, and the feed-forward residual is taken after the second LayerNorm.
  const q = ln("ln1", x);
  const h = ln("ln2", o.add(q, attn(q, x)));
  return o.add(h, ffn(h));
}
