// Checkpoints in the safetensors format: an 8-byte little-endian header length, a JSON header
// {name: {dtype, shape, data_offsets}, "__metadata__": {string: string}}, then raw little-endian data.
// PyTorch and Hugging Face tools read these files directly.
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { SeqrankError } from "../util/errors.js";
import type { ParamStore } from "./param-store.js";
import { DTYPES, readSafetensorsLayout } from "./safetensors-layout.js";

export interface NamedTensor {
  shape: number[];
  data: Float32Array | Float64Array | BigInt64Array | Int32Array;
}

function dtypeName(data: NamedTensor["data"]): string {
  const hit = Object.entries(DTYPES).find(([, ctor]) => data instanceof ctor);
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

/** Decodes a safetensors file after validating its whole layout (see safetensors-layout.ts). */
export function decodeSafetensors(
  bytes: Uint8Array,
  source = "checkpoint",
): {
  tensors: Map<string, NamedTensor>;
  metadata: Record<string, string>;
} {
  const { dataStart, tensors: layout, metadata } = readSafetensorsLayout(bytes, source);
  const tensors = new Map<string, NamedTensor>();
  for (const t of layout) {
    const ctor = DTYPES[t.dtype];
    const copy = new Uint8Array(t.end - t.begin); // an aligned copy, independent of the (possibly pooled) file buffer
    copy.set(bytes.subarray(dataStart + t.begin, dataStart + t.end));
    tensors.set(t.name, {
      shape: t.shape,
      data: new ctor(copy.buffer, 0, copy.length / ctor.BYTES_PER_ELEMENT),
    });
  }
  return { tensors, metadata };
}

/**
 * Throws unless `tensors` (read from `source`) holds every expected tensor with the expected shape and dtype.
 * Extra tensors are allowed: a checkpoint written from training also holds parameters only training uses.
 */
export function assertTensorsFit(
  tensors: Map<string, NamedTensor>,
  expected: Iterable<[string, NamedTensor]>,
  source: string,
): void {
  const missing: string[] = [];
  for (const [name, want] of expected) {
    const got = tensors.get(name);
    if (!got) missing.push(name);
    else if (got.shape.join() !== want.shape.join() || dtypeName(got.data) !== dtypeName(want.data))
      throw new SeqrankError(
        "SR_ERR_CHECKPOINT",
        `${source}: tensor ${name} is ${dtypeName(got.data)} [${got.shape}], the model needs ${dtypeName(want.data)} [${want.shape}]`,
      );
  }
  if (missing.length > 0)
    throw new SeqrankError(
      "SR_ERR_CHECKPOINT",
      `${source}: lacks ${missing.length} tensor(s) the model needs: ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", …" : ""}`,
    );
}

/**
 * Writes atomically (temp file, fsync, rename), so a crash mid-write never leaves a torn checkpoint; a failed
 * write (ENOSPC, EIO, …) removes its temp file and throws a coded error naming the checkpoint.
 */
export function saveSafetensors(
  path: string,
  tensors: Map<string, NamedTensor>,
  metadata: Record<string, string> = {},
): void {
  const bytes = encodeSafetensors(tensors, metadata);
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, bytes, { flush: true });
    renameSync(tmp, path);
  } catch (err) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // Not a file this write made (a directory in its way): leave it; the write error is what to report.
    }
    throw new SeqrankError(
      "SR_ERR_CHECKPOINT_WRITE",
      `${path}: could not write the checkpoint: ${(err as Error).message}`,
    );
  }
}

export function loadSafetensors(path: string) {
  return decodeSafetensors(readFileSync(path), path);
}

/** Overwrites every parameter in `store` from `path`, which must hold each with its shape (extras are ignored). */
export function loadParamsInto(path: string, store: ParamStore): void {
  const { tensors } = loadSafetensors(path);
  const params = [...store.entries].map(([name, e]): [string, NamedTensor] => [
    name,
    { shape: e.shape, data: e.value },
  ]);
  assertTensorsFit(tensors, params, path);
  for (const [name, e] of store.entries) e.value.set(tensors.get(name)?.data as Float32Array);
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
  assertTensorsFit(tensors, step.state(), path);
  const stepCount = Number(metadata.step);
  if (!Number.isSafeInteger(stepCount) || stepCount < 0)
    throw new SeqrankError(
      "SR_ERR_CHECKPOINT",
      `${path}: metadata step ${JSON.stringify(metadata.step)} is not a step count`,
    );
  step.loadState(tensors as Map<string, { shape: number[]; data: Float32Array }>, stepCount);
  return metadata;
}
