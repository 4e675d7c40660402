// Test helper: records a SequenceRecommender's train and score graphs, runs one training step and one
// scoring batch, and returns what came out (shapes as recorded and as run).
import {
  BuildContext,
  Graph,
  type ParamStore,
  Rng,
  Runner,
  type Shape,
  TrainStep,
  tensor,
} from "../../src/graph/index.js";
import type { SequenceRecommender } from "../../src/models/model.js";

export interface GraphRun {
  lossShape: Shape;
  scoreShape: Shape;
  /** Loss of one step at the initial weights. */
  loss: number;
  /** Dims of the scores for `histories`. */
  scoreDims: readonly number[];
  scores: Float32Array;
}

export async function runGraphs(
  model: SequenceRecommender,
  seqs: Int32Array[],
  histories: Int32Array[],
): Promise<GraphRun> {
  const store: ParamStore = model.store;
  const g = new Graph();
  const train = model.buildTrainGraph(new BuildContext(g, store, true));
  const step = await TrainStep.create(train, store, { threads: 1 });
  const feeds = model.trainFeeds(seqs, new Rng(1));
  if (g.inputs().some((t) => t.name === "seed")) feeds.seed = tensor(BigInt64Array.of(1n), []);
  const { loss } = await step.run(feeds, 0);
  await step.release();
  const sg = new Graph();
  const scores = model.buildScoreGraph(new BuildContext(sg, store, false));
  const runner = await Runner.create({ scores }, store, { threads: 1 });
  const out = (await runner.run(model.scoreFeeds(histories))).scores;
  await runner.release();
  return {
    lossShape: train.loss.shape,
    scoreShape: scores.shape,
    loss,
    scoreDims: out.dims,
    scores: out.data as Float32Array,
  };
}
