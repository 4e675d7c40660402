// First-start seeding: user sequences from a prepared dataset (raw ids, training-type events, oldest first,
// with their times so later events, backdated ones too, take their place among them)
// and catalogue items from a JSONL file (its keys mapped by catalog-columns.ts). Both only fill what is missing, so restarts keep live state.
import { createReadStream } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { loadDataset, readVocabTsv } from "../../data/index.js";
import { SeqrankError } from "../../util/errors.js";
import { type CatalogColumns, catalogItem } from "./catalog-columns.js";
import type { ItemInput } from "./catalogue.js";
import type { SeedSequence } from "./sequences.js";
import type { Store } from "./store.js";

/**
 * Seeds the sequence of every dataset user once per store (a marker records it, so users deleted later are
 * not brought back by a restart); returns how many were seeded, 0 when already done.
 */
export async function seedSequencesFromDataset(store: Store, dataDir: string): Promise<number> {
  const ds = loadDataset(dataDir);
  const marker = `sequences-seeded:${ds.name}`;
  if (await store.markers.has(marker)) return 0;
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
  const seeded = await store.sequences.seed(sequences());
  await store.markers.set(marker);
  return seeded;
}

/**
 * Imports a JSONL catalogue (upserts), each line read through `columns` (catalog-columns.ts); returns the
 * number of items read. The whole file is read and checked before the first item is written, so a bad line
 * (SR_ERR_CATALOG_FILE naming file, line and field) leaves the store as it was.
 */
export async function importCatalog(store: Store, file: string, columns?: CatalogColumns): Promise<number> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  const items: ItemInput[] = [];
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === "") continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      row = undefined;
    }
    if (typeof row !== "object" || row === null || Array.isArray(row))
      throw new SeqrankError("SR_ERR_CATALOG_FILE", `${file}:${lineNo}: not a JSON object`);
    items.push(catalogItem(row as Record<string, unknown>, columns, `${file}:${lineNo}`));
  }
  for (let i = 0; i < items.length; i += 1000) await store.catalogue.putMany(items.slice(i, i + 1000));
  return items.length;
}
