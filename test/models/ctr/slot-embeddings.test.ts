import assert from "node:assert/strict";
import { test } from "node:test";
import type { FieldSlots, SlotLayout } from "../../../src/data/ctr/slots.js";
import { BuildContext } from "../../../src/graph/context.js";
import { Graph } from "../../../src/graph/graph.js";
import { Rng } from "../../../src/graph/init.js";
import { ParamStore } from "../../../src/graph/param-store.js";
import { Runner, tensor } from "../../../src/graph/session.js";
import * as o from "../../../src/graph/tensor-ops.js";
import { type CtrInputs, ctrInputs, linearTerm, slotEmbeddings } from "../../../src/models/ctr/layers.js";
import { checkGrad } from "../../graph/check-grad.js";

// Vector fields (fixed ids offset + 1 … offset + n, entries as weights) are embedded by a product instead of
// a gather; both must give what gathering, weighting and summing every slot gives.
const FIELDS: [string, FieldSlots["kind"], number, number][] = [
  ["brand", "categorical", 1, 5],
  ["user_vector", "vector", 4, 4],
  ["history", "multi", 3, 6],
  ["price", "numeric", 1, 1],
  ["item_vector", "vector", 3, 3],
];

function layout(): SlotLayout {
  let start = 0;
  let offset = 0;
  const fields = FIELDS.map(([name, kind, count, vocab]): FieldSlots => {
    const f = { name, group: "item" as const, kind, start, count, offset };
    start += count;
    offset += vocab;
    return f;
  });
  return { fields, slots: start, tableRows: offset + 1 };
}

/** Slot ids and weights of `rows` random examples, each field in its own id range. */
function examples(l: SlotLayout, rows: number, rng: Rng, float: "float32" | "float64") {
  const ids = new BigInt64Array(rows * l.slots);
  const weights = float === "float32" ? new Float32Array(rows * l.slots) : new Float64Array(rows * l.slots);
  for (let r = 0; r < rows; r++)
    l.fields.forEach((f, fi) => {
      const vocab = FIELDS[fi][3];
      for (let j = 0; j < f.count; j++) {
        const at = r * l.slots + f.start + j;
        const local = f.kind === "vector" ? j + 1 : f.kind === "multi" && j === 2 ? 0 : 1 + rng.int(vocab);
        ids[at] = BigInt(local === 0 ? 0 : f.offset + local);
        weights[at] =
          f.kind === "multi" ? (local === 0 ? 0 : 0.5) : f.kind === "categorical" ? 1 : rng.normal();
      }
    });
  return { ids, weights };
}

test("pooled fields and the linear term equal gathering every slot, vector fields included", async () => {
  const l = layout();
  const rows = 4;
  const k = 3;
  const g = new Graph();
  const store = new ParamStore(5);
  const ctx = new BuildContext(g, store, false);
  const inp = ctrInputs(g, l);
  const emb = slotEmbeddings(ctx, "emb", l, inp, k);
  const [brand, user, history, price, item] = l.fields;
  const order = [item, brand, user, history, price]; // a vector field first: the order must be kept
  const runner = await Runner.create(
    { all: emb.pooled(l.fields), mixed: emb.pooled(order), linear: linearTerm(ctx, l, inp) },
    store,
    { threads: 1 },
  );
  const { ids, weights } = examples(l, rows, new Rng(3), "float32");
  const out = await runner.run({
    ids: tensor(ids, [rows, l.slots]),
    weights: tensor(weights, [rows, l.slots]),
  });
  const table = store.get("emb").value;
  const w = store.get("linear.w").value;
  const bias = store.get("linear.b").value[0];
  for (let r = 0; r < rows; r++) {
    let linear = bias;
    const pooled = l.fields.map((f) => {
      const v = new Float64Array(k);
      for (let j = 0; j < f.count; j++) {
        const at = r * l.slots + f.start + j;
        const id = Number(ids[at]);
        for (let d = 0; d < k; d++) v[d] += weights[at] * table[id * k + d];
        linear += weights[at] * w[id];
      }
      return v;
    });
    for (const [name, fields] of [
      ["all", l.fields],
      ["mixed", order],
    ] as const) {
      const got = out[name].data as Float32Array;
      fields.forEach((f, i) => {
        const want = pooled[l.fields.indexOf(f)];
        for (let d = 0; d < k; d++) {
          const value = got[(r * fields.length + i) * k + d];
          assert.ok(
            Math.abs(value - want[d]) < 1e-5,
            `${name} row ${r} ${f.name}[${d}]: ${value} vs ${want[d]}`,
          );
        }
      });
    }
    const gotLinear = (out.linear.data as Float32Array)[r];
    assert.ok(Math.abs(gotLinear - linear) < 1e-5, `linear row ${r}: ${gotLinear} vs ${linear}`);
  }
  await runner.release();
});

test("the embedding table's gradient through gathered and vector slots matches finite differences", async () => {
  const l = layout();
  const rows = 3;
  const { ids, weights } = examples(l, rows, new Rng(9), "float64");
  let inp: CtrInputs | undefined;
  const r = await checkGrad({
    params: [],
    feeds: (g) => {
      inp = {
        ids: g.input("ids", "int64", [rows, l.slots]),
        weights: g.input("weights", "float64", [rows, l.slots]),
      };
      return {
        tensors: [inp.ids, inp.weights],
        values: { ids: tensor(ids, [rows, l.slots]), weights: tensor(weights, [rows, l.slots]) },
      };
    },
    build: (g) => {
      const ctx = new BuildContext(g, new ParamStore(4), false);
      const pooled = slotEmbeddings(ctx, "emb", l, inp!, 2).pooled(l.fields);
      return o.add(o.sum(pooled, { axes: [1, 2] }), linearTerm(ctx, l, inp!)); // [B], both tables
    },
    maxCoords: 40,
  });
  assert.ok(r.maxRelError < r.tol, `max relative error ${r.maxRelError}`);
  assert.ok(r.ops.has("Slice") && r.ops.has("Gather"), "both paths are exercised");
});
