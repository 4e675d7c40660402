import assert from "node:assert/strict";
import { test } from "node:test";
import { BuildContext } from "../../src/graph/context.js";
import { Graph } from "../../src/graph/graph.js";
import { Rng } from "../../src/graph/init.js";
import { ParamStore } from "../../src/graph/param-store.js";
import { TrainStep } from "../../src/graph/session.js";
import { lengthStreams } from "../../src/models/next-item-batch.js";
import { sasrec } from "../../src/models/sasrec.js";

test("lengthStreams splits sorted lengths into groups with the least padding", () => {
  const lengths = [50, 2, 3, 2, 49, 4, 3, 2];
  const groups = lengthStreams(lengths, 3);
  assert.equal(groups.length, 3);
  assert.deepEqual(
    groups.flat().sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5, 6, 7],
  );
  const padded = groups.reduce((a, g) => a + g.length * Math.max(...g.map((i) => lengths[i])), 0);
  assert.equal(padded, 3 * 2 + 3 * 4 + 2 * 50); // {2,2,2}, {3,3,4}, {49,50}: 118 instead of 8 × 50 = 400
});

test("a batch encoded as 3 length streams gives the same loss and update as one padded block", async () => {
  const rng = new Rng(5);
  const batch = Array.from({ length: 9 }, (_, i) =>
    Int32Array.from({ length: 2 + ((i * 7) % 13) }, () => 1 + rng.int(40)),
  );
  const results: { loss: number; emb: Float32Array }[] = [];
  for (const trainStreams of [1, 3]) {
    const store = new ParamStore(3);
    const model = sasrec.create(
      sasrec.configSchema.parse({ dropout: 0, maxLen: 10, dim: 16, trainStreams }),
      { nItems: 40, maxSeqLen: 15 },
      store,
    );
    const g = new Graph();
    const { loss } = model.buildTrainGraph(new BuildContext(g, store, true));
    const step = await TrainStep.create({ loss }, store, { threads: 1 });
    const r = await step.run(model.trainFeeds(batch, new Rng(1)), 1e-2);
    results.push({ loss: r.loss, emb: Float32Array.from(step.state().get("item_emb")!.data) });
  }
  assert.ok(Math.abs(results[0].loss - results[1].loss) < 1e-5, `${results[0].loss} vs ${results[1].loss}`);
  let maxDiff = 0;
  results[0].emb.forEach((v, i) => {
    maxDiff = Math.max(maxDiff, Math.abs(v - results[1].emb[i]));
  });
  assert.ok(maxDiff < 1e-5, `item embeddings differ by ${maxDiff}`);
});
