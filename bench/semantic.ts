// `npm run bench -- semantic [--run runs/beauty-sasrec-ce-side] [--queries 1000]`: semantic search from the title
// tower against BM25 and their RRF fusion, on the amazon-beauty catalogue (items.jsonl, 12,101 titled items)
// served in-process (buildApp + the recommender plugin, the model exported from the run).
// Protocol: `queries` items drawn uniformly (seeded) among those whose title has ≥ 4 words; the query is a
// random subset of round(keep · words) of the title's words (≥ 1, title order kept), keep = 0.5 and 0.25; the
// one relevant item is the one the title came from. Recall@10 of each leg from the same search call: BM25
// (its rank ≤ 10), semantic (the vector leg's rank ≤ 10), hybrid (the fused list's top 10), and vector-only (the
// vector leg's top 10 has it, BM25's does not); no user, no filters.
// In the same run: the model without its title tower (the BM25-neighbour fallback leg), and the title-tower
// query vector searched among the behaviour-trained item vectors (inner product) instead of the title vectors.
// Last stdout line: one JSON object.
import { join } from "node:path";
import { exportServingModel, loadServingModel, type ServingModel } from "../src/artifact/index.js";
import { Rng } from "../src/graph/init.js";
import { ItemIndex } from "../src/retrieval/index.js";
import { buildApp } from "../src/serve/index.js";
import { recommender } from "../src/serve/plugins/recommender.js";
import type { RecommenderService } from "../src/serve/recommender/index.js";
import { loadRun } from "../src/train/run-dir.js";
import { printResultLine } from "../src/util/result-line.js";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const runDir = arg("run", "runs/beauty-sasrec-ce-side");
const QUERIES = Number(arg("queries", "1000"));
const KEEPS = [0.5, 0.25];
const catalogFile = join("..", "shared", "datasets", "amazon-beauty", "items.jsonl");

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

const { model, datasetDir } = loadRun(runDir);
const modelDir = join(".tmp", "bench-semantic", "model");
await exportServingModel(model, modelDir, {
  version: "semantic",
  itemsTsv: join(datasetDir, "items.tsv"),
  tokensTsv: join(datasetDir, "tokens.tsv"),
});

/** The service over the Beauty catalogue serving `served` (user vectors are not needed here). */
async function serviceFor(served: ServingModel) {
  let service: RecommenderService | undefined;
  const app = await buildApp({
    config: { logLevel: "silent", dataDir: datasetDir, catalogFile },
    plugins: [
      recommender({
        model: served,
        pollMs: 0,
        config: { userVectorCache: 0 },
        onReady: (s) => (service = s),
      }),
    ],
  });
  if (!service) throw new Error("recommender did not start");
  return { app, service };
}

/** The protocol's queries: [catalogue id, query] pairs. */
function queriesFor(service: RecommenderService, keep: number): Array<[number, string]> {
  const rng = new Rng(7);
  const out: Array<[number, string]> = [];
  const { catalogue } = service;
  while (out.length < QUERIES) {
    const id = 1 + rng.int(catalogue.maxId);
    const words = catalogue.meta(id)?.title?.split(/\s+/).filter(Boolean) ?? [];
    if (words.length < 4) continue;
    const order = words.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    const kept = order.slice(0, Math.max(1, Math.round(keep * words.length))).sort((a, b) => a - b);
    out.push([id, kept.map((i) => words[i]).join(" ")]);
  }
  return out;
}

const out: Record<string, number | string> = { run: runDir, queries: QUERIES };
for (const variant of ["title-tower", "fallback"] as const) {
  const served = await loadServingModel(modelDir);
  const { app, service } = await serviceFor(
    variant === "title-tower" ? served : { ...served, encodeTitle: undefined },
  );
  // For comparison only: the tower's query vector against the item vectors (catalogue ids via raw ids).
  const itemIndex = ItemIndex.build(served.itemVectors, served.dim, { threads: 2 });
  const rawIds = served.itemIds ?? [];
  for (const keep of KEEPS) {
    let [bm25, vector, hybrid, itemSpace, rescued] = [0, 0, 0, 0, 0];
    const ms: number[] = [];
    let leg = "";
    for (const [id, query] of queriesFor(service, keep)) {
      const t0 = performance.now();
      const r = await service.search(query, { k: 100, personalWeight: 0 });
      ms.push(performance.now() - t0);
      leg = r.vectorLeg;
      const at = r.hits.findIndex((h) => h.item === id);
      const hit = r.hits[at];
      const byBm25 = hit?.bm25Rank !== undefined && hit.bm25Rank <= 10;
      const byVector = hit?.vectorRank !== undefined && hit.vectorRank <= 10;
      if (byBm25) bm25++;
      if (byVector) vector++;
      if (byVector && !byBm25) rescued++;
      if (at >= 0 && at < 10) hybrid++;
      if (variant === "title-tower") {
        const qv = await served.encodeTitle?.(query);
        const top = qv ? itemIndex.search(qv, 10).items : [];
        const raw = service.catalogue.meta(id)?.id;
        if ([...top].some((row) => rawIds[row] === raw)) itemSpace++;
      }
    }
    const tag = `${variant === "title-tower" ? "tower" : "fallback"}_keep${keep}`;
    out[`${tag}_vector_leg`] = leg;
    out[`${tag}_bm25_recall10`] = round(bm25 / QUERIES);
    out[`${tag}_vector_recall10`] = round(vector / QUERIES);
    out[`${tag}_hybrid_recall10`] = round(hybrid / QUERIES);
    out[`${tag}_vector_only_recall10`] = round(rescued / QUERIES);
    if (variant === "title-tower") out[`${tag}_tower_vs_item_vectors_recall10`] = round(itemSpace / QUERIES);
    out[`${tag}_search_p50_ms`] = round(percentile(ms, 0.5), 2);
    out[`${tag}_search_p95_ms`] = round(percentile(ms, 0.95), 2);
    console.log(
      `${tag}: BM25 ${out[`${tag}_bm25_recall10`]} · ${leg} ${out[`${tag}_vector_recall10`]} · hybrid ${out[`${tag}_hybrid_recall10`]}`,
    );
  }
  await app.close();
}
printResultLine(out);
