// Turns a trained dot-product sequence model into serving artefacts (format in serving-model.ts). Any model
// whose score graph ends in MatMul(user, Transpose(table)) splits into a user encoder (exported as ONNX
// with the weights baked in) and the item table (computed once): SASRec, and models with an output bias
// (their rows carry a constant-1 column and the table a bias column, so the split stays exact). The encoder
// is only exported when every input it reads is one the model's feed spec fills (history-feeds.ts), with
// the dtype that builder makes: model.json records each input with its builder, and the service fills them
// through the same historyFeeds. A model with a text tower over titles also ships its title encoder and token
// vocabulary (semantic search, new items).
// model.json is written last and records the size and sha256 of every file then in the directory (artefacts.ts).
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BuildContext } from "../graph/context.js";
import { exportOnnx } from "../graph/export.js";
import { ancestors, Graph, type Tensor } from "../graph/graph.js";
import type { QuantizeMode } from "../graph/quantize.js";
import { Runner } from "../graph/session.js";
import { FEED_BUILDERS, type HistoryFeedSpec, historyFeeds } from "../models/history-feeds.js";
import { TITLE_TOKENS, TITLE_WEIGHTS, titleFeeds } from "../models/item-features.js";
import type { SequenceRecommender } from "../models/model.js";
import { splitScoreGraph } from "../models/score-graph.js";
import { SeqrankError } from "../util/errors.js";
import { recordArtefacts } from "./artefacts.js";
import { INTERACTIONS_FILE, type Interactions, writeInteractions } from "./interactions.js";
import {
  ENCODER_FILE,
  type EncoderInput,
  ITEM_VECTORS_FILE,
  ITEMS_TSV,
  MODEL_JSON,
  type ServingManifest,
  TITLE_ENCODER_FILE,
  TOKENS_TSV,
} from "./serving-model.js";

export interface ExportServingOptions {
  version: string;
  /** The prepared dataset's items.tsv (dense id → raw id), copied beside the vectors. */
  itemsTsv?: string;
  /** A training run's results.json, copied for the dashboard. */
  resultsJson?: string;
  /** The prepared dataset's tokens.tsv; required when the model has a title tower. */
  tokensTsv?: string;
  /** Int8 weight matmuls in the user encoder (src/graph/quantize.ts); default float32. */
  quantize?: QuantizeMode;
  /**
   * The prepared dataset's event-type names by code: the types the service accepts, and the codes a model
   * that reads event types maps live events onto (required for such a model).
   */
  eventTypes?: readonly string[];
  /** The training interactions the service's popularity and co-visitation start from (interactions.ts). */
  interactions?: Interactions;
}

const refuse = (message: string) => new SeqrankError("SR_ERR_MODEL_EXPORT", message);

/** The graph inputs `out` is computed from, in graph order. */
function inputsOf(out: Tensor): Tensor[] {
  return ancestors([out])
    .filter((n) => n.leaf?.kind === "input")
    .map((n) => n.outputs[0]);
}

/**
 * Each input of `out` with the builder that fills it; refuses an input no builder of `builders` accounts for,
 * or one whose builder makes another dtype than the graph reads (`made`: dtype per input name).
 */
function describeInputs(
  what: string,
  out: Tensor,
  builders: Readonly<Record<string, string>>,
  made: Readonly<Record<string, string>>,
): EncoderInput[] {
  return inputsOf(out).map((t) => {
    const builder = builders[t.name];
    if (!builder || !(t.name in made)) {
      throw refuse(
        `${what} reads input '${t.name}', which no feature builder of the model's feed spec fills ` +
          `(fillable: ${Object.keys(made).join(", ")}); the served model could not be fed`,
      );
    }
    if (made[t.name] !== t.dtype)
      throw refuse(
        `${what} input '${t.name}' is ${t.dtype} but its builder ${builder} makes ${made[t.name]}`,
      );
    return { name: t.name, dtype: t.dtype, shape: [...t.shape], builder };
  });
}

/** The encoder's inputs described, checked against the feeds historyFeeds makes for `spec` (both ways). */
function encoderInputs(user: Tensor, spec: HistoryFeedSpec): EncoderInput[] {
  const sample = historyFeeds(spec, [Int32Array.of(1)]);
  const made = Object.fromEntries(Object.entries(sample).map(([name, t]) => [name, t.type]));
  const inputs = describeInputs("user encoder", user, FEED_BUILDERS, made);
  const unread = spec.inputs.filter((name) => !inputs.some((i) => i.name === name));
  if (unread.length > 0)
    throw refuse(`the feed spec fills ${unread.join(", ")}, which the user encoder does not read`);
  return inputs;
}

/**
 * Writes the serving artefacts of `model` (current weights in model.store) into `dir`; files already there
 * (e.g. the full scorer written by `seqrank export`) are recorded in model.json too.
 */
export async function exportServingModel(
  model: SequenceRecommender,
  dir: string,
  opts: ExportServingOptions,
): Promise<ServingManifest> {
  mkdirSync(dir, { recursive: true });
  const g = new Graph();
  const scores = model.buildScoreGraph(new BuildContext(g, model.store, false));
  const { user, table } = splitScoreGraph(scores);
  const dim = user.shape[user.rank - 1];
  if (typeof dim !== "number") throw refuse("user vector width is not static");
  const feeds = model.feedSpec;
  const inputs = encoderInputs(user, feeds);
  if (feeds.inputs.includes("event_ids") && !opts.eventTypes)
    throw refuse(
      `${model.name} reads event types: pass the dataset's event-type names (eventTypes) to export it`,
    );
  exportOnnx(join(dir, ENCODER_FILE), { user }, model.store, { quantize: opts.quantize });
  const runner = await Runner.create({ table }, model.store, { threads: 1 });
  const vectors = (await runner.run({})).table.data as Float32Array;
  await runner.release();
  if (vectors.length !== (model.nItems + 1) * dim) {
    throw new SeqrankError(
      "SR_ERR_MODEL_EXPORT",
      `item table has ${vectors.length} values, expected ${(model.nItems + 1) * dim}`,
    );
  }
  writeFileSync(
    join(dir, ITEM_VECTORS_FILE),
    new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength),
  );
  if (opts.itemsTsv) copyFileSync(opts.itemsTsv, join(dir, ITEMS_TSV));
  if (opts.resultsJson) copyFileSync(opts.resultsJson, join(dir, "results.json"));
  if (opts.interactions) writeInteractions(dir, opts.interactions);
  const title = exportTitleEncoder(model, dir, opts.tokensTsv);
  const manifest: ServingManifest = {
    format: "seqrank-serving-model",
    name: model.name,
    version: opts.version,
    dim,
    nItems: model.nItems,
    maxLen: model.maxLen,
    feeds,
    encoder: { inputs },
    eventTypes: opts.eventTypes && [...opts.eventTypes],
    interactions: opts.interactions && INTERACTIONS_FILE,
    quantization: opts.quantize ?? "none",
    title,
    createdAt: new Date().toISOString(),
    files: recordArtefacts(dir),
  };
  writeFileSync(join(dir, MODEL_JSON), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Writes the title encoder and the token vocabulary when the model has a title tower. */
function exportTitleEncoder(
  model: SequenceRecommender,
  dir: string,
  tokensTsv: string | undefined,
): ServingManifest["title"] {
  const g = new Graph();
  const title = model.buildTitleGraph?.(new BuildContext(g, model.store, false));
  if (!title) return undefined;
  if (!tokensTsv) {
    throw new SeqrankError(
      "SR_ERR_MODEL_EXPORT",
      `${model.name} has a title tower: pass the dataset's ${TOKENS_TSV} (tokensTsv) to export it`,
    );
  }
  const builders = { [TITLE_TOKENS]: "title-tokens", [TITLE_WEIGHTS]: "title-weights" };
  const made = Object.fromEntries(
    Object.entries(titleFeeds([[1]], title.maxTokens)).map(([name, t]) => [name, t.type]),
  );
  const inputs = describeInputs("title encoder", title.vectors, builders, made);
  exportOnnx(join(dir, TITLE_ENCODER_FILE), { title: title.vectors }, model.store);
  copyFileSync(tokensTsv, join(dir, TOKENS_TSV));
  return { maxTokens: title.maxTokens, inputs };
}
