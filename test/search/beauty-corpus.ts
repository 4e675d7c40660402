// The Amazon Beauty titles as a search corpus. Beauty has no brand, category or price columns, so for filter
// tests they are derived: brand = first attribute, category = the remaining attributes as a path, and a
// deterministic pseudo-price from the item id.
import {
  addDocument,
  createSearchIndex,
  type SearchDocument,
  type SearchIndex,
} from "../../src/search/index.js";
import { loadBeautyItems } from "./datasets.js";

export function beautyDocuments(): SearchDocument[] {
  return loadBeautyItems().map((item) => ({
    id: item.id,
    title: item.title,
    brand: item.attributes[0] ?? null,
    category: item.attributes.slice(1).join(" > ") || null,
    attributes: item.attributes,
    price: ((Number(item.id) * 7919) % 5000) / 100,
  }));
}

export function buildBeautyIndex(docs = beautyDocuments()): SearchIndex {
  const index = createSearchIndex();
  for (const doc of docs) addDocument(index, doc);
  return index;
}
