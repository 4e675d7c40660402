// SASRec (Kang & McAuley, ICDM'18): a causal transformer over the item sequence; the hidden state at each
// position predicts the next item through the (tied) item embedding table. Layout follows the reference code:
// embeddings scaled by √d, pre-LN blocks with normalised queries, a final LayerNorm.
import { z } from "zod";
import type { BuildContext } from "../graph/context.js";
import type { Tensor } from "../graph/graph.js";
import * as nn from "../graph/nn.js";
import * as o from "../graph/tensor-ops.js";
import type { SequenceInputs } from "./sequence-inputs.js";

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
