import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { ParamStore } from "../../src/graph/param-store.js";
import { sasrec } from "../../src/models/sasrec.js";
import { fit } from "../../src/train/fit.js";
import { learningRate, ScheduleSchema } from "../../src/train/schedule.js";
import { firstUsers, preparedDataset, repoRoot } from "../helpers/prepared.js";

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);

test("learning-rate schedules: warm-up ramps from 0, linear and cosine decay from the peak to minFactor × peak", () => {
  const warm = ScheduleSchema.parse({ kind: "cosine", warmupSteps: 10 });
  close(learningRate(warm, 1, 0, 110), 0.1);
  close(learningRate(warm, 1, 9, 110), 1);
  close(learningRate(warm, 1, 10, 110), 1);
  close(learningRate(warm, 1, 60, 110), 0.5);
  close(learningRate(warm, 1, 110, 110), 0);
  const linear = ScheduleSchema.parse({ kind: "linear", minFactor: 0.1 });
  close(learningRate(linear, 2, 50, 100), 2 * (0.1 + 0.9 * 0.5));
  close(learningRate(linear, 2, 100, 100), 0.2);
  close(learningRate(ScheduleSchema.parse({}), 3, 70, 100), 3);
});

test("fit follows its schedule: the rate recorded at each epoch's last step is the cosine's, near 0 at the end", async () => {
  const data = firstUsers("amazon-beauty", 1500);
  const model = sasrec.create(
    sasrec.configSchema.parse({}),
    { nItems: data.nItems, maxSeqLen: 50 },
    new ParamStore(3),
  );
  const schedule = ScheduleSchema.parse({ kind: "cosine" });
  const r = await fit(model, data, { epochs: 3, lr: 2e-3, batchSize: 64, threads: 1, schedule });
  const steps = Math.ceil(1500 / 64);
  assert.deepEqual(
    r.history.map((h) => h.lr),
    [1, 2, 3].map((e) => learningRate(schedule, 2e-3, e * steps - 1, 3 * steps)),
  );
  assert.ok((r.history[2].lr ?? 1) < 2e-3 * 0.01, "the last step trains at under 1% of the peak");
  assert.ok(r.history[2].loss < r.history[0].loss, "training loss still falls");
});

test("seqrank train rejects an unknown --schedule with a clear error before training", () => {
  const cli = join(repoRoot, "src/cli/index.ts");
  const args = ["train", preparedDataset("amazon-beauty"), "--schedule", "cosinus", "--out", "unused"];
  const r = spawnSync(process.execPath, ["--import", "tsx", cli, ...args], {
    cwd: repoRoot,
    encoding: "utf8",
  });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /SR_ERR_CLI_ARG: --schedule "cosinus".*constant \| linear \| cosine/);
});
