// A trained re-ranker as it serves: ranker.onnx (the ranker's logit for the target task, weights baked in;
// inputs `ids` int64 [rows, slots] and `weights` float32 [rows, slots], filled by query-features.ts) and
// ranker_features.safetensors (query-features.ts). runRerank writes both into its run directory; export
// copies them into the retriever's version (src/artifact/ranker-model.ts), which loads them back here.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SlotLayout } from "../../data/ctr/slots.js";
import { BuildContext } from "../../graph/context.js";
import { exportOnnx } from "../../graph/export.js";
import { Graph } from "../../graph/graph.js";
import { ctrInputs } from "../../models/ctr/layers.js";
import type { CtrRanker } from "../../models/ctr/ranker.js";
import type { RerankFeatures } from "./query-features.js";

export const RANKER_ONNX = "ranker.onnx";
export const RANKER_FEATURES = "ranker_features.safetensors";
/** The served ranker's output: one logit per row (higher ranks first). */
export const RANKER_OUTPUT = "logit";

/** The ranker's logit graph for `layout` (also what compileRerankScorer runs offline). */
export function rankerLogit(ranker: CtrRanker, layout: SlotLayout, g = new Graph()) {
  return ranker.logits(new BuildContext(g, ranker.store, false), ctrInputs(g, layout))[ranker.tasks[0]];
}

export function writeServedRanker(
  dir: string,
  ranker: CtrRanker,
  layout: SlotLayout,
  features: RerankFeatures,
): void {
  if (JSON.stringify(features.layout) !== JSON.stringify(layout))
    throw new Error("the served feature layout differs from the trained one"); // a bug, not an input error
  exportOnnx(join(dir, RANKER_ONNX), { [RANKER_OUTPUT]: rankerLogit(ranker, layout) }, ranker.store);
  writeFileSync(join(dir, RANKER_FEATURES), features.encode());
}
