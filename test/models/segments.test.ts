import assert from "node:assert/strict";
import { test } from "node:test";
import { Graph } from "../../src/graph/graph.js";
import { Runner, tensor } from "../../src/graph/session.js";
import { cutForTraining, poolSegments, segmentHistories } from "../../src/models/segments.js";

test("segmentHistories cuts from the newest item back and masks empty segments", () => {
  const h = Int32Array.from({ length: 7 }, (_, i) => i + 1); // 1..7
  const { rows, mask } = segmentHistories([h], 3, 4);
  assert.deepEqual(
    rows.map((r) => [...r]),
    [[0], [1], [2, 3, 4], [5, 6, 7]],
  );
  assert.deepEqual([...mask], [0, 1, 1, 1]);
});

test("cutForTraining makes every item but the first a target exactly once", () => {
  const s = Int32Array.from({ length: 12 }, (_, i) => i + 1);
  const ctx = { events: Uint8Array.from(s, (i) => i % 4), ts: Float64Array.from(s, (i) => i * 60) };
  const { rows: chunks, contexts } = cutForTraining([s], 5, [ctx]);
  const targets = chunks.flatMap((c) => [...c.subarray(1)]).sort((a, b) => a - b);
  assert.deepEqual(targets, [...s.subarray(1)]);
  assert.ok(chunks.every((c) => c.length <= 6));
  // Each chunk's context is cut alike: the events and times of its own positions.
  chunks.forEach((c, i) => {
    assert.deepEqual(
      [...(contexts[i]?.events ?? [])],
      Array.from(c, (item) => item % 4),
    );
    assert.deepEqual(
      [...(contexts[i]?.ts ?? [])],
      Array.from(c, (item) => item * 60),
    );
  });
});

test("mean and attention pooling weight only valid segments", async () => {
  for (const pool of ["mean", "attention"] as const) {
    const g = new Graph();
    const vecs = g.input("vecs", "float32", ["n", 2]);
    const user = poolSegments(g, vecs, { count: 3, pool }, 2);
    const runner = await Runner.create({ user }, undefined, { threads: 1 });
    const v = Float32Array.of(100, 100, 1, 0, 0, 1); // segment 0 is padding (masked)
    const out = await runner.run({
      vecs: tensor(v, [3, 2]),
      segment_mask: tensor(Float32Array.of(0, 1, 1), [1, 3]),
    });
    const [x, y] = out.user.data as Float32Array;
    assert.ok(Math.abs(x + y - 1) < 1e-6 && x > 0 && y > 0, `${pool}: ${x}, ${y}`);
    if (pool === "mean") assert.ok(Math.abs(x - 0.5) < 1e-6);
    else assert.ok(y > x, "the newest segment attends to itself most");
  }
});
