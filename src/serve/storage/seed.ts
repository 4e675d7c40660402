// First-start seeding: user sequences from a prepared dataset (raw ids, training-type events, oldest first,
// with their times so later events, backdated ones too, take their place among them)
// and catalogue items from a JSONL file. Both only fill what is missing, so restarts keep live state.
import { createReadStream } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { loadDataset, readVocabTsv } from "../../data/index.js";
import { SeqrankError } from "../../util/errors.js";
import type { ItemInput, SeedSequence, Store } from "./store.js";

/**
 * Seeds the sequence of every dataset user once per store (a marker records it, so users deleted later are
 * not brought back by a restart); returns how many were seeded, 0 when already done.
 */
export async function seedSequencesFromDataset(store: Store, dataDir: string): Promise<number> {
  const ds = loadDataset(dataDir);
  const marker = `sequences-seeded:${ds.name}`;
  if (await store.hasMarker(marker)) return 0;
  const users = readVocabTsv(join(dataDir, "users.tsv"));
  const items = readVocabTsv(join(dataDir, "items.tsv"));
  function* sequences(): Generator<SeedSequence> {
    for (let u = 1; u <= ds.nUsers; u++) {
      const seq: string[] = [];
      const times: Array<number | null> = [];
      for (let p = ds.offsets[u]; p < ds.offsets[u + 1]; p++) {
        if (ds.trainType[ds.events[p]] !== 1) continue;
        seq.push(items.value(ds.items[p]));
        times.push(Number.isNaN(ds.ts[p]) ? null : Math.round(ds.ts[p] * 1000)); // dataset times are seconds
      }
      yield [users.value(u), seq, times];
    }
  }
  const seeded = await store.seedSequences(sequences());
  await store.setMarker(marker);
  return seeded;
}

const str = (v: unknown): string | null =>
  typeof v === "string" && v !== "" ? v : typeof v === "number" ? String(v) : null;

/**
 * One catalogue line → item. Accepts `id` or `item_id`; `category` as a path string or an array of levels;
 * `attributes` as strings; `in_stock` defaults to true. amazon-beauty's items.jsonl reads as is.
 */
export function catalogItemFromJson(row: Record<string, unknown>): ItemInput | undefined {
  const id = str(row.id ?? row.item_id);
  if (id === null) return undefined;
  const category = Array.isArray(row.category) ? row.category.map(String).join(" > ") : str(row.category);
  const price = typeof row.price === "number" && Number.isFinite(row.price) ? row.price : null;
  return {
    id,
    title: str(row.title),
    brand: str(row.brand),
    category: category || null,
    price,
    inStock: row.in_stock !== false,
    attributes: Array.isArray(row.attributes) ? row.attributes.map(String) : [],
  };
}

/** Imports a JSONL catalogue (upserts); returns the number of items read. */
export async function importCatalog(store: Store, file: string): Promise<number> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  let batch: ItemInput[] = [];
  let n = 0;
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === "") continue;
    let item: ItemInput | undefined;
    try {
      item = catalogItemFromJson(JSON.parse(line));
    } catch {
      throw new SeqrankError("SR_ERR_CATALOG_FILE", `${file}:${lineNo}: not a JSON object`);
    }
    if (!item) throw new SeqrankError("SR_ERR_CATALOG_FILE", `${file}:${lineNo}: no "id" or "item_id"`);
    batch.push(item);
    if (batch.length === 1000) {
      n += batch.length;
      await store.putItems(batch);
      batch = [];
    }
  }
  n += batch.length;
  if (batch.length > 0) await store.putItems(batch);
  return n;
}
