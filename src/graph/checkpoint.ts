// Checkpoints in the safetensors format: an 8-byte little-endian header length, a JSON header
// {name: {dtype, shape, data_offsets}, "__metadata__": {string: string}}, then raw little-endian data.
// PyTorch and Hugging Face tools read these files directly.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { SeqrankError } from "../util/errors.js";

export interface NamedTensor {
  shape: number[];
  data: Float32Array | Float64Array | BigInt64Array | Int32Array;
}

const DTYPES = [
  ["F32", Float32Array],
  ["F64", Float64Array],
  ["I64", BigInt64Array],
  ["I32", Int32Array],
] as const;

function dtypeName(data: NamedTensor["data"]): string {
  const hit = DTYPES.find(([, ctor]) => data instanceof ctor);
  if (!hit) throw new SeqrankError("SR_ERR_CHECKPOINT", "unsupported tensor type");
  return hit[0];
}

export function encodeSafetensors(
  tensors: Map<string, NamedTensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of tensors) {
    header[name] = {
      dtype: dtypeName(t.data),
      shape: t.shape,
      data_offsets: [offset, offset + t.data.byteLength],
    };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8); // data starts 8-byte aligned
  const headerBytes = Buffer.from(json, "utf8");
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let o = 8 + headerBytes.length;
  for (const t of tensors.values()) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), o);
    o += t.data.byteLength;
  }
  return out;
}

export function decodeSafetensors(
  bytes: Uint8Array,
  source = "checkpoint",
): {
  tensors: Map<string, NamedTensor>;
  metadata: Record<string, string>;
} {
  if (bytes.length < 8) throw new SeqrankError("SR_ERR_CHECKPOINT", `${source}: too short to be safetensors`);
  const headerLen = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  if (8 + headerLen > bytes.length)
    throw new SeqrankError("SR_ERR_CHECKPOINT", `${source}: header length past end of file`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + headerLen)).toString("utf8"));
  } catch {
    throw new SeqrankError("SR_ERR_CHECKPOINT", `${source}: header is not JSON`);
  }
  const metadata = (header.__metadata__ ?? {}) as unknown as Record<string, string>;
  const base = 8 + headerLen;
  const tensors = new Map<string, NamedTensor>();
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const ctor = DTYPES.find(([n]) => n === info.dtype)?.[1];
    if (!ctor)
      throw new SeqrankError(
        "SR_ERR_CHECKPOINT",
        `${source}: tensor ${name} has unsupported dtype ${info.dtype}`,
      );
    const [begin, end] = info.data_offsets;
    const copy = new Uint8Array(end - begin); // an aligned copy, independent of the (possibly pooled) file buffer
    copy.set(bytes.subarray(base + begin, base + end));
    tensors.set(name, {
      shape: info.shape,
      data: new ctor(copy.buffer, 0, (end - begin) / ctor.BYTES_PER_ELEMENT),
    });
  }
  return { tensors, metadata };
}

/** Writes atomically (temp file + rename), so a crash mid-write never leaves a torn checkpoint. */
export function saveSafetensors(
  path: string,
  tensors: Map<string, NamedTensor>,
  metadata: Record<string, string> = {},
): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, encodeSafetensors(tensors, metadata));
  renameSync(tmp, path);
}

export function loadSafetensors(path: string) {
  return decodeSafetensors(readFileSync(path), path);
}

/** The subset of a train step a checkpoint needs (kept structural so this file does not depend on ORT). */
export interface Checkpointable {
  stepCount: number;
  state(): Map<string, { shape: number[]; data: Float32Array | Float64Array }>;
  loadState(values: Map<string, { shape: number[]; data: ArrayLike<number> }>, stepCount: number): void;
}

/** Saves parameters, optimizer state and the step counter; `metadata` carries the caller's own fields. */
export function saveTrainState(
  path: string,
  step: Checkpointable,
  metadata: Record<string, string> = {},
): void {
  saveSafetensors(path, step.state() as Map<string, NamedTensor>, {
    ...metadata,
    step: String(step.stepCount),
  });
}

/** Restores a train step saved by saveTrainState and returns the caller's metadata. */
export function loadTrainState(path: string, step: Checkpointable): Record<string, string> {
  const { tensors, metadata } = loadSafetensors(path);
  step.loadState(tensors as Map<string, { shape: number[]; data: Float32Array }>, Number(metadata.step ?? 0));
  return metadata;
}
