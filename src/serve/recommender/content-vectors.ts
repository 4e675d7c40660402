// Vectors for items the model has never seen. With a title tower the model encodes the title; without one,
// the title is searched (BM25) among the catalogue and the item gets the score-weighted mean vector of the
// best-matching items that have a vector: a product titled like other lipsticks lands among lipsticks.

import type { ServingModel } from "../../artifact/index.js";
import type { ItemCatalogue, ItemVectors } from "../../retrieval/index.js";
import { type SearchIndex, search } from "../../search/index.js";

const NEIGHBOURS = 10;

/** Mean vector of the items best matching `text` (BM25), weighted by score; undefined when none matches. */
export function textNeighbourVector(
  text: string,
  searchIndex: SearchIndex,
  catalogue: ItemCatalogue,
  vectors: ItemVectors,
  exclude?: number,
): Float32Array | undefined {
  const hits = search(searchIndex, text, { limit: NEIGHBOURS + 1, prefix: false, typo: false }).hits;
  const out = new Float32Array(vectors.dim);
  let total = 0;
  for (const hit of hits) {
    const id = catalogue.denseId(hit.id);
    const v = id === undefined || id === exclude ? undefined : vectors.get(id);
    if (!v) continue;
    for (let d = 0; d < out.length; d++) out[d] += hit.score * v[d];
    total += hit.score;
  }
  if (total === 0) return undefined;
  for (let d = 0; d < out.length; d++) out[d] /= total;
  return out;
}

/** The content vector of a catalogue item: the model's title tower, else its title's BM25 neighbours. */
export async function contentVector(
  item: number,
  model: ServingModel,
  searchIndex: SearchIndex,
  catalogue: ItemCatalogue,
  vectors: ItemVectors,
): Promise<Float32Array | undefined> {
  const title = catalogue.meta(item)?.title;
  if (!title) return undefined;
  if (model.encodeTitle) return model.encodeTitle(title);
  return textNeighbourVector(title, searchIndex, catalogue, vectors, item);
}
