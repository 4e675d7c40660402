import assert from "node:assert/strict";
import { test } from "node:test";
import { evalDataFromCsr } from "../../src/eval/index.js";

// Rows: [1 2 3 4], [5 1] (too short, skipped), [2 3 5].
const csr = {
  offsets: Int32Array.of(0, 4, 6, 9),
  items: Int32Array.of(1, 2, 3, 4, 5, 1, 2, 3, 5),
  nItems: 5,
};

test("leave-one-out from CSR: test input = all but last, valid input = training part", () => {
  const test_ = evalDataFromCsr(csr, "test");
  assert.deepEqual([...test_.users], [0, 2]);
  assert.deepEqual(
    test_.histories.map((h) => [...h]),
    [
      [1, 2, 3],
      [2, 3],
    ],
  );
  assert.deepEqual([...test_.targets], [4, 5]);
  const valid = evalDataFromCsr(csr, "valid");
  assert.deepEqual(
    valid.histories.map((h) => [...h]),
    [[1, 2], [2]],
  );
  assert.deepEqual([...valid.targets], [3, 3]);
});

test("training popularity counts only the training part of kept users, for both splits", () => {
  const expected = [0, 1, 2, 0, 0, 0];
  assert.deepEqual(Array.from(evalDataFromCsr(csr, "test").trainPopularity), expected);
  assert.deepEqual(Array.from(evalDataFromCsr(csr, "valid").trainPopularity), expected);
});

test("histories are views of the CSR items, not copies", () => {
  const data = evalDataFromCsr(csr, "test");
  assert.equal(data.histories[0].buffer, csr.items.buffer);
});
