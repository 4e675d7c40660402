// Issue #14 part 4: configuration that cannot lie. A typo in a config key, or a flag the chosen model does
// not read, is an error naming it (and what is allowed), never silently a default.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { trainAction } from "../../src/cli/train.js";
import { checkTrainFlags, lossChoices } from "../../src/cli/train-flags.js";
import { CTR_MODELS, NEURAL_MODELS } from "../../src/models/registry.js";
import { parseServeConfig } from "../../src/serve/config.js";
import { FitConfigSchema } from "../../src/train/fit.js";
import { parseConfig } from "../../src/util/config-issues.js";
import { preparedDataset, repoRoot } from "../helpers/prepared.js";

const rejects = (fn: () => unknown, code: string, ...parts: string[]) =>
  assert.throws(fn, (err: Error & { code?: string }) => {
    assert.equal(err.code, code, err.message);
    for (const p of parts) assert.ok(err.message.includes(p), `"${err.message}" lacks "${p}"`);
    return true;
  });

test("every model's and the service's config is strict: an unknown key is an error naming it and the allowed keys", () => {
  for (const [name, factory] of Object.entries({ ...NEURAL_MODELS, ...CTR_MODELS }))
    rejects(
      () => parseConfig(factory.configSchema, { dimm: 8 }, `${name} config`),
      "SR_ERR_CONFIG",
      '"dimm"',
    );
  rejects(
    () => parseConfig(NEURAL_MODELS.sasrec.configSchema, { segmnts: { count: 2 } }, "sasrec config"),
    "SR_ERR_CONFIG",
    'unknown key "segmnts"',
    "allowed: ",
    "segments",
  );
  // Nested: the allowed keys are those of the object the typo is in.
  rejects(
    () => parseConfig(NEURAL_MODELS.sasrec.configSchema, { segments: { count: 2, pooll: "mean" } }, "sasrec"),
    "SR_ERR_CONFIG",
    'unknown key "pooll" in segments',
    "pool",
  );
  rejects(() => parseConfig(FitConfigSchema, { epochz: 3 }, "fit config"), "SR_ERR_CONFIG", '"epochz"');
  rejects(
    () => parseServeConfig({ storage: { commitBatchEvnts: 5 } } as never),
    "SR_ERR_CONFIG",
    'unknown key "commitBatchEvnts" in storage',
    "commitBatchEvents",
  );
  // What is known still parses, defaults filled in.
  assert.equal(parseServeConfig({ storage: { commitBatchEvents: 5 } }).storage.commitBatchEvents, 5);
});

test("a flag the chosen task and model do not read is an error naming the flag and where it applies", () => {
  rejects(
    () => checkTrainFlags("next-item", "bert4rec", { loss: "sampled" }),
    "SR_ERR_CLI_ARG",
    "--loss is not used by --task next-item --model bert4rec",
    "sasrec",
  );
  rejects(
    () => checkTrainFlags("next-item", "gru4rec", { blocks: 3 }),
    "SR_ERR_CLI_ARG",
    "--blocks",
    "bert4rec",
  );
  rejects(() => checkTrainFlags("next-item", "sasrec", { negatives: 64 }), "SR_ERR_CLI_ARG", "--negatives");
  rejects(
    () => checkTrainFlags("next-item", "sasrec", { tasks: "cart" }),
    "SR_ERR_CLI_ARG",
    "--tasks",
    "--task ctr",
  );
  rejects(() => checkTrainFlags("next-item", "pop", { epochs: 3 }), "SR_ERR_CLI_ARG", "--epochs");
  rejects(() => checkTrainFlags("ctr", "fm", { negatives: 5 }), "SR_ERR_CLI_ARG", "--negatives", "hybrid-mf");
  rejects(() => checkTrainFlags("ctr", "deepfm", { bottom: "shared" }), "SR_ERR_CLI_ARG", "--bottom", "mmoe");
  rejects(() => checkTrainFlags("ctr", "sasrec", {}), "SR_ERR_CLI_ARG", 'unknown model "sasrec"', "deepfm");
  rejects(() => checkTrainFlags("ranking", "sasrec", {}), "SR_ERR_CLI_ARG", "--task");
  // The flags each one does read pass.
  checkTrainFlags("next-item", "sasrec", { loss: "sampled", negatives: 64, blocks: 2, schedule: "cosine" });
  checkTrainFlags("next-item", "bprmf", { loss: "ce", dim: 32 });
  checkTrainFlags("next-item", "itemknn", { config: "{}" });
  checkTrainFlags("ctr", "hybrid-mf", { loss: "warp", negatives: 5, tasks: "click" });
  checkTrainFlags("ctr", "mmoe", { bottom: "shared", fusion: "gated" });
  checkTrainFlags("rerank", "deepfm", { retriever: "run", candidates: 50 });
});

test("a typo in --config fails before training, naming the key; bad JSON is a coded error", async () => {
  const data = preparedDataset("amazon-beauty");
  const flags = {
    task: "next-item",
    model: "sasrec",
    out: join(repoRoot, "never-written"),
    seed: 1,
    progress: false,
  };
  await assert.rejects(
    trainAction(data, { ...flags, config: '{"segmnts":{"count":2,"pool":"mean"}}' }),
    (err: Error & { code?: string }) => err.code === "SR_ERR_CONFIG" && err.message.includes('"segmnts"'),
  );
  await assert.rejects(
    trainAction(data, { ...flags, config: "{segments: 2}" }),
    (err: Error & { code?: string }) => err.code === "SR_ERR_CONFIG" && err.message.includes("--config"),
  );
});

test("seqrank train --help lists the models and losses from the registries", () => {
  const help = spawnSync(
    process.execPath,
    ["--import", "tsx", join(repoRoot, "src/cli/index.ts"), "train", "--help"],
    { cwd: repoRoot, encoding: "utf8" },
  ).stdout.replace(/\s+/g, " ");
  for (const model of [...Object.keys(NEURAL_MODELS), ...Object.keys(CTR_MODELS)])
    assert.ok(help.includes(model), model);
  assert.ok(lossChoices().includes("hybrid-mf: bce | bpr | warp"), lossChoices());
  assert.ok(help.includes("sasrec: ce | sampled | gbce | bce"), "the losses");
});
