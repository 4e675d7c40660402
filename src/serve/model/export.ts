// Turns a trained dot-product sequence model into serving artefacts (format in serving-model.ts). Any model
// whose score graph ends in MatMul(user, Transpose(table)) splits into a user encoder (exported as ONNX
// with the weights baked in) and the item table (computed once): SASRec, and models with an output bias
// (their rows carry a constant-1 column and the table a bias column, so the split stays exact). A model
// with a text tower over titles also ships its title encoder and token vocabulary (semantic search, new items).
// model.json is written last and records the size and sha256 of every file then in the directory (artefacts.ts).
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BuildContext } from "../../graph/context.js";
import { exportOnnx } from "../../graph/export.js";
import { Graph, type Tensor } from "../../graph/graph.js";
import type { QuantizeMode } from "../../graph/quantize.js";
import { Runner } from "../../graph/session.js";
import type { SequenceRecommender } from "../../models/model.js";
import { SeqrankError } from "../../util/errors.js";
import { recordArtefacts } from "./artefacts.js";
import {
  ENCODER_FILE,
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
}

/** The user rows [B, d] and the item table [nItems + 1, d] whose product a dot-product score graph ends in. */
export function splitScoreGraph(scores: Tensor): { user: Tensor; table: Tensor } {
  const node = scores.node;
  const right = node.inputs[1]?.node;
  if (node.op !== "MatMul" || right?.op !== "Transpose") {
    throw new SeqrankError(
      "SR_ERR_MODEL_EXPORT",
      `score graph does not end in MatMul(user, Transpose(items)) (found ${node.op}); cannot split it`,
    );
  }
  return { user: node.inputs[0], table: right.inputs[0] };
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
  if (typeof dim !== "number")
    throw new SeqrankError("SR_ERR_MODEL_EXPORT", "user vector width is not static");
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
  const title = exportTitleEncoder(model, dir, opts.tokensTsv);
  const manifest: ServingManifest = {
    format: "seqrank-serving-model",
    name: model.name,
    version: opts.version,
    dim,
    nItems: model.nItems,
    maxLen: model.maxLen,
    causal: g.inputs().some((t) => t.name === "causal_bias"),
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
  exportOnnx(join(dir, TITLE_ENCODER_FILE), { title: title.vectors }, model.store);
  copyFileSync(tokensTsv, join(dir, TOKENS_TSV));
  return { maxTokens: title.maxTokens };
}
