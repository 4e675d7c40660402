import { SeqrankError } from "../util/errors.js";
import {
  FIELD_COUNT,
  SEARCH_FIELDS,
  type SearchDocument,
  type SearchIndexConfig,
  type SearchIndexConfigInput,
  SearchIndexConfigSchema,
} from "./config.js";
import { DocTable } from "./doc-table.js";
import { ensureLength } from "./growable.js";
import { MAX_TF, PostingList } from "./postings.js";
import { SurfaceForms } from "./surface-forms.js";
import { createTokenizer, type Tokenizer } from "./tokenizers/index.js";
import { Vocabulary } from "./vocabulary.js";

/** Collection statistics BM25 needs; `epoch` changes whenever they do (it keys the cached term upper bounds). */
export interface IndexStats {
  liveDocs: number;
  totalFieldLength: Float64Array;
  epoch: number;
  /** Postings that still point at removed documents. */
  stalePostings: number;
  totalPostings: number;
}

export interface SearchIndex {
  readonly config: SearchIndexConfig;
  readonly tokenizer: Tokenizer;
  /** Index terms (stems, Chinese words and bigrams) ↔ term ids. */
  readonly dict: Vocabulary;
  /** Words as written → term ids, for prefix and typo lookups. */
  readonly surfaces: SurfaceForms;
  /** Postings by term id. */
  readonly postings: PostingList[];
  /** Number of live documents containing each term, by term id. */
  df: Uint32Array;
  readonly docs: DocTable;
  readonly stats: IndexStats;
}

// Postings of removed documents are dropped in one pass once they make up this share of all postings.
const VACUUM_SHARE = 0.25;
const VACUUM_MIN = 10_000;

export function createSearchIndex(config: SearchIndexConfigInput = {}): SearchIndex {
  const parsed = SearchIndexConfigSchema.parse(config);
  return {
    config: parsed,
    tokenizer: createTokenizer(parsed.tokenizer),
    dict: new Vocabulary(),
    surfaces: new SurfaceForms(),
    postings: [],
    df: new Uint32Array(0),
    docs: new DocTable(),
    stats: {
      liveDocs: 0,
      totalFieldLength: new Float64Array(FIELD_COUNT),
      epoch: 0,
      stalePostings: 0,
      totalPostings: 0,
    },
  };
}

function fieldText(doc: SearchDocument, field: (typeof SEARCH_FIELDS)[number]): string {
  const value = doc[field];
  if (value == null) return "";
  return typeof value === "string" ? value : value.join(" ");
}

/** Adds a document; it is searchable as soon as this returns. Throws SR_ERR_SEARCH_DUPLICATE_ID if the id exists. */
export function addDocument(index: SearchIndex, doc: SearchDocument): void {
  if (index.docs.byId.has(doc.id)) {
    throw new SeqrankError(
      "SR_ERR_SEARCH_DUPLICATE_ID",
      `document "${doc.id}" is already indexed; use updateDocument`,
    );
  }
  // term id → term frequency per field
  const tfs = new Map<number, Uint8Array>();
  const lengths = new Uint16Array(FIELD_COUNT);
  for (let f = 0; f < FIELD_COUNT; f++) {
    let length = 0;
    index.tokenizer.index(fieldText(doc, SEARCH_FIELDS[f]), (term, raw) => {
      const termId = index.dict.intern(term);
      index.surfaces.add(raw, termId);
      let row = tfs.get(termId);
      if (!row) {
        row = new Uint8Array(FIELD_COUNT);
        tfs.set(termId, row);
      }
      if (row[f] < MAX_TF) row[f]++;
      length++;
    });
    lengths[f] = Math.min(length, 0xffff);
  }
  const { docs, stats } = index;
  const d = docs.append(doc.id, lengths, [...tfs.keys()], {
    brand: docs.brands.intern(doc.brand),
    category: docs.categories.intern(doc.category),
    price: doc.price ?? Number.NaN,
  });
  index.df = ensureLength(index.df, index.dict.size);
  for (const [termId, row] of tfs) {
    let list = index.postings[termId];
    if (!list) {
      list = new PostingList();
      index.postings[termId] = list;
    }
    list.push(d, row);
    index.df[termId]++;
  }
  for (let f = 0; f < FIELD_COUNT; f++) stats.totalFieldLength[f] += lengths[f];
  stats.liveDocs++;
  stats.totalPostings += tfs.size;
  stats.epoch++;
}

/** Removes a document by id; returns false if it was not indexed. */
export function removeDocument(index: SearchIndex, id: string): boolean {
  const { docs, stats } = index;
  const d = docs.byId.get(id);
  if (d === undefined) return false;
  docs.byId.delete(id);
  docs.removed[d] = 1;
  const terms = docs.termsOf(d);
  for (const termId of terms) index.df[termId]--;
  for (let f = 0; f < FIELD_COUNT; f++) stats.totalFieldLength[f] -= docs.fieldLengths[d * FIELD_COUNT + f];
  stats.liveDocs--;
  stats.stalePostings += terms.length;
  stats.epoch++;
  if (stats.stalePostings >= Math.max(VACUUM_MIN, stats.totalPostings * VACUUM_SHARE)) vacuum(index);
  return true;
}

/** Adds or replaces a document (a replacement gets a new doc number, so ties now rank it after older ones). */
export function updateDocument(index: SearchIndex, doc: SearchDocument): void {
  removeDocument(index, doc.id);
  addDocument(index, doc);
}

/** Drops postings of removed documents. Scores do not change: removed documents are skipped anyway. */
export function vacuum(index: SearchIndex): void {
  const live = (d: number) => index.docs.isLive(d);
  for (const list of index.postings) if (list) index.stats.totalPostings -= list.compact(live);
  index.stats.stalePostings = 0;
}

export function documentCount(index: SearchIndex): number {
  return index.stats.liveDocs;
}
