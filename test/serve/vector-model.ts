// A ServingModel for tests made from the data itself: item vectors are a random projection of each Beauty
// item's users (items bought by the same people point the same way), and a user is the mean of their last
// five items' vectors.
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
