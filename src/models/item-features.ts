// Side information fused into the item representation. The fused table [nItems + 1, d] is recorded once per
// graph from per-item constants (padded attribute / title-token ids with their mean-pooling weights, and
// category / brand / price ids), so using it both as the input embedding and as the tied output table trains
// the side towers through every softmax. Items without training interactions ("cold") get no ID embedding:
// their vector is the side towers' output alone, which is how a new item with only a title is scored.
import { z } from "zod";
import type { FeatureCardinality, ItemFeatures } from "../data/prepared.js";
import type { BuildContext } from "../graph/context.js";
import type { Tensor } from "../graph/graph.js";
import * as nn from "../graph/nn.js";
import { type Feeds, tensor } from "../graph/session.js";
import * as o from "../graph/tensor-ops.js";
import { SeqrankError } from "../util/errors.js";

export const ItemSideConfigSchema = z.strictObject({
  /** Mean of the item's attribute embeddings (amazon item2attributes). */
  attributes: z.boolean().default(false),
  /** Text tower over title tokens: masked mean of token embeddings + a small residual MLP. */
  title: z.boolean().default(false),
  /** Category, brand and price-bucket embeddings (those the dataset has). */
  categories: z.boolean().default(false),
  /** sum: id + towers; concat: linear([id, towers…]); gated: σ(linear([id, Σ towers])) mixes id and towers. */
  fusion: z.enum(["sum", "concat", "gated"]).default("sum"),
  /** Attributes kept per item (the first ones). */
  maxAttributes: z.number().int().positive().default(8),
  /** Title tokens kept per item (the first ones). */
  maxTitleTokens: z.number().int().positive().default(16),
});
export type ItemSideConfig = z.infer<typeof ItemSideConfigSchema>;

/** What the side towers read about items (aligned to dense item ids, row 0 = padding). */
export interface ItemSideData {
  features: ItemFeatures;
  cardinality: FeatureCardinality;
  /** warm[i] = 1 if item i has a training interaction; cold items get no ID embedding. */
  warm: Uint8Array;
}

export function usesItemSide(cfg: ItemSideConfig): boolean {
  return cfg.attributes || cfg.title || cfg.categories;
}

/** warm[i] = 1 for every item that occurs in `sequences` (length nItems + 1). */
export function warmItems(sequences: readonly Int32Array[], nItems: number): Uint8Array {
  const warm = new Uint8Array(nItems + 1);
  for (const s of sequences) for (const i of s) warm[i] = 1;
  return warm;
}

/** Ids of the first `width` entries of CSR rows 0..nItems, zero-padded, and each row's mean weight 1/count. */
export interface PaddedBags {
  ids: BigInt64Array;
  weights: Float32Array;
  width: number;
}
export function padBags(
  csr: { offsets: Int32Array; values: Int32Array },
  nItems: number,
  maxWidth: number,
): PaddedBags {
  let width = 1;
  for (let i = 0; i <= nItems; i++) width = Math.max(width, Math.min(maxWidth, rowLength(csr, i)));
  const ids = new BigInt64Array((nItems + 1) * width);
  const weights = new Float32Array((nItems + 1) * width);
  for (let i = 0; i <= nItems; i++) {
    const n = Math.min(width, rowLength(csr, i));
    for (let j = 0; j < n; j++) {
      ids[i * width + j] = BigInt(csr.values[csr.offsets[i] + j]);
      weights[i * width + j] = 1 / n;
    }
  }
  return { ids, weights, width };
}

function rowLength(csr: { offsets: Int32Array }, i: number): number {
  return i + 1 < csr.offsets.length ? csr.offsets[i + 1] - csr.offsets[i] : 0;
}

/** The per-item constants of the enabled towers, built once per model from the data. */
export interface ItemSideTables {
  attributes?: PaddedBags;
  title?: PaddedBags;
  /** Per scalar field (category, brand, priceBucket) with more than one value: its ids and table size. */
  fields: { name: string; ids: BigInt64Array; size: number }[];
  warm: Float32Array;
  /** Padding (0) then the warm items: the rows of the training softmax. Cold items have no positive to learn
   * from, so as negatives they would only be pushed down, and with them their title tokens. */
  trainRows: BigInt64Array;
  /** Item id → its index in `trainRows` (targets are warm). */
  trainIndex: Int32Array;
}

export function itemSideTables(cfg: ItemSideConfig, side: ItemSideData, nItems: number): ItemSideTables {
  const f = side.features;
  const missing = (what: string): never => {
    throw new SeqrankError(
      "SR_ERR_SIDE_FEATURES",
      `side feature "${what}" requested but the dataset has none`,
    );
  };
  const warm = Float32Array.from({ length: nItems + 1 }, (_, i) => (i > 0 && side.warm[i] ? 1 : 0));
  const rows = [0];
  const trainIndex = new Int32Array(nItems + 1);
  for (let i = 1; i <= nItems; i++) if (warm[i]) trainIndex[i] = rows.push(i) - 1;
  const tables: ItemSideTables = {
    fields: [],
    warm,
    trainRows: BigInt64Array.from(rows, BigInt),
    trainIndex,
  };
  if (cfg.attributes) {
    if (side.cardinality.attribute <= 1) missing("attributes");
    tables.attributes = padBags(f.attributes, nItems, cfg.maxAttributes);
  }
  if (cfg.title) {
    if (side.cardinality.token <= 1) missing("title");
    tables.title = padBags(f.titleTokens, nItems, cfg.maxTitleTokens);
  }
  if (cfg.categories) {
    for (const name of ["category", "brand", "priceBucket"] as const) {
      const size = side.cardinality[name];
      if (size <= 1) continue;
      const ids = BigInt64Array.from({ length: nItems + 1 }, (_, i) => BigInt(f[name][i] ?? 0));
      tables.fields.push({ name, ids, size });
    }
    if (tables.fields.length === 0) missing("categories");
  }
  return tables;
}

/** Masked mean of bag embeddings: ids [N, W] with weights [N, W, 1] (1/count, 0 on padding) → [N, d]. */
function pooledBags(
  ctx: BuildContext,
  name: string,
  ids: Tensor,
  weights: Tensor,
  vocab: number,
  dim: number,
): Tensor {
  const table = nn.embeddingTable(ctx, name, vocab, dim);
  return o.sum(o.mul(o.gather(table, ids), weights), { axes: [1] });
}

/** Padded bags recorded as graph constants: ids [N, W] and weights [N, W, 1]. */
function bagConstants(ctx: BuildContext, bags: PaddedBags): { ids: Tensor; weights: Tensor } {
  const rows = bags.ids.length / bags.width;
  return {
    ids: ctx.g.constant(bags.ids, [rows, bags.width], "int64"),
    weights: ctx.g.constant(bags.weights, [rows, bags.width, 1]),
  };
}

/** The text tower: pooled token embeddings refined by a residual two-layer MLP. */
function textTower(ctx: BuildContext, ids: Tensor, weights: Tensor, vocab: number, dim: number): Tensor {
  const pooled = pooledBags(ctx, "title_token_emb", ids, weights, vocab, dim);
  return o.add(
    pooled,
    nn.linear(ctx, "title_mlp.fc2", nn.gelu(nn.linear(ctx, "title_mlp.fc1", pooled, dim)), dim),
  );
}

/** The side towers' outputs, each [N + 1, d]. */
export function sideTowers(ctx: BuildContext, t: ItemSideTables, side: ItemSideData, dim: number): Tensor[] {
  const towers: Tensor[] = [];
  if (t.attributes) {
    const { ids, weights } = bagConstants(ctx, t.attributes);
    towers.push(pooledBags(ctx, "attribute_emb", ids, weights, side.cardinality.attribute, dim));
  }
  if (t.title) {
    const { ids, weights } = bagConstants(ctx, t.title);
    towers.push(textTower(ctx, ids, weights, side.cardinality.token, dim));
  }
  for (const f of t.fields) {
    const table = nn.embeddingTable(ctx, `${f.name}_emb`, f.size, dim);
    towers.push(o.gather(table, ctx.g.constant(f.ids, [f.ids.length], "int64")));
  }
  return towers;
}

/** The ID embedding and the towers (same order as sideTowers) combined as `cfg.fusion` says. */
function fuse(ctx: BuildContext, cfg: ItemSideConfig, id: Tensor, towers: Tensor[], dim: number): Tensor {
  const sum = (xs: Tensor[]) => xs.reduce((a, x) => o.add(a, x));
  if (cfg.fusion === "sum") return sum([id, ...towers]);
  if (cfg.fusion === "concat")
    return nn.linear(ctx, "fusion", o.concat([id, ...towers], 1), dim, { bias: false });
  const side_ = sum(towers);
  const gate = o.sigmoid(nn.linear(ctx, "fusion_gate", o.concat([id, side_], 1), dim));
  return o.add(o.mul(gate, id), o.mul(o.sub(1, gate), side_));
}

/**
 * The fused item table [nItems + 1, d]: the ID embedding (zeroed for cold items) combined with the side
 * towers as `cfg.fusion` says.
 */
export function fusedItemTable(
  ctx: BuildContext,
  cfg: ItemSideConfig,
  t: ItemSideTables,
  side: ItemSideData,
  nItems: number,
  dim: number,
): Tensor {
  const warm = ctx.g.constant(t.warm, [nItems + 1, 1]);
  const id = o.mul(nn.embeddingTable(ctx, "item_emb", nItems + 1, dim), warm);
  return fuse(ctx, cfg, id, sideTowers(ctx, t, side, dim), dim);
}

/** Graph input names of the title encoder: token ids [batch, tokens] and pooling weights [batch, tokens, 1]. */
export const TITLE_TOKENS = "title_tokens";
export const TITLE_WEIGHTS = "title_weights";

/**
 * Item vectors [batch, d] of items known by their title alone (tokens fed at run time): the text tower fused
 * with a zero ID embedding and zero other towers. The same vector space as the item table, so a query's
 * title vector can be matched against catalogue items (semantic search) or stand in for a new item.
 */
export function titleItemVectors(
  ctx: BuildContext,
  cfg: ItemSideConfig,
  t: ItemSideTables,
  side: ItemSideData,
  dim: number,
): Tensor {
  if (!t.title) throw new SeqrankError("SR_ERR_SIDE_FEATURES", "the model has no title tower");
  const ids = ctx.g.input(TITLE_TOKENS, "int64", ["batch", "tokens"]);
  const weights = ctx.g.input(TITLE_WEIGHTS, ctx.g.floatType, ["batch", "tokens", 1]);
  const text = textTower(ctx, ids, weights, side.cardinality.token, dim);
  const zero = o.mul(text, 0);
  const towers = [...(t.attributes ? [zero] : []), text, ...t.fields.map(() => zero)];
  return fuse(ctx, cfg, zero, towers, dim);
}

/** Feeds of titleItemVectors for token-id rows (each cut to its first `maxTokens`; an empty row pools to 0). */
export function titleFeeds(rows: readonly ArrayLike<number>[], maxTokens: number): Feeds {
  const offsets = new Int32Array(rows.length + 1);
  rows.forEach((r, i) => {
    offsets[i + 1] = offsets[i] + r.length;
  });
  const values = new Int32Array(offsets[rows.length]);
  rows.forEach((r, i) => {
    values.set(Array.from(r), offsets[i]);
  });
  const bags = padBags({ offsets, values }, rows.length - 1, maxTokens);
  return {
    [TITLE_TOKENS]: tensor(bags.ids, [rows.length, bags.width]),
    [TITLE_WEIGHTS]: tensor(bags.weights, [rows.length, bags.width, 1]),
  };
}
