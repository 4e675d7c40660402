// dataset.bin: every typed array of a prepared dataset in one file, loaded with a single read and
// zero-copy typed-array views (the arrays are 8-byte aligned).
// Layout: "SRDSBIN1" | u32 LE header length | header JSON {arrays: [{name, dtype, offset, length}]} |
// padding to 8 bytes | arrays (offsets count from the start of this data section). meta.json holds the rest.
// Arrays are little-endian (the platform order of typed arrays on every supported Node platform).
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from "node:fs";
import { endianness } from "node:os";
import { join } from "node:path";
import { SeqrankError } from "../util/errors.js";
import type { DatasetMeta, PreparedDataset } from "./prepared.js";

const MAGIC = "SRDSBIN1";
export const DATASET_BIN = "dataset.bin";
export const META_JSON = "meta.json";

type Typed = Int32Array | Uint8Array | Float64Array;
const DTYPES = { i32: Int32Array, u8: Uint8Array, f64: Float64Array } as const;
type DType = keyof typeof DTYPES;
interface ArrayEntry {
  name: string;
  dtype: DType;
  offset: number;
  length: number;
}

function dtypeOf(a: Typed): DType {
  if (a instanceof Int32Array) return "i32";
  if (a instanceof Float64Array) return "f64";
  return "u8";
}

const align8 = (n: number) => (n + 7) & ~7;

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

function assertLittleEndian(): void {
  if (endianness() !== "LE") throw new SeqrankError("SR_ERR_ENDIANNESS", "dataset.bin is little-endian only");
}

/** Writes meta.json and dataset.bin into `dir`. */
export function writeDataset(dir: string, ds: PreparedDataset): void {
  assertLittleEndian();
  const arrays = arraysOf(ds);
  const entries: ArrayEntry[] = [];
  let offset = 0; // relative to the start of the data section
  for (const [name, a] of Object.entries(arrays)) {
    entries.push({ name, dtype: dtypeOf(a), offset, length: a.length });
    offset = align8(offset + a.byteLength);
  }
  const header = Buffer.from(JSON.stringify({ arrays: entries }));
  const dataStart = align8(12 + header.length);
  const prefix = Buffer.alloc(dataStart, 0x20);
  prefix.write(MAGIC, 0, "latin1");
  prefix.writeUInt32LE(header.length, 8);
  header.copy(prefix, 12);
  const fd = openSync(join(dir, DATASET_BIN), "w");
  try {
    writeAll(fd, prefix);
    let pos = 0;
    for (const e of entries) {
      const a = arrays[e.name];
      if (e.offset > pos) writeAll(fd, new Uint8Array(e.offset - pos));
      writeAll(fd, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
      pos = e.offset + a.byteLength;
    }
  } finally {
    closeSync(fd);
  }
  writeFileSync(join(dir, META_JSON), `${JSON.stringify(ds.meta, null, 2)}\n`);
}

// writeSync may write fewer bytes than asked for large buffers.
function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
}

/** Loads a dataset written by `buildDataset` (one read of dataset.bin, zero-copy views). */
export function loadDataset(dir: string): PreparedDataset {
  assertLittleEndian();
  const meta = JSON.parse(readFileSync(join(dir, META_JSON), "utf8")) as DatasetMeta;
  if (meta.format !== "seqrank-dataset" || meta.version !== 1) {
    throw new SeqrankError("SR_ERR_DATASET_FORMAT", `${dir}: not a seqrank dataset (version 1)`);
  }
  const file = readFileSync(join(dir, DATASET_BIN));
  if (file.length < 12 || file.toString("latin1", 0, 8) !== MAGIC) {
    throw new SeqrankError("SR_ERR_DATASET_FORMAT", `${dir}/${DATASET_BIN}: bad magic`);
  }
  const headerLength = file.readUInt32LE(8);
  const { arrays } = JSON.parse(file.toString("utf8", 12, 12 + headerLength)) as { arrays: ArrayEntry[] };
  const dataStart = align8(12 + headerLength);
  const a: Record<string, Typed> = {};
  for (const e of arrays) {
    const Ctor = DTYPES[e.dtype];
    const byteOffset = file.byteOffset + dataStart + e.offset;
    const byteLength = e.length * Ctor.BYTES_PER_ELEMENT;
    if (dataStart + e.offset + byteLength > file.length) {
      throw new SeqrankError("SR_ERR_DATASET_FORMAT", `${dir}/${DATASET_BIN}: truncated at array ${e.name}`);
    }
    // A view needs an aligned offset; readFileSync normally returns an unpooled, aligned buffer.
    a[e.name] =
      byteOffset % Ctor.BYTES_PER_ELEMENT === 0
        ? new Ctor(file.buffer, byteOffset, e.length)
        : new Ctor(file.buffer.slice(byteOffset, byteOffset + byteLength));
  }
  const need = (name: string) => {
    if (!a[name])
      throw new SeqrankError("SR_ERR_DATASET_FORMAT", `${dir}/${DATASET_BIN}: missing array ${name}`);
    return a[name];
  };
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
