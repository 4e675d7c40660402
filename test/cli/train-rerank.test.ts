// `seqrank train <dataset> --task rerank --retriever <run> …` (src/cli/train-rerank.ts): a tiny SASRec run
// made by the CLI's own next-item path is re-ranked; results.json, model.onnx and the summary JSON last; a
// missing or mismatched retriever is a coded error; without --model the ranker is DeepFM.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { trainAction } from "../../src/cli/train.js";
import type { SeqrankError } from "../../src/util/errors.js";
import { preparedDataset } from "../helpers/prepared.js";

const dataset = preparedDataset("amazon-beauty");
const base = { seed: 42, threads: 1, progress: false };

/** Runs trainAction and returns its own last stdout line (the test runner shares stdout). */
async function train(
  args: Parameters<typeof trainAction>[1],
  dir = dataset,
): Promise<Record<string, unknown>> {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    await trainAction(dir, args);
  } finally {
    process.stdout.write = write;
  }
  const ours = lines.filter((l) => l.startsWith("{"));
  return JSON.parse(ours[ours.length - 1]);
}

test("train --task rerank re-ranks a run's candidates and writes results.json and model.onnx", async () => {
  const root = mkdtempSync(join(tmpdir(), "seqrank-rerank-cli-"));
  const retriever = join(root, "sasrec");
  await train({
    ...base,
    task: "next-item",
    model: "sasrec",
    loss: "ce",
    out: retriever,
    epochs: 1,
    limit: 2000,
    dim: 16,
    blocks: 1,
    maxLen: 20,
  });
  const out = join(root, "rerank");
  // No --model: the rerank task's default ranker (DeepFM), not the next-item default (SASRec).
  const last = (await train({
    ...base,
    task: "rerank",
    retriever,
    out,
    epochs: 1,
    limit: 1500,
  })) as {
    task: string;
    model: string;
    queries: { test: number };
    test: Record<string, Record<string, number>>;
  };
  assert.equal(last.task, "rerank");
  assert.equal(last.model, "deepfm");
  assert.equal(last.queries.test, 1500);
  for (const side of ["retrieval", "reranked"]) assert.ok(Number.isFinite(last.test[side]["NDCG@10"]), side);
  assert.ok(existsSync(join(out, "model.onnx")));
  const saved = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
  assert.equal(saved.history.length, 1);
  assert.ok(saved.fields.some((f: { name: string }) => f.name === "user_vector"));

  const codeOf = (e: unknown) => (e as SeqrankError).code;
  await assert.rejects(
    train({ ...base, task: "rerank", model: "lr", out }),
    (e) => codeOf(e) === "SR_ERR_CLI_ARG",
  );
  await assert.rejects(
    train({ ...base, task: "rerank", model: "lr", retriever, out }, preparedDataset("movielens-100k")),
    (e) => codeOf(e) === "SR_ERR_CLI_ARG" && /was trained on/.test((e as Error).message),
  );
  rmSync(root, { recursive: true, force: true });
});
