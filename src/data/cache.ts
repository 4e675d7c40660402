// dataset.bin: every typed array of a prepared dataset in one file, loaded with a single read and
// zero-copy typed-array views (the arrays are 8-byte aligned).
// Layout: "SRDSBIN1" | u32 LE header length | header JSON {arrays: [{name, dtype, offset, length}]} |
// padding to 8 bytes | arrays (offsets count from the start of this data section). meta.json holds the rest.
// Arrays are little-endian (the platform order of typed arrays on every supported Node platform).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SeqrankError } from "../util/errors.js";
import { readArrays, type Typed, writeArrays } from "./bin-arrays.js";
import type { DatasetMeta, PreparedDataset } from "./prepared.js";

const MAGIC = "SRDSBIN1";
export const DATASET_BIN = "dataset.bin";
export const META_JSON = "meta.json";
/** What a CTR table folder holds instead (src/data/ctr/ctr-cache.ts). */
const CTR_JSON = "ctr.json";

function arraysOf(ds: PreparedDataset): Record<string, Typed> {
  const f = ds.features;
  return {
    offsets: ds.offsets,
    items: ds.items,
    events: ds.events,
    ts: ds.ts,
    sessions: ds.sessions,
    trainType: ds.trainType,
    evalType: ds.evalType,
    trainEnd: ds.split.trainEnd,
    validEnd: ds.split.validEnd,
    category: f.category,
    brand: f.brand,
    priceBucket: f.priceBucket,
    attributeOffsets: f.attributes.offsets,
    attributeValues: f.attributes.values,
    tokenOffsets: f.titleTokens.offsets,
    tokenValues: f.titleTokens.values,
  };
}

/** Writes meta.json and dataset.bin into `dir`. */
export function writeDataset(dir: string, ds: PreparedDataset): void {
  writeArrays(join(dir, DATASET_BIN), MAGIC, arraysOf(ds));
  writeFileSync(join(dir, META_JSON), `${JSON.stringify(ds.meta, null, 2)}\n`);
}

/** Loads a dataset written by `buildDataset` (one read of dataset.bin, zero-copy views). */
export function loadDataset(dir: string): PreparedDataset {
  if (!existsSync(join(dir, META_JSON)) && existsSync(join(dir, CTR_JSON))) {
    throw new SeqrankError(
      "SR_ERR_DATASET_FORMAT",
      `${dir}: holds a CTR table (ctr.json), not sequences; train it with --task ctr`,
    );
  }
  const meta = JSON.parse(readFileSync(join(dir, META_JSON), "utf8")) as DatasetMeta;
  if (meta.format !== "seqrank-dataset" || meta.version !== 1) {
    throw new SeqrankError("SR_ERR_DATASET_FORMAT", `${dir}: not a seqrank dataset (version 1)`);
  }
  const { need } = readArrays(join(dir, DATASET_BIN), MAGIC);
  const i32 = (name: string) => need(name) as Int32Array;
  const u8 = (name: string) => need(name) as Uint8Array;
  return {
    meta,
    name: meta.name,
    nUsers: meta.counts.users,
    nItems: meta.counts.items,
    nEvents: meta.counts.interactions,
    eventTypes: meta.eventTypes.names,
    trainType: u8("trainType"),
    evalType: u8("evalType"),
    offsets: i32("offsets"),
    items: i32("items"),
    events: u8("events"),
    ts: need("ts") as Float64Array,
    sessions: i32("sessions"),
    split: {
      kind: meta.split.kind,
      trainEnd: i32("trainEnd"),
      validEnd: i32("validEnd"),
      ...(meta.split.validCut === undefined
        ? {}
        : { validCut: meta.split.validCut, testCut: meta.split.testCut }),
    },
    features: {
      category: i32("category"),
      brand: i32("brand"),
      priceBucket: i32("priceBucket"),
      attributes: { offsets: i32("attributeOffsets"), values: i32("attributeValues") },
      titleTokens: { offsets: i32("tokenOffsets"), values: i32("tokenValues") },
    },
  };
}
