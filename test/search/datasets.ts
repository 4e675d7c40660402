// Loaders for the real datasets the search tests run on (shared/ sits beside the repository).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const datasets = join(repoRoot, "..", "shared", "datasets");

export interface BeautyItem {
  id: string;
  title: string;
  attributes: string[];
}

/** Amazon Beauty items with a non-empty title. */
export function loadBeautyItems(): BeautyItem[] {
  return readFileSync(join(datasets, "amazon-beauty", "items.jsonl"), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as { item_id: number; title: string; attributes: string[] })
    .filter((item) => item.title)
    .map((item) => ({ id: String(item.item_id), title: item.title, attributes: item.attributes }));
}

export interface TaobaoTitle {
  id: string;
  title: string;
  brands: string[];
}

/** The Taobao titles (train + dev) with their annotated brand spans. */
export function loadTaobaoTitles(): TaobaoTitle[] {
  const [, ...rows] = readFileSync(join(datasets, "taobao-product-titles-zh", "titles.tsv"), "utf8")
    .trimEnd()
    .split("\n");
  return rows.map((row) => {
    const [split, idx, title, , brands] = row.split("\t");
    return { id: `${split}-${idx}`, title, brands: brands ? brands.split("|") : [] };
  });
}
