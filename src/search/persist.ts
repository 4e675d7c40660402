import { SeqrankError } from "../util/errors.js";
import { ChunkReader, ChunkWriter } from "./binary-chunks.js";
import { FIELD_COUNT, type SearchIndexConfig } from "./config.js";
import { createSearchIndex, type SearchIndex } from "./inverted-index.js";
import { PostingList } from "./postings.js";
import { decodeVarints, encodeVarints } from "./varint.js";

const MAGIC = "SRSEARCH";
const VERSION = 1;

interface Header {
  version: number;
  config: SearchIndexConfig;
  ids: string[];
  brands: string[];
  categories: string[];
  terms: string[];
  surfaces: Array<[string, number]>;
}

/**
 * Serialises the index. Removed documents and terms no live document uses are left out and doc numbers are
 * renumbered densely in the same order, so a loaded index ranks exactly like the saved one.
 */
export function saveIndex(index: SearchIndex): Uint8Array {
  const { docs } = index;
  const newDoc = new Int32Array(docs.count).fill(-1);
  const liveDocs: number[] = [];
  for (let d = 0; d < docs.count; d++) {
    if (docs.isLive(d)) {
      newDoc[d] = liveDocs.length;
      liveDocs.push(d);
    }
  }
  const n = liveDocs.length;
  const fieldLengths = new Uint16Array(n * FIELD_COUNT);
  const brand = new Int32Array(n);
  const category = new Int32Array(n);
  const price = new Float64Array(n);
  liveDocs.forEach((d, i) => {
    fieldLengths.set(docs.fieldLengths.subarray(d * FIELD_COUNT, (d + 1) * FIELD_COUNT), i * FIELD_COUNT);
    brand[i] = docs.brand[d];
    category[i] = docs.category[d];
    price[i] = docs.price[d];
  });

  const newTerm = new Int32Array(index.dict.size).fill(-1);
  const terms: string[] = [];
  const offsets: number[] = [0];
  const docGaps: number[] = [];
  const postingTfs: number[] = [];
  index.dict.terms.forEach((term, t) => {
    if (index.df[t] === 0) return;
    newTerm[t] = terms.length;
    terms.push(term);
    const list = index.postings[t];
    let previous = 0;
    for (let p = 0; p < list.length; p++) {
      const d = newDoc[list.docs[p]];
      if (d < 0) continue;
      docGaps.push(d - previous);
      previous = d;
      for (let f = 0; f < FIELD_COUNT; f++) postingTfs.push(list.tfs[p * FIELD_COUNT + f]);
    }
    offsets.push(docGaps.length);
  });
  const header: Header = {
    version: VERSION,
    config: index.config,
    ids: liveDocs.map((d) => docs.ids[d]),
    brands: docs.brands.values,
    categories: docs.categories.values,
    terms,
    surfaces: index.surfaces
      .entries()
      .filter(([, t]) => newTerm[t] >= 0)
      .map(([s, t]) => [s, newTerm[t]]),
  };
  return new ChunkWriter()
    .json(header)
    .u16(fieldLengths)
    .i32(brand)
    .i32(category)
    .f64(price)
    .u32(Uint32Array.from(offsets))
    .u8(encodeVarints(docGaps))
    .u8(Uint8Array.from(postingTfs))
    .finish(MAGIC);
}

/** Restores an index written by `saveIndex`; it accepts further adds and removes. */
export function loadIndex(bytes: Uint8Array): SearchIndex {
  const reader = new ChunkReader(bytes, MAGIC);
  const header = reader.json<Header>();
  if (header.version !== VERSION) {
    throw new SeqrankError(
      "SR_ERR_SEARCH_BAD_FILE",
      `index file version ${header.version}, expected ${VERSION}`,
    );
  }
  const fieldLengths = reader.u16();
  const brand = reader.i32();
  const category = reader.i32();
  const price = reader.f64();
  const offsets = reader.u32();
  const postingDocs = decodeVarints(reader.u8(), offsets[offsets.length - 1]);
  const postingTfs = reader.u8();
  // gaps → doc numbers, restarting at each term
  for (let t = 0; t + 1 < offsets.length; t++) {
    for (let p = offsets[t] + 1; p < offsets[t + 1]; p++) postingDocs[p] += postingDocs[p - 1];
  }

  const index = createSearchIndex(header.config);
  const { docs, stats } = index;
  for (const v of header.brands) docs.brands.intern(v);
  for (const v of header.categories) docs.categories.intern(v);

  // the forward index (terms per doc) is not stored: rebuild it from the postings
  const n = header.ids.length;
  const termStart = new Uint32Array(n + 1);
  for (const d of postingDocs) termStart[d + 1]++;
  for (let d = 0; d < n; d++) termStart[d + 1] += termStart[d];
  const docTerms = new Uint32Array(postingDocs.length);
  const fill = termStart.slice(0, n);
  index.df = new Uint32Array(header.terms.length);
  header.terms.forEach((term, t) => {
    index.dict.intern(term);
    const from = offsets[t];
    const to = offsets[t + 1];
    for (let p = from; p < to; p++) docTerms[fill[postingDocs[p]]++] = t;
    index.postings.push(
      PostingList.from(postingDocs.slice(from, to), postingTfs.slice(from * FIELD_COUNT, to * FIELD_COUNT)),
    );
    index.df[t] = to - from;
  });
  for (const [surface, t] of header.surfaces) index.surfaces.add(surface, t);
  header.ids.forEach((id, d) => {
    const lengths = fieldLengths.subarray(d * FIELD_COUNT, (d + 1) * FIELD_COUNT);
    docs.append(id, lengths, docTerms.subarray(termStart[d], termStart[d + 1]), {
      brand: brand[d],
      category: category[d],
      price: price[d],
    });
    for (let f = 0; f < FIELD_COUNT; f++) stats.totalFieldLength[f] += lengths[f];
  });
  stats.liveDocs = n;
  stats.totalPostings = postingDocs.length;
  return index;
}
