import assert from "node:assert/strict";
import { test } from "node:test";
import { ItemScratch } from "../../src/retrieval/item-scratch.js";

test("ItemScratch: values by item id in insertion order, cleared at once, growing past its initial size", () => {
  const s = new ItemScratch();
  s.set(7, 1.5);
  s.set(3, 2);
  s.set(7, 4);
  s.set(50_000, -1); // beyond the initial 1024 slots
  assert.deepEqual([...s.items], [7, 3, 50_000]);
  assert.deepEqual([s.get(7), s.get(3), s.get(50_000), s.get(8), s.get(8, -1)], [4, 2, -1, 0, -1]);
  assert.ok(s.has(3) && !s.has(4) && !s.has(1e9));
  s.clear();
  assert.equal(s.size, 0);
  assert.ok(!s.has(7) && !s.has(50_000));
  assert.equal(s.get(7, -1), -1);
  s.set(3, 9);
  assert.deepEqual([[...s.items], s.get(3)], [[3], 9]);
});
