import assert from "node:assert/strict";
import { test } from "node:test";
import { ParamStore } from "../../src/graph/param-store.js";
import { TrainStep } from "../../src/graph/session.js";
import { LEN, PERIOD, Rng, toyBatch, toyLoss } from "./toy-model.js";

test("a 2-block transformer learns the toy next-token task: loss < 0.15 within 300 Adam steps", async () => {
  const store = new ParamStore(1);
  const step = await TrainStep.create(
    { loss: toyLoss(store), optimizer: { kind: "adam", clipNorm: 5 } },
    store,
  );
  const rng = new Rng(2);
  // Chance level over the predictable positions is ln(15) ≈ 2.7; the mean includes ignored (zero) rows.
  const predictable = (LEN - PERIOD) / LEN;
  let first = 0;
  let last = 0;
  for (let i = 0; i < 300; i++) {
    const r = await step.run(toyBatch(rng, 32, i), 3e-3);
    if (i === 0) first = r.loss / predictable;
    last = r.loss / predictable;
  }
  assert.ok(first > 2.3, `initial loss ${first} should be near chance`);
  assert.ok(last < 0.15, `loss after 300 steps: ${last}`);
});
