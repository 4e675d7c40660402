// `seqrank train --task ctr` and `--task rerank` killed with SIGKILL after epoch N's checkpoint resume at epoch
// N + 1 and end exactly like an uninterrupted run: the same history (losses, rates, validation metrics), best
// epoch, validation and test metrics. The next-item task's own kill test: train-resume.test.ts.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { loadSafetensors } from "../../src/graph/checkpoint.js";
import { datasetsDir } from "../helpers/datasets.js";
import { preparedDataset, repoRoot } from "../helpers/prepared.js";

const root = mkdtempSync(join(tmpdir(), "seqrank-resume-rankers-"));
after(() => rmSync(root, { recursive: true, force: true }));

const train = (args: string[], out: string) => [
  "--import",
  "tsx",
  join(repoRoot, "src/cli/index.ts"),
  "train",
  ...args,
  "--out",
  out,
  "--threads",
  "1",
  "--no-progress",
];
const checkpointEpoch = (path: string): number => JSON.parse(loadSafetensors(path).metadata.progress).epoch;

/** Starts the run, SIGKILLs it once its last checkpoint is epoch `n`'s, and checks it was cut short there. */
async function killAfterEpoch(args: string[], out: string, n: number): Promise<void> {
  const child = spawn(process.execPath, train(args, out), { cwd: repoRoot, stdio: "ignore" });
  let exited = false;
  const exit = new Promise((r) => child.on("exit", r)).then(() => {
    exited = true;
  });
  const last = join(out, "checkpoints", "last.safetensors");
  // Checkpoints are renamed into place whole, so one that exists can be read.
  while (!exited && !(existsSync(last) && checkpointEpoch(last) >= n))
    await new Promise((r) => setTimeout(r, 20));
  child.kill("SIGKILL");
  await exit;
  assert.ok(existsSync(last), "the run wrote no checkpoint");
  assert.equal(checkpointEpoch(last), n, "killed after the wanted epoch");
  assert.ok(!existsSync(join(out, "results.json")), "the run was killed before finishing");
}

/** Resumes the killed run to its end; returns its stderr. */
function resume(args: string[], out: string): string {
  const r = spawnSync(process.execPath, train(args, out), { cwd: repoRoot, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stderr;
}

/** What must not differ between a resumed and an uninterrupted run: everything but the timings. */
function outcome(out: string): unknown {
  const r = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
  const history = (r.history as { seconds?: number }[]).map(({ seconds, ...h }) => h);
  return { bestEpoch: r.bestEpoch, valid: r.valid, test: r.test, heldOut: r.heldOut, history };
}

test("a CTR run killed after epoch 3 resumes at epoch 4 with its decayed rate and ends like an uninterrupted run", async () => {
  // DeepFM on taobao's first 200 users: validation AUC peaks at epoch 2, so epoch 4 trains at the rate halved
  // by --plateau-decay after epoch 3 (the resumed run must read it from the checkpoint), and the resumed run
  // must take the best epoch's weights from checkpoints/.
  const args = [
    "taobao-userbehavior-sample",
    "--task",
    "ctr",
    "--model",
    "deepfm",
    "--limit",
    "200",
    "--batch",
    "32",
    "--lr",
    "0.01",
    "--epochs",
    "4",
    "--patience",
    "4",
    "--plateau-decay",
    "0.5",
    "--datasets",
    datasetsDir,
  ];
  const straight = join(root, "ctr-straight");
  resume(args, straight);
  const killed = join(root, "ctr-killed");
  await killAfterEpoch(args, killed, 3);
  assert.match(resume(args, killed), /resuming from .*last\.safetensors after epoch 3\n/);
  assert.deepEqual(outcome(killed), outcome(straight));

  const s = JSON.parse(readFileSync(join(straight, "results.json"), "utf8"));
  assert.equal(s.bestEpoch, 2, "the setting no longer has its best epoch before the kill");
  assert.deepEqual(
    s.history.map((h: { lr: number }) => h.lr),
    [0.01, 0.01, 0.01, 0.005],
  );
  assert.ok(existsSync(join(killed, "model.onnx")));
});

test("a re-rank run killed after epoch 1 resumes at epoch 2 and ends like an uninterrupted run", async () => {
  const dataset = preparedDataset("movielens-100k");
  const retriever = join(root, "sasrec");
  const sasrec = ["--model", "sasrec", "--loss", "ce", "--epochs", "3", "--lr", "3e-3", "--dim", "16"];
  resume([dataset, ...sasrec, "--blocks", "1"], retriever);
  // One query (50 candidates) per step, three epochs: the held-out NDCG@10 is best at epoch 1, so the resumed
  // run's best weights are the ones saved before the kill.
  const args = [
    dataset,
    "--task",
    "rerank",
    "--retriever",
    retriever,
    "--candidates",
    "50",
    "--batch",
    "1",
    "--epochs",
    "3",
    "--patience",
    "3",
  ];
  const straight = join(root, "rerank-straight");
  resume(args, straight);
  const killed = join(root, "rerank-killed");
  await killAfterEpoch(args, killed, 1);
  assert.match(resume(args, killed), /resuming from .*last\.safetensors after epoch 1\n/);
  assert.deepEqual(outcome(killed), outcome(straight));
  const s = JSON.parse(readFileSync(join(straight, "results.json"), "utf8"));
  assert.equal(s.bestEpoch, 1, "the setting no longer has its best epoch before the kill");
  assert.equal(s.history.length, 3);
  for (const f of ["model.onnx", "ranker.onnx", "ranker_features.safetensors"])
    assert.ok(existsSync(join(killed, f)), f);
});
