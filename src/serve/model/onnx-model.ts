// Loads a run dir written by exportServingModel (format in serving-model.ts) as a ServingModel: the encoders
// run on ONNX Runtime with one intra-op thread (requests run side by side on the event loop instead). An int8
// user encoder loads like a float32 one (ONNX Runtime runs its integer matmuls); a title encoder, when the
// model ships one, gives encodeTitle: the title's known tokens (the prepared dataset's tokenizer) → vector.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ort from "onnxruntime-node";
import { tokenize } from "../../data/text.js";
import { readVocabTsv } from "../../data/vocab.js";
import { titleFeeds } from "../../models/item-features.js";
import { lastPositionFeeds, sequenceFeeds } from "../../models/sequence-inputs.js";
import { SeqrankError } from "../../util/errors.js";
import {
  ENCODER_FILE,
  ITEM_VECTORS_FILE,
  ITEMS_TSV,
  MODEL_JSON,
  type ServingManifest,
  ServingManifestSchema,
  type ServingModel,
  TITLE_ENCODER_FILE,
  TOKENS_TSV,
} from "./serving-model.js";

export interface LoadModelOptions {
  /** Intra-op threads of the encoder session. */
  threads?: number;
}

export function readManifest(runDir: string): ServingManifest {
  const path = join(runDir, MODEL_JSON);
  if (!existsSync(path)) throw new SeqrankError("SR_ERR_MODEL_MISSING", `no ${MODEL_JSON} in ${runDir}`);
  const parsed = ServingManifestSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
  if (!parsed.success) {
    throw new SeqrankError("SR_ERR_MODEL_FORMAT", `${path}: ${parsed.error.issues[0].message}`);
  }
  return parsed.data;
}

function readItemVectors(runDir: string, m: ServingManifest): Float32Array {
  const bytes = readFileSync(join(runDir, ITEM_VECTORS_FILE));
  const expected = (m.nItems + 1) * m.dim * 4;
  if (bytes.length !== expected) {
    throw new SeqrankError(
      "SR_ERR_MODEL_FORMAT",
      `${ITEM_VECTORS_FILE} has ${bytes.length} bytes, model.json says ${expected}`,
    );
  }
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

/** Loads the model of a run dir completely (encoder session created and warmed up) before returning it. */
export async function loadServingModel(runDir: string, opts: LoadModelOptions = {}): Promise<ServingModel> {
  const m = readManifest(runDir);
  const itemVectors = readItemVectors(runDir, m);
  const itemIds = existsSync(join(runDir, ITEMS_TSV))
    ? readVocabTsv(join(runDir, ITEMS_TSV)).values
    : undefined;
  if (itemIds && itemIds.length !== m.nItems + 1) {
    throw new SeqrankError(
      "SR_ERR_MODEL_FORMAT",
      `${ITEMS_TSV} has ${itemIds.length - 1} items, model ${m.nItems}`,
    );
  }
  const session = await openSession(runDir, ENCODER_FILE, opts);
  const encodeUsers = async (histories: readonly Int32Array[]): Promise<Float32Array[]> => {
    const { feeds, len } = sequenceFeeds(histories, m.maxLen, m.causal);
    const all = { ...feeds, ...lastPositionFeeds(histories.length, len) };
    const used: Record<string, ort.Tensor> = {};
    for (const name of session.inputNames) used[name] = all[name];
    const out = (await session.run(used)).user.data as Float32Array;
    return histories.map((_, b) => out.slice(b * m.dim, (b + 1) * m.dim));
  };
  const encodeUser = async (history: Int32Array) => (await encodeUsers([history]))[0];
  await encodeUser(Int32Array.of(1)); // warm-up: the first run allocates
  const title = m.title && (await loadTitleEncoder(runDir, m.title.maxTokens, opts));
  return {
    name: m.name,
    version: m.version,
    nItems: m.nItems,
    dim: m.dim,
    itemVectors,
    itemIds,
    quantization: m.quantization,
    encodeUser,
    encodeUsers,
    encodeTitle: title?.encode,
    dispose: async () => {
      await session.release();
      await title?.session.release();
    },
  };
}

async function openSession(runDir: string, file: string, opts: LoadModelOptions) {
  try {
    return await ort.InferenceSession.create(join(runDir, file), {
      intraOpNumThreads: opts.threads ?? 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: "all",
    });
  } catch (err) {
    throw new SeqrankError("SR_ERR_MODEL_FORMAT", `${runDir}/${file}: ${(err as Error).message}`);
  }
}

/** The title encoder: text → known token ids (first maxTokens) → vector; undefined when no token is known. */
async function loadTitleEncoder(runDir: string, maxTokens: number, opts: LoadModelOptions) {
  const tokensPath = join(runDir, TOKENS_TSV);
  if (!existsSync(tokensPath))
    throw new SeqrankError(
      "SR_ERR_MODEL_FORMAT",
      `model.json names a title encoder but ${tokensPath} is missing`,
    );
  const vocab = new Map(readVocabTsv(tokensPath).values.map((t, id) => [t, id] as const));
  vocab.delete("");
  const session = await openSession(runDir, TITLE_ENCODER_FILE, opts);
  const encode = async (text: string): Promise<Float32Array | undefined> => {
    const ids: number[] = [];
    for (const t of tokenize(text)) {
      const id = vocab.get(t);
      if (id !== undefined) ids.push(id);
    }
    if (ids.length === 0) return undefined;
    const out = await session.run(titleFeeds([ids], maxTokens));
    return Float32Array.from(out.title.data as Float32Array);
  };
  return { session, encode };
}
