// The binary caches' one layout (dataset.bin, ctr.bin): named typed arrays in one file, loaded with a single
// read and zero-copy views (every array starts 8-byte aligned).
// Layout: 8-byte magic | u32 LE header length | header JSON {arrays: [{name, dtype, offset, length}]} |
// padding to 8 bytes | arrays (offsets count from the start of this data section). Arrays are little-endian
// (the platform order of typed arrays on every supported Node platform).
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { endianness } from "node:os";
import { SeqrankError } from "../util/errors.js";

export type Typed = Int32Array | Uint8Array | Float64Array | Float32Array;
const DTYPES = { i32: Int32Array, u8: Uint8Array, f64: Float64Array, f32: Float32Array } as const;
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
  if (a instanceof Float32Array) return "f32";
  return "u8";
}

const align8 = (n: number) => (n + 7) & ~7;

function assertLittleEndian(): void {
  if (endianness() !== "LE")
    throw new SeqrankError("SR_ERR_ENDIANNESS", "binary caches are little-endian only");
}

/** Writes `arrays` to `path` under an 8-character magic. */
export function writeArrays(path: string, magic: string, arrays: Record<string, Typed>): void {
  assertLittleEndian();
  const entries: ArrayEntry[] = [];
  let offset = 0; // relative to the start of the data section
  for (const [name, a] of Object.entries(arrays)) {
    entries.push({ name, dtype: dtypeOf(a), offset, length: a.length });
    offset = align8(offset + a.byteLength);
  }
  const header = Buffer.from(JSON.stringify({ arrays: entries }));
  const dataStart = align8(12 + header.length);
  const prefix = Buffer.alloc(dataStart, 0x20);
  prefix.write(magic, 0, "latin1");
  prefix.writeUInt32LE(header.length, 8);
  header.copy(prefix, 12);
  const fd = openSync(path, "w");
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
}

// writeSync may write fewer bytes than asked for large buffers.
function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
}

/** The arrays of a file written by writeArrays; `need(name)` throws SR_ERR_DATASET_FORMAT for a missing one. */
export function readArrays(
  path: string,
  magic: string,
): { arrays: Record<string, Typed>; need: (name: string) => Typed } {
  assertLittleEndian();
  const file = readFileSync(path);
  if (file.length < 12 || file.toString("latin1", 0, 8) !== magic) {
    throw new SeqrankError("SR_ERR_DATASET_FORMAT", `${path}: bad magic`);
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
      throw new SeqrankError("SR_ERR_DATASET_FORMAT", `${path}: truncated at array ${e.name}`);
    }
    // A view needs an aligned offset; readFileSync normally returns an unpooled, aligned buffer.
    a[e.name] =
      byteOffset % Ctor.BYTES_PER_ELEMENT === 0
        ? new Ctor(file.buffer, byteOffset, e.length)
        : new Ctor(file.buffer.slice(byteOffset, byteOffset + byteLength));
  }
  const need = (name: string) => {
    const found = a[name];
    if (!found) throw new SeqrankError("SR_ERR_DATASET_FORMAT", `${path}: missing array ${name}`);
    return found;
  };
  return { arrays: a, need };
}
