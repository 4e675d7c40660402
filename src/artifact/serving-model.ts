// The model the service serves, whatever trained it: item vectors for ANN and similar items, a user encoder
// over dense item ids, and optionally a title encoder for cold-start items. Artefacts on disk (one run dir):
//   model.json        ServingManifest below
//   item_vectors.f32  [nItems + 1, dim] float32 little-endian, row i = dense item i (row 0 padding)
//   items.tsv         dense id → raw item id (the prepared dataset's items.tsv)
//   encoder.onnx      user encoder: the inputs model.json's `encoder.inputs` lists (item ids, positions, masks,
//                     segment mask, event types, time gaps, history scale), filled from histories by
//                     historyFeeds (src/models/history-feeds.ts) with model.json's `feeds` → "user" [B, dim];
//                     float32, or with int8 weight matmuls when quantization says so (src/graph/quantize.ts)
//   title_encoder.onnx  with a title tower only: title_tokens [1, T] int64, title_weights [1, T, 1] → "title"
//                     [1, dim], the vector of an item known by its title alone (src/models/item-features.ts)
//   tokens.tsv        with a title tower only: the prepared dataset's title-token vocabulary
//   results.json      optional: the training run's metrics and curves (shown by the dashboard)
//   ranker.onnx, ranker_features.safetensors
//                     optional: a learned re-ranker of the model's top-k candidates (model.json's `ranker`;
//                     src/artifact/ranker-model.ts, src/train/rerank/served-ranker.ts)
// Models that score a history against the catalogue themselves rather than through vectors (the baselines:
// Pop, ItemKNN) have a model.json of format "seqrank-baseline-model" (BaselineManifest below) and, for ItemKNN,
// its neighbour tables (baseline-model.ts); they serve with dim 0 and `retrieve`.
// model.json's `files` lists every other file of the directory with its byte size and sha256 (artefacts.ts):
// a version whose files do not match, or that has no such list (exported before it existed), never loads.
import { z } from "zod";
import { QUANTIZE_MODES } from "../graph/quantize.js";
import { HistoryFeedSpecSchema } from "../models/history-feeds.js";
import type { Interactions } from "./interactions.js";

export interface ServingModel {
  name: string;
  version: string;
  nItems: number;
  dim: number;
  /** Row i = vector of dense item i (row 0 padding), used for ANN and similar-items. */
  itemVectors: Float32Array;
  /**
   * User vector from the dense item ids of a history (oldest first); `events` gives the type and time of each
   * of its events, read by models with event-type / time-gap inputs (without it they read as unknown).
   */
  encodeUser(history: Int32Array, events?: HistoryEvents): Promise<Float32Array>;
  /** The same for many histories in one encoder run (warming caches); without it, one run per history. */
  encodeUsers?(
    histories: readonly Int32Array[],
    events?: readonly (HistoryEvents | undefined)[],
  ): Promise<Float32Array[]>;
  /** Whether the encoder reads event types or times (then callers should pass `events`). */
  usesEvents?: boolean;
  /** Optional content vector for a new item from its title (cold start); undefined if the model has no text tower. */
  encodeTitle?(title: string): Promise<Float32Array | undefined>;
  /** How the user encoder's weights are stored ("none" = float32), when loaded from an export. */
  quantization?: string;
  /** Raw item id of each dense id (index 0 = padding ""), when the model ships its vocabulary. */
  itemIds?: readonly string[];
  /**
   * A model that scores a history against every item itself (ItemKNN) instead of through vectors: its `k`
   * best items for the history (dense ids, history items included), best first.
   */
  retrieve?(history: Int32Array, k: number): { items: Int32Array; scores: Float32Array };
  /** The learned re-ranker serving with the model, when its version has one (ranker-model.ts). */
  ranker?: LearnedRanker;
  /** The training dataset's event-type names, when the version records them (the service accepts them). */
  eventTypes?: readonly string[];
  /** The training interactions, when the version ships them: the service's popularity and co-visitation start there. */
  interactions?: Interactions;
  /** Frees native resources (ONNX sessions); the model must not be used afterwards. */
  dispose?(): Promise<void>;
}

/** A learned re-ranker over the model's own candidates. */
export interface LearnedRanker {
  name: string;
  /** Candidates per query (the model's top k unseen items by its score). */
  candidates: number;
  /**
   * The model's top-k unseen items for a history (dense ids, oldest first) and its user vector, in retrieval
   * order, with the ranker's score of each (higher first; the order to serve is by score, ties in this order).
   */
  rank(history: Int32Array, userVector: Float32Array): Promise<{ items: Int32Array; scores: Float32Array }>;
  dispose(): Promise<void>;
}

/** The stored events behind a history, position by position: their type names and unix-ms times. */
export interface HistoryEvents {
  types: readonly string[];
  ts: readonly number[];
}

export const MODEL_JSON = "model.json";
export const ITEM_VECTORS_FILE = "item_vectors.f32";
export const ITEMS_TSV = "items.tsv";
export const ENCODER_FILE = "encoder.onnx";
export const TITLE_ENCODER_FILE = "title_encoder.onnx";
export const TOKENS_TSV = "tokens.tsv";

/** One input of an exported encoder: name, dtype, shape (symbols for dynamic dims) and its feature builder. */
export const EncoderInputSchema = z.object({
  name: z.string().min(1),
  dtype: z.string().min(1),
  shape: z.array(z.union([z.number().int(), z.string()])),
  builder: z.string().min(1),
});
export type EncoderInput = z.infer<typeof EncoderInputSchema>;

/** File name → byte size and sha256 (hex) of every artefact of a version. */
const ArtefactRecordSchema = z.record(
  z.string(),
  z.object({ bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
);

export const ServingManifestSchema = z.object({
  format: z.literal("seqrank-serving-model"),
  name: z.string().min(1),
  version: z.string().min(1),
  dim: z.number().int().positive(),
  nItems: z.number().int().positive(),
  /** Longest history the encoder reads (older items are cut). */
  maxLen: z.number().int().positive(),
  /** How histories become the user encoder's feeds (the model's own feed code, src/models/history-feeds.ts). */
  feeds: HistoryFeedSpecSchema,
  /** The user encoder's inputs as exported, each with the feature builder that fills it. */
  encoder: z.object({ inputs: z.array(EncoderInputSchema).min(1) }),
  /**
   * The training dataset's event-type names by code: the service accepts them, and a model with event-type
   * inputs maps live event types onto these codes.
   */
  eventTypes: z.array(z.string()).optional(),
  /** The training interactions' file (interactions.ts): the service's popularity and co-visitation start there. */
  interactions: z.string().min(1).optional(),
  /** How the user encoder's weight matmuls are stored ("none" = float32). */
  quantization: z.enum(["none", ...QUANTIZE_MODES]).default("none"),
  /** Present when the model ships a title encoder: titles are cut to their first maxTokens known tokens. */
  title: z
    .object({ maxTokens: z.number().int().positive(), inputs: z.array(EncoderInputSchema).min(1) })
    .optional(),
  /**
   * Present when a learned re-ranker (`seqrank train --task rerank`) serves with this model: its graph, the
   * inputs it reads (slots filled by re-ranking's query features, src/train/rerank) and its feature file.
   */
  ranker: z
    .object({
      name: z.string().min(1),
      file: z.string().min(1),
      features: z.string().min(1),
      /** Candidates per query: the model's top k unseen items, which the ranker orders. */
      candidates: z.number().int().positive(),
      inputs: z.array(EncoderInputSchema).min(1),
      output: z.string().min(1),
    })
    .optional(),
  createdAt: z.string().default(() => new Date().toISOString()),
  /** Every other file of the directory: byte size and sha256 (hex), checked before the model loads. */
  files: ArtefactRecordSchema.optional(),
});
export type ServingManifest = z.infer<typeof ServingManifestSchema>;

/** model.json of a baseline: Pop (no files: the service's own popularity serves it) or ItemKNN. */
export const BaselineManifestSchema = z.object({
  format: z.literal("seqrank-baseline-model"),
  name: z.enum(["pop", "itemknn"]),
  version: z.string().min(1),
  nItems: z.number().int().positive(),
  /** ItemKNN's history weighting (the neighbour tables hold the rest). */
  recencyDecay: z.number().gt(0).max(1).optional(),
  /** As in a serving model's manifest. */
  eventTypes: z.array(z.string()).optional(),
  interactions: z.string().min(1).optional(),
  createdAt: z.string().default(() => new Date().toISOString()),
  files: ArtefactRecordSchema,
});
export type BaselineManifest = z.infer<typeof BaselineManifestSchema>;

/** The fallback when no trained model exists: no vectors; recommendations come from co-visitation and popularity. */
export function popularityModel(nItems: number, version = "popularity"): ServingModel {
  return {
    name: "popularity",
    version,
    nItems,
    dim: 0,
    itemVectors: new Float32Array(0),
    encodeUser: async () => new Float32Array(0),
  };
}
