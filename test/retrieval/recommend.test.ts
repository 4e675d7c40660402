import assert from "node:assert/strict";
import { test } from "node:test";
import {
  blendRanker,
  CoVisitation,
  ItemIndex,
  ItemVectors,
  PipelineConfigSchema,
  Popularity,
  type RecommenderState,
  recommend,
} from "../../src/retrieval/index.js";
import { beauty, beautyCatalogue, projectedItemVectors, sequence } from "./beauty.js";

const DIM = 32;
const T0 = 1_700_000_000;
const users = beauty.offsets.length - 1;

// Everything is built from each user's sequence without its last item (the held-out target).
function buildState(): RecommenderState {
  const catalogue = beautyCatalogue();
  const table = projectedItemVectors(DIM);
  const ids = Array.from({ length: beauty.nItems + 1 }, (_, i) => String(i));
  const vectors = ItemVectors.fromModel(DIM, table, ids, (raw) => catalogue.denseId(raw), beauty.nItems + 1);
  const covis = new CoVisitation({}, T0);
  const popularity = new Popularity(beauty.nItems, {}, T0);
  for (let u = 0; u < users; u++) {
    const s = sequence(u).subarray(0, -1);
    covis.addSequence(s, new Float64Array(s.length).fill(T0));
    for (const i of s) popularity.add(i, T0);
  }
  return {
    catalogue,
    vectors,
    index: ItemIndex.build(table, DIM),
    covis,
    popularity,
    ranker: blendRanker(),
    config: PipelineConfigSchema.parse({}),
  };
}
const state = buildState();

function userVector(history: Int32Array): Float32Array {
  const v = new Float32Array(DIM);
  for (const i of history.subarray(-5)) {
    const row = state.vectors!.get(i)!;
    for (let d = 0; d < DIM; d++) v[d] += row[d];
  }
  return v;
}

test("multi-stage recommendations beat popularity alone on held-out Beauty items", () => {
  let hitsAll = 0;
  let hitsPop = 0;
  let n = 0;
  for (let u = 0; u < users; u += 20, n++) {
    const s = sequence(u);
    const history = s.subarray(0, -1);
    const target = s[s.length - 1];
    const all = recommend(state, history, userVector(history), { k: 10, diversity: 0 }, T0);
    const pop = recommend(state, history, undefined, { k: 10, sources: ["popular"] }, T0);
    if (all.items.some((r) => r.item === target)) hitsAll++;
    if (pop.items.some((r) => r.item === target)) hitsPop++;
    assert.equal(all.items.length, 10);
    for (const r of all.items) assert.ok(!history.includes(r.item), "seen items are excluded");
  }
  assert.ok(hitsAll > 2 * hitsPop, `HR@10 ${hitsAll / n} vs popular ${hitsPop / n}`);
});

test("business filters, explanations and diversity", () => {
  const history = sequence(3).subarray(0, -1);
  const uv = userVector(history);
  const nails = recommend(state, history, uv, { k: 10, filters: { category: "Makeup > Nails" } }, T0);
  assert.equal(nails.items.length, 10, "backfilled from the popular list when candidates run short");
  for (const r of nails.items) assert.match(state.catalogue.meta(r.item)!.category!, /^Makeup > Nails/);
  const cheap = recommend(state, history, uv, { k: 5, filters: { priceMax: 10 } }, T0);
  for (const r of cheap.items) assert.ok(state.catalogue.meta(r.item)!.price! <= 10);

  const explained = recommend(state, history, uv, { k: 5, explain: true }, T0);
  for (const r of explained.items) {
    assert.ok(r.because);
    for (const reason of r.because) assert.ok(history.includes(reason.item));
  }
  assert.ok(explained.items.some((r) => r.because!.length > 0));

  // With the most diversity, the picked items are less similar to each other.
  const meanSim = (items: number[]) => {
    let s = 0;
    let c = 0;
    for (const a of items)
      for (const b of items) {
        if (a >= b) continue;
        const va = state.vectors!.get(a)!;
        const vb = state.vectors!.get(b)!;
        let d = 0;
        for (let i = 0; i < DIM; i++) d += va[i] * vb[i];
        s += d;
        c++;
      }
    return s / c;
  };
  const plain = recommend(state, history, uv, { k: 10, diversity: 0 }, T0).items.map((r) => r.item);
  const diverse = recommend(state, history, uv, { k: 10, diversity: 0.9 }, T0).items.map((r) => r.item);
  assert.ok(meanSim(diverse) < meanSim(plain));
});

test("a deleted item is never recommended; a new item with a vector is", () => {
  const history = sequence(7).subarray(0, -1);
  const uv = userVector(history);
  const first = recommend(state, history, uv, { k: 5, diversity: 0 }, T0).items[0].item;
  state.catalogue.remove(String(first));
  assert.ok(!recommend(state, history, uv, { k: 5 }, T0).items.some((r) => r.item === first));
  const id = state.catalogue.upsert({ id: "new-item", title: "brand new" });
  state.vectors!.set(
    id,
    uv.map((x) => x * 10),
  );
  state.index!.upsert(id, state.vectors!.get(id)!);
  assert.equal(recommend(state, history, uv, { k: 5, diversity: 0 }, T0).items[0].item, id);
});
