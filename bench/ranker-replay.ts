// `npm run bench -- ranker-replay`: the served learned ranker replayed on the test users its run was scored
// on offline. The serve benchmark's model and ranker (bench/serve/model.ts: SASRec 2 epochs on amazon-beauty,
// DeepFM over its top 100 trained on the first 4,000 users; made here when missing) are loaded through the
// service's loader; for each of those users' test histories the served ranker retrieves and re-ranks, and
// NDCG@10 / HR@10 of the test target are computed for the served retrieval order and the served re-ranked
// order (a target outside the candidates is a miss for both), with the paired gain over users. The offline
// numbers are the run's own results.json (the same users, the same protocol). Reported: both gains and their
// difference in units of the paired standard error, and the median time of one rank() call.
// Last stdout line: one JSON object.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadServingModel, ModelRegistry } from "../src/artifact/index.js";
import { loadDataset } from "../src/data/index.js";
import { listMetrics, pairedNdcgGain } from "../src/eval/list-metrics.js";
import { trainDataFrom } from "../src/train/train-data.js";
import { printResultLine } from "../src/util/result-line.js";
import { repoRoot } from "./seqrank-process.js";
import { ensureModel, ensurePrepared, ensureRankedModel, RANKED_VERSION } from "./serve/model.js";

const dataDir = join(repoRoot, "data", "amazon-beauty");
const registryRoot = join(repoRoot, ".tmp", "bench-serve", "runs");
const rerankRun = join(repoRoot, ".tmp", "bench-serve", "rerank-run");

interface OfflineSummary {
  options: { limitUsers?: number };
  test: {
    retrieval: Record<string, number>;
    reranked: Record<string, number>;
    ndcg10Gain: { mean: number; se: number };
  };
}

ensurePrepared(repoRoot, dataDir);
await ensureModel(dataDir, registryRoot);
await ensureRankedModel(dataDir, registryRoot);
const offline = JSON.parse(readFileSync(join(rerankRun, "results.json"), "utf8")) as OfflineSummary;
const model = await loadServingModel(new ModelRegistry(registryRoot).dir(RANKED_VERSION));
const ranker = model.ranker!;
const data = trainDataFrom(loadDataset(dataDir));
const users = Math.min(offline.options.limitUsers || data.test.targets.length, data.test.targets.length);

const retrieval = new Float64Array(users);
const reranked = new Float64Array(users);
const rankMicros = new Float64Array(users);
const t0 = performance.now();
for (let q = 0; q < users; q++) {
  const history = data.test.histories[q];
  const userVector = await model.encodeUser(history);
  const started = performance.now();
  const { items, scores } = await ranker.rank(history, userVector);
  rankMicros[q] = (performance.now() - started) * 1000;
  const at = items.indexOf(data.test.targets[q]);
  retrieval[q] = at < 0 ? Number.POSITIVE_INFINITY : at;
  let rank = 0;
  if (at >= 0)
    for (let j = 0; j < items.length; j++)
      if (scores[j] > scores[at] || (scores[j] === scores[at] && j < at)) rank++;
  reranked[q] = at < 0 ? Number.POSITIVE_INFINITY : rank;
}
const seconds = (performance.now() - t0) / 1000;
await model.dispose?.();

const served = {
  retrieval: listMetrics(retrieval),
  reranked: listMetrics(reranked),
  gain: pairedNdcgGain(retrieval, reranked),
};
const round = (x: number) => Math.round(x * 1e5) / 1e5;
const gainDiff = served.gain.mean - offline.test.ndcg10Gain.mean;
printResultLine({
  model: RANKED_VERSION,
  model_note:
    "SASRec 2 epochs + DeepFM on 4,000 users: the serve benchmark's latency model, not an accuracy run",
  users,
  served_retrieval_ndcg10: round(served.retrieval["NDCG@10"]),
  served_reranked_ndcg10: round(served.reranked["NDCG@10"]),
  served_reranked_hr10: round(served.reranked["HR@10"]),
  served_gain_ndcg10: round(served.gain.mean),
  served_gain_se: round(served.gain.se),
  offline_retrieval_ndcg10: round(offline.test.retrieval["NDCG@10"]),
  offline_reranked_ndcg10: round(offline.test.reranked["NDCG@10"]),
  offline_gain_ndcg10: round(offline.test.ndcg10Gain.mean),
  offline_gain_se: round(offline.test.ndcg10Gain.se),
  gain_difference: round(gainDiff),
  gain_difference_in_se: round(gainDiff / Math.max(1e-12, served.gain.se)),
  ms_per_user: round((seconds * 1000) / users),
  // One rank() call, back to back (item scores, top 100, features, the ranker's ONNX run), in-process.
  rank_p50_us: Math.round(rankMicros.sort()[users >> 1]),
});
