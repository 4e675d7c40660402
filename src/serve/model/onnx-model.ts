// Loads a run dir written by exportServingModel (format in serving-model.ts) as a ServingModel: the encoder
// runs on ONNX Runtime with one intra-op thread (requests run side by side on the event loop instead).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ort from "onnxruntime-node";
import { readVocabTsv } from "../../data/vocab.js";
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
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(join(runDir, ENCODER_FILE), {
      intraOpNumThreads: opts.threads ?? 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: "all",
    });
  } catch (err) {
    throw new SeqrankError("SR_ERR_MODEL_FORMAT", `${runDir}/${ENCODER_FILE}: ${(err as Error).message}`);
  }
  const encodeUser = async (history: Int32Array): Promise<Float32Array> => {
    const { feeds, len } = sequenceFeeds([history], m.maxLen, m.causal);
    const all = { ...feeds, ...lastPositionFeeds(1, len) };
    const used: Record<string, ort.Tensor> = {};
    for (const name of session.inputNames) used[name] = all[name];
    const out = await session.run(used);
    return Float32Array.from(out.user.data as Float32Array);
  };
  await encodeUser(Int32Array.of(1)); // warm-up: the first run allocates
  return {
    name: m.name,
    version: m.version,
    nItems: m.nItems,
    dim: m.dim,
    itemVectors,
    itemIds,
    encodeUser,
    dispose: () => session.release(),
  };
}
