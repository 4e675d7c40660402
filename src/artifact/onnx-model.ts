// Loads a run dir written by exportServingModel (format in serving-model.ts) as a ServingModel: the encoders
// run on ONNX Runtime with one intra-op thread (requests run side by side on the event loop instead). The user
// encoder's feeds come from historyFeeds with model.json's feed spec, the code the model itself scores with
// offline; live events' types and times fill event-type / time-gap inputs. An int8
// user encoder loads like a float32 one (ONNX Runtime runs its integer matmuls); a title encoder, when the
// model ships one, gives encodeTitle: the title's known tokens (the prepared dataset's tokenizer) → vector.
// Nothing damaged loads: every file is checked against model.json's checksums first (artefacts.ts), every
// item vector value must be finite, and each encoder is dry-run on real inputs (finite, of the right shape)
// before the model is returned. Every refusal is SR_ERR_MODEL_INVALID naming the file and what failed.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ort from "onnxruntime-node";
import type { z } from "zod";
import { tokenize } from "../data/text.js";
import { readVocabTsv } from "../data/vocab.js";
import type { RowContext } from "../models/context-features.js";
import { historyFeeds } from "../models/history-feeds.js";
import { titleFeeds } from "../models/item-features.js";
import { SeqrankError } from "../util/errors.js";
import { verifyArtefacts } from "./artefacts.js";
import { loadBaselineModel } from "./baseline-model.js";
import { readInteractions } from "./interactions.js";
import { loadRanker } from "./ranker-model.js";
import {
  BaselineManifestSchema,
  ENCODER_FILE,
  type HistoryEvents,
  ITEM_VECTORS_FILE,
  ITEMS_TSV,
  MODEL_JSON,
  type ServingManifest,
  ServingManifestSchema,
  type ServingModel,
  TITLE_ENCODER_FILE,
  TOKENS_TSV,
} from "./serving-model.js";

const invalid = (message: string) => new SeqrankError("SR_ERR_MODEL_INVALID", message);

/** Index of the first NaN or ±Infinity in `values`, or -1. */
function firstNonFinite(values: Float32Array): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return i;
  return -1;
}

export interface LoadModelOptions {
  /** Intra-op threads of the encoder session. */
  threads?: number;
}

/** model.json of a version as JSON, whatever its format. */
function readManifestJson(runDir: string): { path: string; raw: unknown } {
  const path = join(runDir, MODEL_JSON);
  if (!existsSync(path)) throw new SeqrankError("SR_ERR_MODEL_MISSING", `no ${MODEL_JSON} in ${runDir}`);
  try {
    return { path, raw: JSON.parse(readFileSync(path, "utf8")) };
  } catch (err) {
    throw invalid(`${path} is not valid JSON (truncated or garbled?): ${(err as Error).message}`);
  }
}

const isBaseline = (raw: unknown) =>
  (raw as { format?: unknown } | null)?.format === "seqrank-baseline-model";

export function readManifest(runDir: string): ServingManifest {
  const { path, raw } = readManifestJson(runDir);
  if (isBaseline(raw))
    throw invalid(`${path}: a baseline model (${String((raw as { name?: unknown }).name)}) has no encoder`);
  return parseManifest(ServingManifestSchema, path, raw);
}

/** `raw` read by `schema`, or SR_ERR_MODEL_INVALID naming the file and the first wrong field. */
export function parseManifest<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, path: string, raw: unknown): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw invalid(`${path}: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
}

function readItemVectors(runDir: string, m: ServingManifest): Float32Array {
  const path = join(runDir, ITEM_VECTORS_FILE);
  const bytes = readFileSync(path);
  const expected = (m.nItems + 1) * m.dim * 4;
  if (bytes.length !== expected)
    throw invalid(`${path} has ${bytes.length} bytes, ${MODEL_JSON} says ${expected}`);
  const vectors = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const bad = firstNonFinite(vectors);
  if (bad >= 0) {
    const row = Math.floor(bad / m.dim);
    throw invalid(
      `${path}: item row ${row} dim ${bad % m.dim} is ${vectors[bad]} (every value must be finite)`,
    );
  }
  return vectors;
}

/** The stored events of a history as model context: type names → the model's codes (−1 unknown), ms → s. */
function eventContext(codes: ReadonlyMap<string, number>, events: HistoryEvents): RowContext {
  return {
    events: events.types.map((t) => codes.get(t) ?? -1),
    ts: events.ts.map((ms) => ms / 1000),
  };
}

/** Refuses an encoder whose ONNX inputs are not exactly those model.json records. */
function checkInputs(path: string, session: ort.InferenceSession, m: ServingManifest): void {
  const recorded = m.encoder.inputs.map((i) => i.name);
  const extra = session.inputNames.filter((n) => !recorded.includes(n));
  const missing = recorded.filter((n) => !session.inputNames.includes(n));
  if (extra.length > 0 || missing.length > 0) {
    throw invalid(
      `${path}: inputs ${session.inputNames.join(", ")} do not match ${MODEL_JSON} ` +
        `(${recorded.join(", ")}): ${[...extra.map((n) => `'${n}' unrecorded`), ...missing.map((n) => `'${n}' absent`)].join(", ")}`,
    );
  }
  const unfed = recorded.filter((n) => !m.feeds.inputs.includes(n as never));
  if (unfed.length > 0) throw invalid(`${path}: no feed builder in ${MODEL_JSON} fills ${unfed.join(", ")}`);
}

/** Real histories for the dry run: one item, and maxLen + 1 items spread over the catalogue (cut like requests). */
function dryRunHistories(m: ServingManifest): Int32Array[] {
  const len = Math.min(m.nItems, m.maxLen + 1);
  const spread = Int32Array.from({ length: len }, (_, i) => 1 + Math.floor((i * (m.nItems - 1)) / len));
  return [Int32Array.of(1), spread];
}

/**
 * Runs an encoder once and checks that it answers `rows` × `dim` finite values; on failure releases the session
 * and throws SR_ERR_MODEL_INVALID (`what` names the file and the input).
 */
async function dryRun(
  session: ort.InferenceSession,
  what: string,
  [rows, dim]: [number, number],
  run: () => Promise<ort.Tensor>,
): Promise<void> {
  try {
    const out = await run();
    if (out.dims.length !== 2 || out.dims[0] !== rows || out.dims[1] !== dim)
      throw invalid(`${what}: output has shape ${out.dims.join("×")}, expected ${rows}×${dim}`);
    const bad = firstNonFinite(out.data as Float32Array);
    if (bad >= 0) throw invalid(`${what}: output value ${bad} is ${(out.data as Float32Array)[bad]}`);
  } catch (err) {
    await session.release();
    throw err instanceof SeqrankError ? err : invalid(`${what}: ${(err as Error).message}`);
  }
}

/** Loads the model of a run dir completely (encoder session created and warmed up) before returning it. */
export async function loadServingModel(runDir: string, opts: LoadModelOptions = {}): Promise<ServingModel> {
  const { path, raw } = readManifestJson(runDir);
  if (isBaseline(raw)) return loadBaselineModel(runDir, parseManifest(BaselineManifestSchema, path, raw));
  const m = readManifest(runDir);
  verifyArtefacts(runDir, m, [
    ENCODER_FILE,
    ITEM_VECTORS_FILE,
    ...(m.title ? [TITLE_ENCODER_FILE, TOKENS_TSV] : []),
    ...(m.ranker ? [m.ranker.file, m.ranker.features] : []),
    ...(m.interactions ? [m.interactions] : []),
  ]);
  const itemVectors = readItemVectors(runDir, m);
  // Only listed (so verified) files are read: an items.tsv dropped in after export is ignored.
  const itemIds = m.files?.[ITEMS_TSV] ? readVocabTsv(join(runDir, ITEMS_TSV)).values : undefined;
  if (itemIds && itemIds.length !== m.nItems + 1)
    throw invalid(`${join(runDir, ITEMS_TSV)} has ${itemIds.length - 1} items, ${MODEL_JSON} ${m.nItems}`);
  const session = await openSession(runDir, ENCODER_FILE, opts);
  try {
    checkInputs(join(runDir, ENCODER_FILE), session, m);
  } catch (err) {
    await session.release();
    throw err;
  }
  const codes = new Map((m.eventTypes ?? []).map((name, code) => [name, code] as const));
  const usesEvents = m.feeds.inputs.some((name) => name === "event_ids" || name === "gap_ids");
  const runEncoder = async (
    histories: readonly Int32Array[],
    events: readonly (HistoryEvents | undefined)[] = [],
  ): Promise<ort.Tensor> => {
    const contexts = usesEvents ? events.map((e) => e && eventContext(codes, e)) : [];
    return (await session.run(historyFeeds(m.feeds, histories, contexts))).user;
  };
  const encodeUsers = async (
    histories: readonly Int32Array[],
    events?: readonly (HistoryEvents | undefined)[],
  ): Promise<Float32Array[]> => {
    const out = (await runEncoder(histories, events)).data as Float32Array;
    return histories.map((_, b) => out.slice(b * m.dim, (b + 1) * m.dim));
  };
  const encodeUser = async (history: Int32Array, events?: HistoryEvents) =>
    (await encodeUsers([history], [events]))[0];
  // The dry run (also the warm-up: the first run allocates).
  const histories = dryRunHistories(m);
  const what = `${join(runDir, ENCODER_FILE)} dry run on ${histories.length} histories`;
  await dryRun(session, what, [histories.length, m.dim], () => runEncoder(histories));
  const title =
    m.title &&
    (await loadTitleEncoder(runDir, m, opts).catch(async (err) => {
      await session.release();
      throw err;
    }));
  const ranker =
    m.ranker &&
    (await loadRanker(runDir, m, itemVectors, { histories, encode: encodeUser }, opts.threads).catch(
      async (err) => {
        await session.release();
        await title?.session.release();
        throw err;
      },
    ));
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
    usesEvents,
    encodeTitle: title?.encode,
    ranker,
    eventTypes: m.eventTypes,
    interactions: m.interactions ? readInteractions(join(runDir, m.interactions), m.nItems) : undefined,
    dispose: async () => {
      await session.release();
      await title?.session.release();
      await ranker?.dispose();
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
    throw invalid(`${join(runDir, file)}: ${(err as Error).message}`);
  }
}

/**
 * The title encoder: text → known token ids (first maxTokens) → vector; undefined when no token is known.
 * Dry-run on the vocabulary's first tokens before it is returned.
 */
async function loadTitleEncoder(runDir: string, m: ServingManifest, opts: LoadModelOptions) {
  const maxTokens = m.title!.maxTokens;
  const tokens = readVocabTsv(join(runDir, TOKENS_TSV)).values;
  const vocab = new Map(tokens.map((t, id) => [t, id] as const));
  vocab.delete("");
  const session = await openSession(runDir, TITLE_ENCODER_FILE, opts);
  const sample = Array.from({ length: Math.min(3, tokens.length - 1) }, (_, i) => i + 1);
  const what = `${join(runDir, TITLE_ENCODER_FILE)} dry run on tokens ${sample.join(",")}`;
  await dryRun(
    session,
    what,
    [1, m.dim],
    async () => (await session.run(titleFeeds([sample], maxTokens))).title,
  );
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
