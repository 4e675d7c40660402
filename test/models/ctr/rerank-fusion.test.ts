// A frozen sequence encoder's user vector enters the rankers as a vector field of the "sequence" group: its
// part of the composite vector is the learned projection Eᵀu of the frozen u, and concat, weighted-sum and
// gated fusion combine it with the item part exactly as fusion.ts documents (checked against a JS reference).
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  encodeCtrData,
  fillSlots,
  type RawCtrData,
  slotFeeds,
  slotLayout,
} from "../../../src/data/ctr/index.js";
import { BuildContext } from "../../../src/graph/context.js";
import { Graph } from "../../../src/graph/graph.js";
import { Rng } from "../../../src/graph/init.js";
import { ParamStore } from "../../../src/graph/param-store.js";
import { Runner } from "../../../src/graph/session.js";
import { ctrInputs, type FusionConfig, fuse } from "../../../src/models/ctr/index.js";
import { slotEmbeddings } from "../../../src/models/ctr/layers.js";
import { groupParts } from "../../../src/models/ctr/ranker.js";

const DIM = 5; // width of the frozen encoder vector
const K = 4; // field embedding width
const rng = new Rng(11);
const users = 3;
const frozen = Float32Array.from({ length: users * DIM }, () => rng.normal());
const raw: RawCtrData = {
  name: "fusion",
  user: Int32Array.of(0, 0, 1, 1, 2, 2),
  item: Int32Array.of(0, 1, 2, 3, 0, 2),
  nUsers: users,
  nItems: 4,
  labels: { target: Uint8Array.of(1, 0, 0, 1, 0, 1) },
  split: new Uint8Array(6),
  columns: [
    { name: "user_vector", kind: "vector", key: "user", group: "sequence", dim: DIM, values: frozen },
    { name: "item_id", kind: "categorical", key: "item", group: "item", values: ["a", "b", "c", "d"] },
  ],
};
const table = encodeCtrData(raw);
const layout = slotLayout(table);
const rows = Int32Array.from({ length: 6 }, (_, r) => r);

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** x [n] · W [n, m] + b [m]. */
function affine(store: ParamStore, name: string, x: number[]): number[] {
  const w = store.get(`${name}.weight`).value;
  const b = store.get(`${name}.bias`).value;
  const m = b.length;
  return Array.from({ length: m }, (_, j) => x.reduce((s, xi, i) => s + xi * w[i * m + j], b[j]));
}

async function fused(kind: FusionConfig["kind"]) {
  const store = new ParamStore(5);
  const g = new Graph();
  const ctx = new BuildContext(g, store, false);
  const inp = ctrInputs(g, layout);
  const parts = groupParts(layout, slotEmbeddings(ctx, "emb", layout, inp, K));
  const out = fuse(ctx, "fusion", parts, { kind, dim: 3 });
  // Non-zero biases and gate logits, so the reference checks that they are applied.
  for (const [name, e] of store.entries) {
    if (name.startsWith("emb")) continue;
    for (let i = 0; i < e.value.length; i++) e.value[i] = rng.normal() * 0.5;
  }
  const runner = await Runner.create({ out }, store, { threads: 1 });
  const res = await runner.run(slotFeeds(fillSlots(table, layout, rows), rows.length, layout.slots));
  await runner.release();
  return { store, out: res.out.data as Float32Array, width: res.out.dims[1] as number };
}

/** The parts in JS: the projection Eᵀu of the frozen vector, and the item's embedding row. */
function referenceParts(store: ParamStore, r: number): { sequence: number[]; item: number[] } {
  const emb = store.get("emb").value;
  const [vec, item] = layout.fields;
  const row = (id: number) => Array.from(emb.subarray(id * K, (id + 1) * K));
  const u = frozen.subarray(raw.user[r] * DIM, (raw.user[r] + 1) * DIM);
  const sequence = new Array(K).fill(0);
  for (let j = 0; j < DIM; j++) {
    const e = row(vec.offset + 1 + j);
    for (let c = 0; c < K; c++) sequence[c] += u[j] * e[c];
  }
  const itemId = table.fields[1].ids![raw.item[r]];
  return { sequence, item: row(item.offset + itemId) };
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-5, `${a[i]} vs ${b[i]} at ${i}`);
};

test("concat fusion: the frozen encoder vector's part is its learned projection Eᵀu, beside the item part", async () => {
  const { store, out, width } = await fused("concat");
  assert.equal(width, 2 * K);
  for (const r of rows) {
    const p = referenceParts(store, r);
    close(out.subarray(r * width, (r + 1) * width), [...p.sequence, ...p.item]);
  }
  // Rows of one user share the sequence part; a different frozen vector gives a different one.
  close(out.subarray(0, K), out.subarray(width, width + K));
  assert.notDeepEqual(Array.from(out.subarray(0, K)), Array.from(out.subarray(2 * width, 2 * width + K)));
});

test("weighted-sum and gated fusion of the frozen encoder vector match the reference", async () => {
  for (const kind of ["weighted-sum", "gated"] as const) {
    const { store, out, width } = await fused(kind);
    assert.equal(width, 3);
    for (const r of rows) {
      const p = referenceParts(store, r);
      const seq = affine(store, "fusion.proj.sequence", p.sequence);
      const item = affine(store, "fusion.proj.item", p.item);
      let expected: number[];
      if (kind === "weighted-sum") {
        const [a, b] = store.get("fusion.part_logits").value;
        const wa = Math.exp(a) / (Math.exp(a) + Math.exp(b));
        expected = seq.map((s, j) => wa * s + (1 - wa) * item[j]);
      } else {
        const gates = affine(store, "fusion.gate", [...seq, ...item]).map(sigmoid);
        expected = seq.map((s, j) => gates[j] * s + gates[3 + j] * item[j]);
      }
      close(out.subarray(r * width, (r + 1) * width), expected);
    }
  }
});
