import assert from "node:assert/strict";
import { test } from "node:test";
import { headItemMask, popularityDeciles } from "../../src/eval/index.js";

test("head items: the most popular share rounded up, ties to the lower id, padding never head", () => {
  const pop = [100, 1, 9, 9, 3, 0, 5, 7, 2, 4, 6]; // 10 items
  assert.deepEqual([...headItemMask(pop, 0.2)], [0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...headItemMask(pop, 0.25)], [0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0]); // ceil(2.5) = 3
});

test("popularity deciles: shares of training interactions and of recommendation slots", () => {
  const pop = [0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 30]; // item 10 is decile 1, item 1 decile 2
  const recommended = [0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
  const d = popularityDeciles(pop, recommended);
  assert.deepEqual(d.training, [0.75, 0.25, 0, 0, 0, 0, 0, 0, 0, 0]);
  // items by popularity: 10, 1, then 2..9 by id -> deciles 1..10 hold one item each.
  assert.deepEqual(d.recommended, [0, 0.25, 0.25, 0.25, 0.25, 0, 0, 0, 0, 0]);
});
