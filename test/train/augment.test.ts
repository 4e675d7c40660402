// Issue #14 part 4: side data travels with the sequence it describes. An augmented variant (crop, mask,
// reorder) gets the event types and times of exactly the positions it kept, in its order — before, the
// context was looked up by array identity and every variant silently read as unknown context.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../src/graph/init.js";
import { augment } from "../../src/train/augment.js";

test("every augmented variant carries the context of its own positions", () => {
  // Item i happened at time 100·i with event type i mod 4: a variant's context is a function of its items.
  const seqs = Array.from({ length: 60 }, (_, u) =>
    Int32Array.from({ length: 8 + (u % 5) }, (_, p) => 1 + p + u),
  );
  const contexts = seqs.map((s) => ({
    events: Uint8Array.from(s, (i) => i % 4),
    ts: Float64Array.from(s, (i) => 100 * i),
  }));
  for (const op of ["crop", "mask", "reorder"] as const) {
    const out = augment(seqs, { prob: 1, operators: [op], ratio: 0.6 }, new Rng(3), contexts);
    assert.ok(out.seqs.length > seqs.length, `${op} made variants`);
    assert.equal(out.contexts?.length, out.seqs.length, "aligned");
    out.seqs.forEach((s, i) => {
      const c = out.contexts?.[i];
      assert.ok(c, `${op}: sequence ${i} has a context`);
      assert.deepEqual(
        [...c.events],
        Array.from(s, (item) => item % 4),
      );
      assert.deepEqual(
        [...c.ts],
        Array.from(s, (item) => 100 * item),
      );
    });
  }
  // Without contexts the sequences are augmented as before.
  assert.equal(augment(seqs, { prob: 1, operators: ["crop"], ratio: 0.6 }, new Rng(3)).contexts, undefined);
});
