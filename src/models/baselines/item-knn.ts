// ItemKNN: item–item cosine similarity over user co-occurrence in the training sequences, keeping the
// top-N neighbours of each item (sparse), and scoring an item by its summed similarity to the user's history.
import { z } from "zod";
import { type EvalData, type Scorer, TopK } from "../../eval/index.js";
import { parseConfig } from "../../util/config-issues.js";
import { SeqrankError } from "../../util/errors.js";

export const ItemKnnConfigSchema = z.strictObject({
  /** Neighbours kept per item. */
  neighbours: z.number().int().positive().default(100),
  /** sim(i, j) = co(i, j) / (sqrt(n_i · n_j) + shrink); damps similarities resting on few users. */
  shrink: z.number().nonnegative().default(10),
  /** A history item t steps before the last one contributes decay^t; 1 weighs the whole history equally. */
  recencyDecay: z.number().gt(0).max(1).default(1),
});
export type ItemKnnConfig = z.infer<typeof ItemKnnConfigSchema>;

/**
 * Adds popularity × this to every score so that items no history item reaches are ordered by popularity
 * instead of tying at zero (ties would count in the target's favour); far below any real similarity.
 */
const POPULARITY_TIEBREAK = 1e-6;

export interface ItemKnn {
  readonly name: "ItemKNN";
  readonly config: ItemKnnConfig;
  readonly nItems: number;
  /** Neighbours of item i: neighbourItems/similarities[offsets[i] .. offsets[i + 1]), most similar first. */
  readonly offsets: Int32Array;
  readonly neighbourItems: Int32Array;
  readonly similarities: Float32Array;
  /** Number of training users holding each item. */
  readonly itemUsers: Int32Array;
  /** Scores of every item (out[0..nItems], 0 = padding) for a history of dense ids, oldest first. */
  scoreHistory(history: Int32Array, out: Float32Array): void;
  scorerFor(data: EvalData): Scorer;
}

export function fitItemKnn(
  sequences: readonly Int32Array[],
  nItems: number,
  config: z.input<typeof ItemKnnConfigSchema> = {},
): ItemKnn {
  const cfg = parseConfig(ItemKnnConfigSchema, config, "itemknn config");
  const baskets = distinctItems(sequences, nItems);
  const itemUsers = new Int32Array(nItems + 1);
  for (const basket of baskets) for (const item of basket) itemUsers[item]++;

  // Inverted index item -> users, CSR.
  const userOffsets = new Int32Array(nItems + 2);
  for (let i = 1; i <= nItems; i++) userOffsets[i + 1] = userOffsets[i] + itemUsers[i];
  const usersOfItem = new Int32Array(userOffsets[nItems + 1]);
  const fill = userOffsets.slice(0, nItems + 1);
  baskets.forEach((basket, u) => {
    for (const item of basket) usersOfItem[fill[item]++] = u;
  });

  const co = new Float64Array(nItems + 1);
  const touched = new Int32Array(nItems);
  const keep = Math.min(cfg.neighbours, Math.max(nItems - 1, 1)); // an item has at most nItems - 1 neighbours
  const heap = new TopK(keep);
  const kept = new Int32Array(keep);
  const offsets = new Int32Array(nItems + 2);
  const neighbourItems = new Int32Array((nItems + 1) * keep);
  const similarities = new Float32Array(neighbourItems.length);
  for (let i = 1; i <= nItems; i++) {
    let nTouched = 0;
    for (let p = userOffsets[i]; p < userOffsets[i + 1]; p++) {
      for (const j of baskets[usersOfItem[p]]) {
        if (j === i) continue;
        if (co[j] === 0) touched[nTouched++] = j;
        co[j]++;
      }
    }
    const similarity = (j: number) => co[j] / (Math.sqrt(itemUsers[i] * itemUsers[j]) + cfg.shrink);
    heap.reset();
    for (let t = 0; t < nTouched; t++) heap.offer(touched[t], similarity(touched[t]));
    heap.drainInto(kept, 0);
    let end = offsets[i];
    for (const j of kept) {
      if (j === 0) break;
      neighbourItems[end] = j;
      similarities[end++] = similarity(j);
    }
    offsets[i + 1] = end;
    for (let t = 0; t < nTouched; t++) co[touched[t]] = 0;
  }

  const nEdges = offsets[nItems + 1];
  return itemKnnFromTables(
    cfg,
    nItems,
    offsets,
    neighbourItems.slice(0, nEdges),
    similarities.slice(0, nEdges),
    itemUsers,
  );
}

/** An ItemKNN from its neighbour tables (as fitItemKnn makes them, or as exported for serving). */
export function itemKnnFromTables(
  config: ItemKnnConfig,
  nItems: number,
  offsets: Int32Array,
  neighbourItems: Int32Array,
  similarities: Float32Array,
  itemUsers: Int32Array,
): ItemKnn {
  let maxUsers = 1;
  for (const n of itemUsers) maxUsers = Math.max(maxUsers, n);
  const baseline = new Float32Array(nItems + 1);
  for (let i = 1; i <= nItems; i++) baseline[i] = (POPULARITY_TIEBREAK * itemUsers[i]) / maxUsers;

  const scoreHistory = (history: Int32Array, out: Float32Array) => {
    out.set(baseline);
    let weight = 1;
    for (let p = history.length - 1; p >= 0; p--) {
      const item = history[p];
      if (item < 1 || item > nItems) continue; // an item the fit never saw adds nothing
      for (let e = offsets[item]; e < offsets[item + 1]; e++)
        out[neighbourItems[e]] += weight * similarities[e];
      weight *= config.recencyDecay;
    }
  };
  return {
    name: "ItemKNN",
    config,
    nItems,
    offsets,
    neighbourItems,
    similarities,
    itemUsers,
    scoreHistory,
    scorerFor(data) {
      if (data.nItems !== nItems) {
        throw new SeqrankError(
          "SR_ERR_MODEL_ITEMS",
          `ItemKNN was fitted on ${nItems} items, data has ${data.nItems}`,
        );
      }
      const width = nItems + 1;
      return (rows, out) => {
        for (let r = 0; r < rows.length; r++)
          scoreHistory(data.histories[rows[r]], out.subarray(r * width, (r + 1) * width));
      };
    },
  };
}

/** Each sequence as a set of in-range items (order dropped, repeats removed). */
function distinctItems(sequences: readonly Int32Array[], nItems: number): Int32Array[] {
  const stamp = new Int32Array(nItems + 1).fill(-1);
  return sequences.map((seq, u) => {
    const out: number[] = [];
    for (const item of seq) {
      if (item < 1 || item > nItems) {
        throw new SeqrankError("SR_ERR_MODEL_ITEM", `sequence ${u} holds item ${item}, outside 1..${nItems}`);
      }
      if (stamp[item] !== u) {
        stamp[item] = u;
        out.push(item);
      }
    }
    return Int32Array.from(out);
  });
}
