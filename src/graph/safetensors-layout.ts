// Reads and validates the layout of a safetensors file before any tensor is copied out of it: a damaged or
// truncated file is a coded error naming the file and what is wrong, never zero-padded or shifted weights.
// Layout: an 8-byte little-endian header length, a UTF-8 JSON header
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}, then the data section,
// which the tensors' byte ranges cover exactly (in order, without gaps or overlaps, as the format requires).
import { SeqrankError } from "../util/errors.js";

export const DTYPES = {
  F32: Float32Array,
  F64: Float64Array,
  I64: BigInt64Array,
  I32: Int32Array,
} as const;
export type DTypeName = keyof typeof DTYPES;

export interface TensorLayout {
  name: string;
  dtype: DTypeName;
  shape: number[];
  /** Byte range inside the data section. */
  begin: number;
  end: number;
}

export interface SafetensorsLayout {
  /** Byte offset of the data section in the file. */
  dataStart: number;
  tensors: TensorLayout[];
  metadata: Record<string, string>;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

export function readSafetensorsLayout(bytes: Uint8Array, source: string): SafetensorsLayout {
  const damaged = (what: string) => new SeqrankError("SR_ERR_CHECKPOINT", `${source}: ${what}`);
  if (bytes.length < 8)
    throw damaged(`${bytes.length} bytes, too short for the 8-byte header length (truncated?)`);
  const headerLen = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLen > BigInt(bytes.length - 8))
    throw damaged(`header length ${headerLen} runs past the end of the file (${bytes.length} bytes)`);
  const dataStart = 8 + Number(headerLen);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch {
    throw damaged(`the ${headerLen}-byte header is not UTF-8 JSON`);
  }
  if (!isObject(header)) throw damaged("the header is not a JSON object");

  const metadata = header.__metadata__ ?? {};
  if (!isObject(metadata) || !Object.values(metadata).every((v) => typeof v === "string"))
    throw damaged("__metadata__ is not an object of strings");
  const tensors: TensorLayout[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name !== "__metadata__") tensors.push(tensorLayout(name, info, damaged));
  }
  checkCoverage(tensors, bytes.length - dataStart, damaged);
  return { dataStart, tensors, metadata: metadata as Record<string, string> };
}

function tensorLayout(name: string, info: unknown, damaged: (what: string) => SeqrankError): TensorLayout {
  if (!isObject(info)) throw damaged(`tensor ${name}: its header entry is not an object`);
  const { dtype, shape, data_offsets: offsets } = info;
  if (typeof dtype !== "string" || !Object.hasOwn(DTYPES, dtype))
    throw damaged(`tensor ${name}: unsupported dtype ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape) || !shape.every(isCount))
    throw damaged(`tensor ${name}: shape ${JSON.stringify(shape)} is not a list of sizes`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1])
    throw damaged(`tensor ${name}: data_offsets ${JSON.stringify(offsets)} is not a byte range [begin, end]`);
  const [begin, end] = offsets as [number, number];
  const bytes = shape.reduce((a, b) => a * b, 1) * DTYPES[dtype as DTypeName].BYTES_PER_ELEMENT;
  if (end - begin !== bytes)
    throw damaged(
      `tensor ${name}: ${dtype} [${shape}] needs ${bytes} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`,
    );
  return { name, dtype: dtype as DTypeName, shape, begin, end };
}

/** The byte ranges, sorted, must tile the data section exactly: no gap, no overlap, nothing past its end. */
function checkCoverage(
  tensors: TensorLayout[],
  dataLength: number,
  damaged: (what: string) => SeqrankError,
): void {
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const t of tensors) {
    if (t.end > dataLength)
      throw damaged(
        `tensor ${t.name}: bytes [${t.begin}, ${t.end}) run past the end of the ${dataLength}-byte data section (truncated?)`,
      );
    if (t.begin < covered)
      throw damaged(`tensor ${t.name}: bytes [${t.begin}, ${t.end}) overlap another tensor`);
    if (t.begin > covered) throw damaged(`tensor ${t.name}: a gap of ${t.begin - covered} bytes precedes it`);
    covered = t.end;
  }
  if (covered !== dataLength)
    throw damaged(
      `the data section is ${dataLength} bytes but the tensors cover ${covered} (trailing bytes)`,
    );
}
