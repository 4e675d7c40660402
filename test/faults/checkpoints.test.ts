// Damaged checkpoints never load silently: every layout fault of a safetensors file is a coded error naming
// the file; `seqrank evaluate` on a damaged run exits non-zero; resuming from a damaged last checkpoint falls
// back to the previous one (and says so) or fails; a failed write leaves no temp file behind.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  encodeSafetensors,
  loadSafetensors,
  type NamedTensor,
  saveSafetensors,
} from "../../src/graph/checkpoint.js";
import { ParamStore } from "../../src/graph/param-store.js";
import { sasrec } from "../../src/models/sasrec.js";
import { type FitResume, fit } from "../../src/train/fit.js";
import { modelDataOf } from "../../src/train/train-data.js";
import { SeqrankError } from "../../src/util/errors.js";
import { firstUsers, preparedDataset, repoRoot } from "../helpers/prepared.js";

const dir = mkdtempSync(join(tmpdir(), "seqrank-faults-ckpt-"));

const tensors = new Map<string, NamedTensor>([
  ["emb", { shape: [4, 3], data: Float32Array.from({ length: 12 }, (_, i) => i + 0.5) }],
  ["bias", { shape: [3], data: Float32Array.of(1, 2, 3) }],
]);
const valid = encodeSafetensors(tensors, { step: "7" });

/** A file from a raw header object and data bytes, for layouts encodeSafetensors never writes. */
function rawFile(header: unknown, dataBytes: number, headerLength?: bigint): Uint8Array {
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(json.length), true);
  out.set(json, 8);
  return out;
}
const f32 = (begin: number, end: number, shape = [(end - begin) / 4]) => ({
  dtype: "F32",
  shape,
  data_offsets: [begin, end],
});
const garbledHeader = Uint8Array.from(valid);
garbledHeader.set([0xff, 0xfe, 0xfd], 9); // invalid UTF-8 inside the JSON

const damaged: [string, Uint8Array, RegExp][] = [
  ["cut in half", valid.subarray(0, Math.floor(valid.length / 2)), /past the end/],
  ["one byte missing", valid.subarray(0, valid.length - 1), /past the end/],
  ["empty file", new Uint8Array(0), /too short/],
  [
    "offsets past the end",
    rawFile({ a: f32(0, 8), b: f32(8, 16) }, 12),
    /b: bytes \[8, 16\) run past the end/,
  ],
  [
    "wrong dtype size",
    rawFile({ a: { dtype: "F64", shape: [3], data_offsets: [0, 12] } }, 12),
    /needs 24 bytes/,
  ],
  ["bad header length (past the end)", rawFile({ a: f32(0, 4) }, 4, 1n << 40n), /header length/],
  ["bad header length (cuts the JSON)", rawFile({ a: f32(0, 4) }, 4, 10n), /not UTF-8 JSON/],
  ["garbled header bytes", garbledHeader, /not UTF-8 JSON/],
  ["header not an object", rawFile([1, 2], 0), /not a JSON object/],
  ["overlapping tensors", rawFile({ a: f32(0, 8), b: f32(4, 12) }, 12), /overlap/],
  ["a gap between tensors", rawFile({ a: f32(0, 4), b: f32(8, 12) }, 12), /gap/],
  ["trailing bytes", rawFile({ a: f32(0, 4) }, 12), /trailing/],
  [
    "unknown dtype",
    rawFile({ a: { dtype: "BF16", shape: [2], data_offsets: [0, 4] } }, 4),
    /unsupported dtype/,
  ],
  ["negative shape", rawFile({ a: f32(0, 4, [-1]) }, 4), /not a list of sizes/],
  ["reversed offsets", rawFile({ a: { dtype: "F32", shape: [1], data_offsets: [4, 0] } }, 4), /byte range/],
  ["metadata not strings", rawFile({ __metadata__: { step: 7 }, a: f32(0, 4) }, 4), /__metadata__/],
];

test("an intact checkpoint loads exactly; every damaged layout is rejected with a coded error naming the file", () => {
  const intact = join(dir, "intact.safetensors");
  writeFileSync(intact, valid);
  const back = loadSafetensors(intact);
  assert.deepEqual(back.metadata, { step: "7" });
  for (const [name, t] of tensors) assert.deepEqual(back.tensors.get(name), t, name);

  for (const [what, bytes, reason] of damaged) {
    const path = join(dir, `${what.replace(/\W+/g, "-")}.safetensors`);
    writeFileSync(path, bytes);
    assert.throws(
      () => loadSafetensors(path),
      (e: unknown) =>
        e instanceof SeqrankError &&
        e.code === "SR_ERR_CHECKPOINT" &&
        e.message.startsWith(`${path}: `) &&
        reason.test(e.message),
      what,
    );
  }
});

test("a failed checkpoint write (ENOSPC from /dev/full) removes its temp file", {
  skip: !existsSync("/dev/full") && "no /dev/full here",
}, () => {
  const out = mkdtempSync(join(dir, "enospc-"));
  const path = join(out, "last.safetensors");
  symlinkSync("/dev/full", `${path}.tmp-${process.pid}`); // every write through the temp path fails with ENOSPC
  assert.throws(
    () => saveSafetensors(path, tensors),
    (e: unknown) =>
      e instanceof SeqrankError && e.code === "SR_ERR_CHECKPOINT_WRITE" && e.message.includes(path),
  );
  assert.deepEqual(readdirSync(out), []);
});

test("a checkpoint write whose rename fails removes its temp file", () => {
  const out = mkdtempSync(join(dir, "rename-"));
  const path = join(out, "best.safetensors");
  mkdirSync(join(path, "in-the-way"), { recursive: true }); // a non-empty directory where the file goes
  assert.throws(
    () => saveSafetensors(path, tensors),
    (e: unknown) =>
      e instanceof SeqrankError && e.code === "SR_ERR_CHECKPOINT_WRITE" && e.message.includes(path),
  );
  assert.deepEqual(readdirSync(out), ["best.safetensors"]);
});

// A small real model on a real dataset (movielens-100k, 300 users), trained for a few epochs.
const data = firstUsers("movielens-100k", 300);
const small = () =>
  sasrec.create(
    sasrec.configSchema.parse({ dim: 16, maxLen: 20, blocks: 1 }),
    modelDataOf(data),
    new ParamStore(5),
  );
const quick = { lr: 3e-3, batchSize: 64, threads: 1, patience: 10 };
const cutInHalf = (path: string) => truncateSync(path, Math.floor(readFileSync(path).length / 2));

test("resuming from a damaged last checkpoint with no previous one fails with the file named", async () => {
  const out = mkdtempSync(join(dir, "resume-only-"));
  await fit(small(), data, { ...quick, epochs: 1 }, out);
  const last = join(out, "last.safetensors");
  cutInHalf(last);
  await assert.rejects(
    fit(small(), data, { ...quick, epochs: 2 }, out),
    (e: unknown) => e instanceof SeqrankError && e.code === "SR_ERR_CHECKPOINT" && e.message.includes(last),
  );
});

test("resuming from a damaged last checkpoint falls back to the previous one, says so, and ends like a straight run", async () => {
  const straight = await fit(small(), data, { ...quick, epochs: 3 });
  const out = mkdtempSync(join(dir, "resume-fallback-"));
  await fit(small(), data, { ...quick, epochs: 2 }, out); // "killed" after epoch 2
  const last = join(out, "last.safetensors");
  cutInHalf(last);
  const resumes: FitResume[] = [];
  const resumed = await fit(small(), data, { ...quick, epochs: 3 }, out, {
    onResume: (r) => resumes.push(r),
  });
  assert.equal(resumes.length, 1);
  assert.equal(resumes[0].path, join(out, "previous.safetensors"));
  assert.equal(resumes[0].epoch, 1);
  assert.equal(resumes[0].rejected[0].path, last);
  assert.ok(existsSync(`${last}.damaged`), "the damaged file is kept aside");
  assert.deepEqual(
    resumed.history.map((h) => h.loss),
    straight.history.map((h) => h.loss),
  );
  assert.deepEqual(resumed.test, straight.test);
});

// The CLI: a trained run directory whose best checkpoint is damaged.
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", join(repoRoot, "src/cli/index.ts"), ...args], {
    cwd: repoRoot,
    encoding: "utf8",
  });
const run = join(dir, "run");
const trainArgs = (out: string, epochs: number) => [
  "train",
  preparedDataset("movielens-100k"),
  "--model",
  "sasrec",
  "--out",
  out,
  "--epochs",
  String(epochs),
  "--dim",
  "16",
  "--max-len",
  "20",
  "--blocks",
  "1",
  "--threads",
  "1",
  "--no-progress",
];

test("seqrank evaluate on a run whose best checkpoint is cut in half or lacks a tensor exits non-zero", () => {
  assert.equal(cli(...trainArgs(run, 1)).status, 0);
  assert.equal(cli("evaluate", run).status, 0, "the intact run evaluates");

  const cut = join(dir, "run-cut");
  cpSync(run, cut, { recursive: true });
  const cutBest = join(cut, "checkpoints", "best.safetensors");
  cutInHalf(cutBest);
  const r = cli("evaluate", cut);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /SR_ERR_CHECKPOINT/);
  assert.ok(r.stderr.includes(cutBest), r.stderr);
  assert.doesNotMatch(r.stdout, /NDCG/);

  const partial = join(dir, "run-partial");
  cpSync(run, partial, { recursive: true });
  const partialBest = join(partial, "checkpoints", "best.safetensors");
  const weights = loadSafetensors(partialBest).tensors;
  weights.delete([...weights.keys()][0]);
  writeFileSync(partialBest, encodeSafetensors(weights));
  const p = cli("evaluate", partial);
  assert.notEqual(p.status, 0);
  assert.match(p.stderr, /lacks 1 tensor/);
  assert.ok(p.stderr.includes(partialBest), p.stderr);
});

test("seqrank train resuming past a damaged last checkpoint says which checkpoint it resumed from", () => {
  const out = join(dir, "run-resume");
  assert.equal(cli(...trainArgs(out, 2)).status, 0);
  cutInHalf(join(out, "checkpoints", "last.safetensors"));
  const r = cli(...trainArgs(out, 3));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /warning: .*last\.safetensors: .*past the end/);
  assert.match(r.stderr, /resuming from .*previous\.safetensors after epoch 1/);
});
