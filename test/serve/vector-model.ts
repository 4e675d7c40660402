// A ServingModel for tests made from the data itself: item vectors are a random projection of each Beauty
// item's users (items bought by the same people point the same way), and a user is the mean of their last
// five items' vectors. Like an exported version, it ships the data's interactions (Beauty has no times or
// sessions), which the service's popularity and co-visitation start from.
import type { ServingModel } from "../../src/artifact/index.js";
import { beauty, projectedItemVectors } from "../retrieval/beauty.js";

export function vectorModel(version: string, dim = 32, seed = 7): ServingModel {
  const itemVectors = projectedItemVectors(dim, seed);
  return {
    name: "projection",
    version,
    dim,
    nItems: beauty.nItems,
    itemVectors,
    itemIds: Array.from({ length: beauty.nItems + 1 }, (_, i) => (i === 0 ? "" : String(i))),
    interactions: {
      offsets: beauty.offsets,
      items: beauty.items,
      ts: new Float64Array(beauty.items.length).fill(Number.NaN),
      sessions: new Int32Array(beauty.items.length),
    },
    async encodeUser(history) {
      const v = new Float32Array(dim);
      for (const i of history.subarray(-5)) {
        if (i > beauty.nItems) continue;
        for (let d = 0; d < dim; d++) v[d] += itemVectors[i * dim + d];
      }
      return v;
    },
  };
}
