// The training interactions a model version ships, so that the service starts its popularity and
// co-visitation from them without the prepared dataset: every user's training-type events in order, as item
// ids of the model (items.tsv), unix-second times (NaN = unknown) and session ids (0 = unknown) — no user
// ids. `interactions.safetensors` (offsets [sequences + 1], items, ts, sessions [events]), recorded in
// model.json's checksums like every file of the version.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadDataset } from "../data/cache.js";
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from "../graph/checkpoint.js";
import { SeqrankError } from "../util/errors.js";

export const INTERACTIONS_FILE = "interactions.safetensors";

export interface Interactions {
  /** Sequence s holds events offsets[s] .. offsets[s + 1]. */
  offsets: Int32Array;
  /** Item ids of the model (1-based, items.tsv order). */
  items: Int32Array;
  /** Unix seconds, NaN when the source had no time. */
  ts: Float64Array;
  /** Global session ids, 0 = unknown. */
  sessions: Int32Array;
}

/**
 * The prepared dataset's training-type events as interactions (what the service's counts start from); `ds`
 * when the caller has loaded it already.
 */
export function datasetInteractions(datasetDir: string, ds = loadDataset(datasetDir)): Interactions {
  const offsets = new Int32Array(ds.nUsers + 1);
  const keep: number[] = [];
  for (let u = 1; u <= ds.nUsers; u++) {
    for (let p = ds.offsets[u]; p < ds.offsets[u + 1]; p++) if (ds.trainType[ds.events[p]]) keep.push(p);
    offsets[u] = keep.length;
  }
  return {
    offsets,
    items: Int32Array.from(keep, (p) => ds.items[p]),
    ts: Float64Array.from(keep, (p) => ds.ts[p]),
    sessions: Int32Array.from(keep, (p) => ds.sessions[p]),
  };
}

export function writeInteractions(dir: string, interactions: Interactions): void {
  const { offsets, items, ts, sessions } = interactions;
  const tensors = new Map<string, NamedTensor>([
    ["offsets", { shape: [offsets.length], data: offsets }],
    ["items", { shape: [items.length], data: items }],
    ["ts", { shape: [ts.length], data: ts }],
    ["sessions", { shape: [sessions.length], data: sessions }],
  ]);
  writeFileSync(join(dir, INTERACTIONS_FILE), encodeSafetensors(tensors, { format: "seqrank-interactions" }));
}

/** Reads and checks a version's interactions: any inconsistency is SR_ERR_MODEL_INVALID naming the file. */
export function readInteractions(path: string, nItems: number): Interactions {
  const invalid = (what: string) => new SeqrankError("SR_ERR_MODEL_INVALID", `${path}: ${what}`);
  let tensors: Map<string, NamedTensor>;
  try {
    tensors = decodeSafetensors(readFileSync(path), path).tensors;
  } catch (err) {
    throw err instanceof SeqrankError ? err : invalid((err as Error).message);
  }
  const get = <T extends NamedTensor["data"]>(name: string, type: new (n: number) => T): T => {
    const data = tensors.get(name)?.data;
    if (!(data instanceof type)) throw invalid(`no ${name} tensor of the expected type`);
    return data as T;
  };
  const offsets = get("offsets", Int32Array);
  const items = get("items", Int32Array);
  const ts = get("ts", Float64Array);
  const sessions = get("sessions", Int32Array);
  const n = items.length;
  if (offsets.length < 1 || offsets[0] !== 0 || offsets[offsets.length - 1] !== n)
    throw invalid(`the offsets do not cover the ${n} events`);
  for (let s = 1; s < offsets.length; s++)
    if (offsets[s] < offsets[s - 1]) throw invalid(`offset ${s} decreases`);
  if (ts.length !== n || sessions.length !== n) throw invalid("items, ts and sessions differ in length");
  for (let e = 0; e < n; e++)
    if (items[e] < 1 || items[e] > nItems)
      throw invalid(`event ${e}: item ${items[e]} is not one of 1..${nItems}`);
  return { offsets, items, ts, sessions };
}
