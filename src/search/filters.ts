import type { DocTable } from "./doc-table.js";
import { KeywordDictionary } from "./keyword-dictionary.js";
import type { SearchFilters } from "./search-options.js";

export type DocPredicate = (doc: number) => boolean;

function asList(value: string | string[] | undefined): string[] | undefined {
  return value === undefined
    ? undefined
    : (Array.isArray(value) ? value : [value]).map(KeywordDictionary.normalize);
}

/** Marks the dictionary values a filter admits; `matches` decides per stored value. */
function admittedIds(values: readonly string[], matches: (value: string) => boolean): Uint8Array {
  const mask = new Uint8Array(values.length);
  values.forEach((v, id) => {
    if (matches(v)) mask[id] = 1;
  });
  return mask;
}

/** The per-document test search applies while walking postings: live, and inside every given filter. */
export function buildDocPredicate(docs: DocTable, filters: SearchFilters): DocPredicate {
  const tests: DocPredicate[] = [(d) => docs.removed[d] === 0];
  const categories = asList(filters.category);
  if (categories) {
    const mask = admittedIds(docs.categories.values, (v) =>
      categories.some((c) => v === c || v.startsWith(`${c} > `)),
    );
    tests.push((d) => docs.category[d] >= 0 && mask[docs.category[d]] === 1);
  }
  const brands = asList(filters.brand);
  if (brands) {
    const wanted = new Set(brands);
    const mask = admittedIds(docs.brands.values, (v) => wanted.has(v));
    tests.push((d) => docs.brand[d] >= 0 && mask[docs.brand[d]] === 1);
  }
  const { priceMin, priceMax } = filters;
  if (priceMin !== undefined) tests.push((d) => docs.price[d] >= priceMin); // NaN fails
  if (priceMax !== undefined) tests.push((d) => docs.price[d] <= priceMax);
  if (tests.length === 1) return tests[0];
  return (d) => {
    for (const t of tests) if (!t(d)) return false;
    return true;
  };
}
