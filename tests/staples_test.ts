/**
 * The numpy staples beyond their numpy fixtures (tests/ops_test.ts replays those): composites free
 * every intermediate, options objects reject unknown keys, bad arguments are TypeErrors or
 * CobaltErrors, and the conveniences (`toJSON`, `tolist`, `nbytes`, `itemsize`) behave as numpy's.
 */
import assert from "node:assert/strict";
import * as cb from "../mod.ts";
import { test } from "./harness.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

const typeError = (msg: RegExp) => (e: unknown) => e instanceof TypeError && msg.test(e.message);
const cobalt = (code: string) => (e: unknown) => e instanceof cb.CobaltError && e.code === code;

test("staples: each composite leaves no intermediate behind (memory().tensors returns to its count)", () => {
  const x = cb.tensor([[1, NaN, 3], [4, 5, 6]]);
  const m = x.isnan();
  const v = cb.tensor([1, 2]), w = cb.tensor([3, 4, 5]), ix = cb.tensor([0, 3, 3], { dtype: "int32" });
  const seven = cb.tensor([7]);
  const sx = cb.tensor([[0, 2, 2]], { dtype: "int32" }), bad = cb.tensor([[5]], { dtype: "int32" });
  const sq = cb.tensor([[1, 2], [3, 4]]);
  const calls: [string, () => unknown][] = [
    ["nansum", () => x.nansum(1)],
    ["nanmean", () => x.nanmean()],
    ["nanmax", () => x.nanmax(0, { keepdims: true })],
    ["nanmin", () => x.nanmin()],
    ["ptp", () => x.ptp()],
    ["median", () => x.median({ axis: 1 })],
    ["quantile", () => x.quantile([0.2, 0.8], { axis: 0 })],
    ["countNonzero", () => x.countNonzero()],
    ["trace", () => x.trace()],
    ["diagonal", () => x.diagonal(1)],
    ["maskedFill", () => x.maskedFill(m, 0)],
    ["isclose", () => cb.isclose(x, x, { equalNan: true })],
    ["allclose", () => cb.allclose(x, x)],
    ["arrayEqual", () => cb.arrayEqual(x, x, { equalNan: true })],
    ["diag", () => cb.diag(v, -1)],
    ["meshgrid", () => cb.meshgrid([v, w])],
    ["nonzero", () => x.nonzero()],
    ["layerNorm", () => x.layerNorm([0, 1])],
    ["maskedSelect", () => x.maskedSelect(m)],
    ["maskedAssign", () => {
      x.maskedAssign(m, seven);
      return undefined;
    }],
    ["oneHot", () => cb.oneHot(ix, 4)],
    ["bincount", () => cb.bincount(ix)],
    ["unique", () => Object.values(cb.unique(x, { returnCounts: true, returnInverse: true }))],
    ["einsum of three operands", () => cb.einsum("i,ij,j->", v, x, w)],
    ["einsum diagonal and broadcast", () => cb.einsum("ii,...i->i", sq, v)],
    ["scatter with a number", () => x.scatter(1, sx, 4)],
    ["scatterAdd with a number", () => x.scatterAdd(1, sx, 4)],
    ["scatter that fails", () => {
      assert.throws(() => x.scatter(1, bad, 4), cobalt("INDEX"));
      return undefined;
    }],
  ];
  for (const [name, f] of calls) {
    const before = cb.memory().tensors;
    const r = f();
    for (const t of Array.isArray(r) ? r : [r]) if (t instanceof cb.Tensor) t.dispose();
    // at most `before`: a collection meanwhile may free tensors earlier tests left to the GC
    assert.ok(cb.memory().tensors <= before, `${name} left ${cb.memory().tensors - before} tensor(s) alive`);
  }
  for (const t of [x, m, v, w, ix, seven, sx, bad, sq]) t.dispose();
});

test("staples: options objects reject unknown keys, values are checked", () => {
  cb.scope(() => {
    const x = cb.tensor([1, 2, 3]);
    assert.throws(() => x.quantile(0.5, { axes: 0 } as Any), typeError(/unknown option "axes"/));
    assert.throws(() => x.quantile(0.5, { method: "nearest" } as Any), cobalt("INVALID_ARGUMENT"));
    assert.throws(() => x.quantile("0.5" as Any), typeError(/q must be a number/));
    assert.throws(() => x.quantile(NaN), cobalt("INVALID_ARGUMENT"));
    assert.throws(() => x.median({ keepdims: 1 } as Any), TypeError);
    assert.throws(() => cb.isclose(x, x, { rTol: 1 } as Any), typeError(/unknown option "rTol"/));
    assert.throws(() => cb.isclose(x, x, { rtol: -1 }), typeError(/rtol must be a number >= 0/));
    assert.throws(() => cb.isclose(x, "1" as Any), typeError(/expected a Tensor or a number/));
    assert.throws(() => cb.allclose(x, x, { equal_nan: true } as Any), TypeError);
    assert.throws(() => cb.arrayEqual(x, [1, 2, 3] as Any), TypeError);
    assert.throws(() => cb.meshgrid([x], { indexing: "yx" as Any }), typeError(/indexing must be/));
    assert.throws(() => cb.meshgrid([x], { sparse: true } as Any), TypeError);
    assert.throws(() => cb.meshgrid([cb.zeros([2, 2])]), cobalt("INVALID_ARGUMENT"));
    assert.throws(() => x.maskedFill(x.gt(1), "0" as Any), typeError(/value must be a number/));
    assert.throws(() => x.moveaxis("0" as Any, 0), TypeError);
    assert.throws(() => x.swapaxes(0, 1), cobalt("AXIS"));
    assert.throws(() => x.trace(), cobalt("INVALID_ARGUMENT"));
    assert.throws(() => cb.zeros([2, 2]).trace(0.5), TypeError);
    assert.throws(() => cb.diag(x, 1.5), TypeError);
    assert.equal(cb.tensor(5).median().item(), 5); // numpy: the flattened 0-d tensor's one element
    assert.throws(() => cb.tensor(5).median({ axis: 0 }), cobalt("AXIS"));
    assert.throws(() => cb.zeros([0]).median(), cobalt("INVALID_ARGUMENT"));
    assert.throws(() => cb.unique(x, { return_counts: true } as Any), typeError(/unknown option/));
    assert.throws(() => cb.unique(x, { axis: 1 }), cobalt("AXIS"));
    assert.throws(() => cb.unique(x, { axis: 0.5 }), TypeError);
    assert.throws(() => cb.bincount(cb.tensor([1], { dtype: "int32" }), { minLength: 2 } as Any), TypeError);
    assert.throws(() => cb.oneHot(cb.tensor([1], { dtype: "int32" }), -1), TypeError);
    assert.throws(() => x.maskedAssign(x.gt(1), "1" as Any), TypeError);
    assert.throws(() => x.maskedSelect([true] as Any), TypeError);
    assert.throws(() => x.layerNorm(-1, { epsilon: 1 } as Any), typeError(/unknown option "epsilon"/));
    assert.throws(() => x.layerNorm(-1, { eps: -1 }), typeError(/eps must be a number >= 0/));
  });
});

test("staples: toJSON, tolist, nbytes, itemsize, T of a 1-D tensor, empty", () => {
  cb.scope(() => {
    const x = cb.tensor([[1, 2], [3, 4]], { dtype: "int32" });
    assert.equal(JSON.stringify({ x }), '{"x":[[1,2],[3,4]]}');
    assert.equal(JSON.stringify(cb.tensor(2.5)), "2.5");
    assert.deepEqual(x.tolist(), x.toArray());
    assert.equal(x.itemsize, 4);
    assert.equal(x.nbytes, 16);
    assert.equal(x.slice(0).nbytes, 8); // a view counts its own elements, as numpy's
    assert.equal(cb.zeros([3], { dtype: "bfloat16" }).nbytes, 6);
    const v = cb.tensor([1, 2, 3]);
    assert.deepEqual(v.T.toArray(), [1, 2, 3]);
    assert.equal(typeof cb.allclose(v, v), "boolean");
    const e = cb.empty([2, 2], { dtype: "int64" });
    assert.deepEqual([e.shape, e.dtype], [[2, 2], "int64"]);
    assert.throws(() => cb.empty([2], { dtyp: "int64" } as Any), TypeError);
  });
});

test("einsum: results never share an operand's memory; bad arguments are TypeErrors", () => {
  cb.scope(() => {
    const a = cb.tensor([[1, 2], [3, 4]]);
    for (const spec of ["ij->ij", "ij", "ii->i", "ij->ji", "...->..."]) {
      const r = cb.einsum(spec, a);
      r.assign(0);
      assert.deepEqual(a.toArray(), [[1, 2], [3, 4]], spec);
    }
    assert.throws(() => cb.einsum(3 as Any, a), typeError(/subscripts must be a string/));
    assert.throws(() => cb.einsum("ij", [[1, 2]] as Any), typeError(/operand 0 is not a Tensor/));
    assert.throws(() => cb.einsum("ij,jk", a), cobalt("INVALID_ARGUMENT"));
  });
});

test("einsum: its result dtype is the native core's promotion for every pair of dtypes", () => {
  // einsum computes the result dtype in TypeScript before any native call; this keeps that copy of
  // the rule equal to DType::promote (which `mul` applies natively)
  cb.scope(() => {
    const dtypes = ["bool", "uint8", "int32", "int64", "float16", "bfloat16", "float32", "float64"] as const;
    for (const a of dtypes) {
      for (const b of dtypes) {
        const x = cb.ones([2], { dtype: a }), y = cb.ones([2], { dtype: b });
        let native: string;
        try {
          native = x.mul(y).dtype;
        } catch (e) {
          native = `error ${(e as cb.CobaltError).code}`;
        }
        let viaEinsum: string;
        try {
          viaEinsum = cb.einsum("i,i->i", x, y).dtype;
        } catch (e) {
          viaEinsum = `error ${(e as cb.CobaltError).code}`;
        }
        assert.equal(viaEinsum, native, `${a} x ${b}`);
      }
    }
  });
});
