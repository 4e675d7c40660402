// What the training sequences say about a candidate given one user's history, beyond the sequence model:
//   knn:         ItemKNN's score, the candidate's cosine co-occurrence with the history (recency-decayed);
//   knnLast:     its co-occurrence with the last history item alone;
//   transitions: how often the last history item was directly followed by the candidate (log1p count);
//   attributeOverlap: the share of the candidate's attributes that some history item has.
// Everything is counted over the training sequences only, so neither the validation nor the test target of
// any user contributes.
import type { Csr } from "../../data/prepared.js";
import { fitItemKnn, type ItemKnn, type ItemKnnConfig } from "../../models/baselines/index.js";

export const SIGNALS = ["knn", "knnLast", "transitions", "attributeOverlap"] as const;
export type SignalName = (typeof SIGNALS)[number];

/** Everything the signals read, as flat arrays (what a served ranker ships: query-features.ts). */
export interface HistorySignalTables {
  knn: ItemKnn;
  /** CSR of next items: followers[nextOffsets[i] .. nextOffsets[i + 1]) directly followed item i (repeats kept). */
  nextOffsets: Int32Array;
  followers: Int32Array;
  /** Attribute ids per item, when the dataset has attributes. */
  attributes?: Csr;
}

export class HistorySignals {
  private readonly knn: ItemKnn;
  private readonly nextOffsets: Int32Array;
  private readonly followers: Int32Array;
  private readonly attributes: Csr | undefined;
  private readonly scratch: Float64Array;
  private readonly seenAttribute: Int32Array;
  private stamp = 0;

  constructor(
    readonly nItems: number,
    readonly tables: HistorySignalTables,
  ) {
    this.knn = tables.knn;
    this.nextOffsets = tables.nextOffsets;
    this.followers = tables.followers;
    this.attributes = tables.attributes;
    this.scratch = new Float64Array(nItems + 1);
    let attributeIds = 1;
    for (const a of tables.attributes?.values ?? []) attributeIds = Math.max(attributeIds, a + 1);
    this.seenAttribute = new Int32Array(attributeIds).fill(-1);
  }

  /** Counts the signals over the training sequences. */
  static fit(
    sequences: readonly Int32Array[],
    nItems: number,
    attributes: Csr | undefined,
    knnConfig: Partial<ItemKnnConfig>,
  ): HistorySignals {
    const knn = fitItemKnn(sequences, nItems, knnConfig);
    const counts = new Int32Array(nItems + 2);
    for (const s of sequences) for (let p = 0; p + 1 < s.length; p++) counts[s[p] + 1]++;
    for (let i = 1; i < counts.length; i++) counts[i] += counts[i - 1];
    const followers = new Int32Array(counts[nItems + 1]);
    const fill = counts.slice(0, nItems + 1);
    for (const s of sequences) for (let p = 0; p + 1 < s.length; p++) followers[fill[s[p]]++] = s[p + 1];
    return new HistorySignals(nItems, { knn, nextOffsets: counts, followers, attributes });
  }

  /** Writes each signal of the candidates (item 0 = empty slot, left at 0) into out[name][at + j]. */
  describe(
    history: Int32Array,
    candidates: Int32Array,
    out: Record<SignalName, Float64Array>,
    at: number,
  ): void {
    const last = history[history.length - 1];
    const { offsets, neighbourItems, similarities } = this.knn;
    const decay = this.knn.config.recencyDecay;
    const read = (signal: SignalName, transform: (x: number) => number = (x) => x) => {
      for (let j = 0; j < candidates.length; j++) {
        if (candidates[j] !== 0) out[signal][at + j] = transform(this.scratch[candidates[j]]);
      }
    };
    const clear = (from: number, to: number, items: Int32Array) => {
      for (let e = from; e < to; e++) this.scratch[items[e]] = 0;
    };

    for (let e = offsets[last]; e < offsets[last + 1]; e++)
      this.scratch[neighbourItems[e]] += similarities[e];
    read("knnLast");
    clear(offsets[last], offsets[last + 1], neighbourItems);

    let weight = 1;
    for (let p = history.length - 1; p >= 0; p--, weight *= decay) {
      const item = history[p];
      for (let e = offsets[item]; e < offsets[item + 1]; e++)
        this.scratch[neighbourItems[e]] += weight * similarities[e];
    }
    read("knn");
    for (const item of history) clear(offsets[item], offsets[item + 1], neighbourItems);

    const from = this.nextOffsets[last];
    const to = this.nextOffsets[last + 1];
    for (let e = from; e < to; e++) this.scratch[this.followers[e]]++;
    read("transitions", Math.log1p);
    clear(from, to, this.followers);

    if (this.attributes) this.attributeOverlap(history, candidates, out.attributeOverlap, at);
  }

  private attributeOverlap(history: Int32Array, candidates: Int32Array, out: Float64Array, at: number): void {
    const { offsets, values } = this.attributes!;
    const stamp = ++this.stamp;
    for (const item of history) {
      for (let e = offsets[item]; e < offsets[item + 1]; e++) this.seenAttribute[values[e]] = stamp;
    }
    for (let j = 0; j < candidates.length; j++) {
      const c = candidates[j];
      const n = offsets[c + 1] - offsets[c];
      if (c === 0 || n === 0) continue;
      let shared = 0;
      for (let e = offsets[c]; e < offsets[c + 1]; e++)
        shared += this.seenAttribute[values[e]] === stamp ? 1 : 0;
      out[at + j] = shared / n;
    }
  }
}
