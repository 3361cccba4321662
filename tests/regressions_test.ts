/**
 * Wrong answers and crashes found by the fuzzer and the misuse matrix, each pinned to numpy's
 * behaviour (numpy 2.4, checked by hand with python3) or to the documented rule.
 */
import assert from "node:assert/strict";
import * as cb from "../mod.ts";
import { test } from "./harness.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

test("regressions: dot of N-D tensors with an empty contracted axis gives zeros", () => {
  // np.dot(np.ones((2, 3, 0)), np.ones((4, 0, 5))).shape == (2, 3, 4, 5), all zeros
  cb.scope(() => {
    const r = cb.dot(cb.ones([2, 3, 0]), cb.ones([4, 0, 5]));
    assert.deepEqual(r.shape, [2, 3, 4, 5]);
    assert.equal(r.abs().sum().item(), 0);
    assert.deepEqual(cb.dot(cb.ones([0, 2]), cb.ones([3, 2, 4])).shape, [0, 3, 4]);
  });
});

test("regressions: sort and argsort of a 0-d tensor take axis 0 or -1 only (torch)", () => {
  using t = cb.tensor(3);
  for (const axis of [0, -1]) {
    const { values, indices } = t.sort(axis);
    assert.equal(values.item(), 3);
    assert.equal(indices.item(), 0);
  }
  for (const axis of [1, 7, -2]) {
    assert.throws(() => t.sort(axis), { name: "CobaltError", code: "AXIS" });
    assert.throws(() => t.argsort(axis), { name: "CobaltError", code: "AXIS" });
  }
  assert.equal(t.argsort(-1).item(), 0);
});

test("regressions: argmax/argmin take one axis, not a list (numpy refuses a tuple)", () => {
  using t = cb.tensor([[1, 5], [7, 2]]);
  assert.throws(() => t.argmax([] as Any), { name: "CobaltError", code: "AXIS" });
  assert.throws(() => t.argmin([0, 1] as Any), { name: "CobaltError", code: "AXIS" });
  assert.deepEqual(t.argmax(0).toArray(), [1, 0]);
});

test("regressions: split into more parts than elements is bounded (no 2^31-element JS array)", () => {
  using t = cb.zeros([0]);
  assert.equal(t.split(3).length, 3); // numpy: np.split(np.zeros(0), 3) gives 3 empty arrays
  for (const k of [2 ** 31 - 1, 10 ** 6]) {
    assert.throws(() => t.split(k), { name: "CobaltError", code: "INVALID_ARGUMENT" });
  }
  using u = cb.zeros([70000]);
  assert.equal(u.split(70000).length, 70000);
});

test("regressions: numbers out of an integer dtype's range, as numpy's weak scalars", () => {
  cb.scope(() => {
    const u8 = cb.tensor([1, 2], { dtype: "uint8" });
    // np.true_divide(uint8, -1) -> float64; logical ops read truth values
    assert.deepEqual(u8.div(-1).toArray(), [-1, -2]);
    assert.equal(u8.div(-1).dtype, "float64");
    assert.deepEqual(u8.rdiv(1000).toArray(), [1000, 500]);
    assert.deepEqual(u8.logicalAnd(-1).toArray(), [1, 1]);
    assert.equal(u8.logicalOr(256).dtype, "bool");
    // add / floor_divide / maximum refuse (OverflowError in numpy)
    for (const f of [() => u8.add(-1), () => u8.floorDiv(-1), () => u8.maximum(256)]) {
      assert.throws(f, { name: "CobaltError", code: "INVALID_ARGUMENT", message: /out of bounds for uint8/ });
    }
    // int32's bound is exclusive at 2^31; int64's at 2^63
    assert.throws(() => cb.tensor([1], { dtype: "int32" }).add(2 ** 31), { code: "INVALID_ARGUMENT" });
    assert.deepEqual(cb.tensor([1], { dtype: "int32" }).add(2 ** 31 - 2).toArray(), [2 ** 31 - 1]);
    assert.throws(() => cb.tensor([1], { dtype: "int64" }).add(2 ** 63), { code: "INVALID_ARGUMENT" });
    // bool with an integer: int64, refused past its range (numpy: OverflowError), not saturated
    const b = cb.tensor([true, false]);
    assert.equal(b.add(2).dtype, "int64");
    assert.throws(() => b.add(1e300), {
      code: "INVALID_ARGUMENT",
      message: /1e300 is out of bounds for bool/,
    });
    assert.throws(() => b.mul(2 ** 63), { code: "INVALID_ARGUMENT" });
    assert.deepEqual(b.div(1e300).toArray(), [1e-300, 0]);
    // comparisons stay exact
    assert.deepEqual(u8.lt(1e300).toArray(), [1, 1]);
    assert.deepEqual(u8.ne(256).toArray(), [1, 1]);
  });
});

test("regressions: var/std divide by max(n - ddof, 0) as numpy does (inf or NaN, not always NaN)", () => {
  cb.scope(() => {
    // np.var([1, 3], ddof=2) == inf; np.var([1], ddof=1) is nan; np.std([1, 3], ddof=3) == inf
    assert.equal(cb.tensor([1, 3]).var(null, { ddof: 2 }).item(), Infinity);
    assert.ok(Number.isNaN(cb.tensor([1]).var(null, { ddof: 1 }).item()));
    assert.equal(cb.tensor([1, 3], { dtype: "float64" }).std(null, { ddof: 3 }).item(), Infinity);
    assert.equal(cb.tensor([1, 3]).var(null, { ddof: 1 }).item(), 2);
  });
});

test("regressions: linspace into an integer dtype floors (numpy >= 2)", () => {
  // np.linspace(-1.5, 3, 5, dtype=np.int64) == [-2, -1, 0, 1, 3]
  for (const dtype of ["int64", "int32"] as const) {
    using t = cb.linspace(-1.5, 3, 5, { dtype });
    assert.deepEqual(t.toArray(), [-2, -1, 0, 1, 3]);
  }
  using u = cb.linspace(0, 10, 4, { dtype: "uint8" });
  assert.deepEqual(u.toArray(), [0, 3, 6, 10]);
});
