// Popularity views of the catalogue: which items are "head", and how recommendations spread over popularity deciles.

/** Item ids 1..nItems ordered by training popularity, most popular first (ties: lower id first). */
export function itemsByPopularity(trainPopularity: ArrayLike<number>): Int32Array {
  const order = new Int32Array(trainPopularity.length - 1);
  for (let i = 0; i < order.length; i++) order[i] = i + 1;
  return order.sort((a, b) => trainPopularity[b] - trainPopularity[a] || a - b);
}

/** 1 for the most popular `headShare` of items (rounded up), 0 for the long tail and for padding id 0. */
export function headItemMask(trainPopularity: ArrayLike<number>, headShare: number): Uint8Array {
  const order = itemsByPopularity(trainPopularity);
  const isHead = new Uint8Array(trainPopularity.length);
  const nHead = Math.ceil(headShare * order.length);
  for (let i = 0; i < nHead; i++) isHead[order[i]] = 1;
  return isHead;
}

export interface PopularityDeciles {
  /** Share of training interactions falling on each popularity decile of items (decile 0 = most popular 10%). */
  training: number[];
  /** Share of recommendation slots filled by items of each decile. */
  recommended: number[];
}

/** Compares where recommendations land with where training interactions land, per item-popularity decile. */
export function popularityDeciles(
  trainPopularity: ArrayLike<number>,
  recommendedCounts: ArrayLike<number>,
): PopularityDeciles {
  const order = itemsByPopularity(trainPopularity);
  const training = new Array<number>(10).fill(0);
  const recommended = new Array<number>(10).fill(0);
  for (let i = 0; i < order.length; i++) {
    const decile = Math.floor((i * 10) / order.length);
    training[decile] += trainPopularity[order[i]];
    recommended[decile] += recommendedCounts[order[i]];
  }
  return { training: normalise(training), recommended: normalise(recommended) };
}

function normalise(values: number[]): number[] {
  const total = values.reduce((a, b) => a + b, 0);
  return values.map((v) => (total > 0 ? v / total : 0));
}
