// The prepared dataset's catalogue: catalog.jsonl, one line per kept item in dense-id order, with the item's
// raw id and the metadata prepare read for it (title, brand, category path, price, attributes; null or
// absent when the source had none). The service imports it when it starts on the dataset without a
// catalogue file of its own, so recommendations and search show what the shop's data said about each item.
import { closeSync, openSync, writeSync } from "node:fs";
import type { ItemRecord } from "./features.js";
import type { Vocab } from "./vocab.js";

export const CATALOG_JSONL = "catalog.jsonl";

/** Writes `records` (index = dense item id) of `items` to `path`. */
export function writeCatalogFile(path: string, items: Vocab, records: readonly (ItemRecord | null)[]): void {
  const fd = openSync(path, "w");
  try {
    let chunk = "";
    for (let id = 1; id < items.size; id++) {
      const r = records[id];
      chunk += `${JSON.stringify({
        item_id: items.value(id),
        title: r?.title ?? null,
        brand: r?.brand ?? null,
        category: r?.category ?? null,
        price: r?.price ?? null,
        attributes: r?.attributes ?? [],
      })}\n`;
      if (chunk.length > 1 << 20) {
        writeSync(fd, chunk);
        chunk = "";
      }
    }
    writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
}
