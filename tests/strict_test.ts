/**
 * Strict arguments: options objects reject unknown keys (with suggestions), integers are checked
 * before they cross the ABI (no silent int32 wrapping), creation never wraps, BigInt data, errors
 * that name the right op, dtype names never found on Object.prototype, I/O hardening, and bool
 * data normalised to the bytes 0 and 1. Expected values follow numpy (noted where they differ).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as cb from "../mod.ts";
import { checkRuntime } from "../ffi/load.ts";
import { backend, code, nativeTest, test } from "./harness.ts";

/** The mmap settings to load files with: the WebAssembly backend never maps (mmap: true is refused there). */
const MMAP_MODES = backend === "native" ? [true, false] : [false];

// deno-lint-ignore no-explicit-any
type Any = any;

/** An assert.throws validator: exactly a TypeError (not a CobaltError), its message matching `msg`. */
function typeError(msg?: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof TypeError, `expected a TypeError, got ${e}`);
    if (msg) assert.match((e as Error).message, msg);
    return true;
  };
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), "cobalt-strict-"));
}

// ---- 1. unknown option keys ---------------------------------------------------------------------

test("options: every options object rejects unknown keys, naming the op, the key and the allowed keys", () => {
  cb.scope(() => {
    const a = cb.arange(6).reshape(2, 3);
    const bad = { nope: 1 } as Any;
    const calls: [string, string[], () => unknown][] = [
      ["sum", ["keepdims"], () => a.sum(0, bad)],
      ["mean", ["keepdims"], () => a.mean(0, bad)],
      ["max", ["keepdims"], () => a.max(null, bad)],
      ["min", ["keepdims"], () => a.min(null, bad)],
      ["prod", ["keepdims"], () => a.prod(null, bad)],
      ["argmax", ["keepdims"], () => a.argmax(0, bad)],
      ["argmin", ["keepdims"], () => a.argmin(0, bad)],
      ["any", ["keepdims"], () => a.any(null, bad)],
      ["all", ["keepdims"], () => a.all(null, bad)],
      ["logsumexp", ["keepdims"], () => a.logsumexp(null, bad)],
      ["var", ["keepdims", "ddof"], () => a.var(null, bad)],
      ["std", ["keepdims", "ddof"], () => a.std(null, bad)],
      ["tensor", ["dtype", "shape", "copy"], () => cb.tensor([1], bad)],
      ["zeros", ["dtype"], () => cb.zeros([2], bad)],
      ["ones", ["dtype"], () => cb.ones([2], bad)],
      ["full", ["dtype"], () => cb.full([2], 1, bad)],
      ["zerosLike", ["dtype"], () => cb.zerosLike(a, bad)],
      ["onesLike", ["dtype"], () => cb.onesLike(a, bad)],
      ["fullLike", ["dtype"], () => cb.fullLike(a, 1, bad)],
      ["arange", ["dtype"], () => cb.arange(3, bad)],
      ["linspace", ["dtype"], () => cb.linspace(0, 1, 3, bad)],
      ["eye", ["dtype", "k"], () => cb.eye(2, null, bad)],
      ["rand", ["dtype", "seed"], () => cb.rand([2], bad)],
      ["randn", ["dtype", "seed"], () => cb.randn([2], bad)],
      ["randLike", ["dtype", "seed"], () => cb.randLike(a, bad)],
      ["randnLike", ["dtype", "seed"], () => cb.randnLike(a, bad)],
      ["sort", ["descending"], () => a.sort(-1, bad)],
      ["argsort", ["descending"], () => a.argsort(-1, bad)],
      ["topk", ["largest"], () => a.topk(1, -1, bad)],
      ["gelu", ["approximate"], () => a.gelu(bad)],
      ["fromObject", ["copy"], () => cb.fromObject({ dtype: "float32", data: new Float32Array(1) }, bad)],
      ["load", ["format", "mmap"], () => cb.load("x.npy", bad)],
      ["save", ["format", "metadata"], () => cb.save("x.npy", a, bad)],
    ];
    for (const [op, allowed, f] of calls) {
      const list = allowed.map((k) => `"${k}"`).join(", ");
      assert.throws(
        f,
        typeError(new RegExp(`^${op}: unknown option "nope"\\. Options of ${op}: ${list}$`)),
        op,
      );
    }
  });
});

test("options: the async variants reject unknown keys too", async () => {
  using a = cb.arange(6);
  const bad = { keepDims: true } as Any;
  assert.throws(
    () => a.sumAsync(0, bad),
    typeError(/^sumAsync: unknown option "keepDims"; did you mean "keepdims"\?/),
  );
  assert.throws(() => a.meanAsync(0, bad), typeError(/^meanAsync: unknown option/));
  assert.throws(() => a.maxAsync(0, bad), typeError(/^maxAsync: unknown option/));
  await assert.rejects(cb.loadAsync("x.npy", { mmaps: false } as Any), typeError(/did you mean "mmap"\?/));
  await assert.rejects(
    cb.saveAsync("x.npy", a, { formats: "npy" } as Any),
    typeError(/did you mean "format"\?/),
  );
});

test("options: the closest key is suggested, with hints for other libraries' spellings", () => {
  cb.scope(() => {
    const a = cb.arange(6).reshape(2, 3);
    const cases: [() => unknown, RegExp][] = [
      [
        () => a.sum(0, { keepDims: true } as Any),
        /^sum: unknown option "keepDims"; did you mean "keepdims"\? \(tfjs/,
      ],
      [
        () => a.mean(0, { keepdim: true } as Any),
        /^mean: unknown option "keepdim"; did you mean "keepdims"\? \(torch/,
      ],
      [
        () => a.var(0, { correction: 1 } as Any),
        /^var: unknown option "correction"; did you mean "ddof"\? \(torch/,
      ],
      [
        () => a.std(0, { unbiased: true } as Any),
        /did you mean "ddof"\? \(torch's unbiased: true is \{ ddof: 1 \}\)/,
      ],
      [
        () => cb.randn([2], { mean: 1 } as Any),
        /^randn: unknown option "mean" \(cb\.normal is not there yet: .*mul\(std\)\.add\(mean\)/,
      ],
      [() => cb.randn([2], { std: 2 } as Any), /^randn: unknown option "std" \(cb\.normal is not there yet/],
      [
        () => cb.zeros([2], { dtyp: "int32" } as Any),
        /^zeros: unknown option "dtyp"; did you mean "dtype"\? Options of zeros: "dtype"$/,
      ],
      [() => cb.tensor([1], { shap: [1] } as Any), /did you mean "shape"\?/],
      [() => cb.rand([1], { sed: 1 } as Any), /did you mean "seed"\?/],
      [
        () => a.topk(1, -1, { descending: true } as Any),
        /did you mean "largest"\? \(topk takes \{ largest: false \}/,
      ],
      [() => a.sort(-1, { largest: false } as Any), /did you mean "descending"\?/],
      [
        () => a.sum(undefined, { axis: 0 } as Any),
        /^sum: unknown option "axis" \(the axis is an argument, not an option/,
      ],
      [
        () => cb.zeros([2], { fooBarBaz: 1 } as Any),
        /^zeros: unknown option "fooBarBaz"\. Options of zeros: "dtype"$/,
      ],
    ];
    for (const [f, re] of cases) assert.throws(f, typeError(re));
  });
});

test("options: a non-object options argument is a TypeError; undefined keys and values cost nothing", () => {
  cb.scope(() => {
    const a = cb.arange(6).reshape(2, 3);
    for (const o of [5, "keepdims", true, null, [1], () => 1]) {
      assert.throws(() => a.sum(0, o as Any), typeError(/^sum: options must be an object/));
      assert.throws(() => cb.zeros([2], o as Any), typeError(/^zeros: options must be an object/));
    }
    assert.throws(() => cb.tensor([1], 5 as Any), typeError(/^tensor: options must be an object/));
    assert.throws(() => cb.randLike(a, "x" as Any), typeError(/^randLike: options must be an object/));
    // a key whose value is undefined reads as "not given" (forwarding { ddof: o.ddof } stays valid)
    assert.deepEqual(a.sum(0, { keepdims: false, ddof: undefined } as Any).shape, [3]);
    assert.deepEqual(a.sum(0, undefined).shape, [3]);
    // inherited keys are not options of the object itself
    assert.deepEqual(a.sum(0, Object.create({ junk: 1 })).shape, [3]);
    // a class instance (a tensor, a Map) is not an options object, even without own keys
    for (const o of [a, new Map(), new Date(0)]) {
      assert.throws(() => a.sum(0, o as Any), typeError(/^sum: options must be an object/));
      assert.throws(() => a.pad(1, o as Any), typeError(/^pad: options must be an object/));
    }
    // wrong option value types
    assert.throws(
      () => a.sum(0, { keepdims: 1 } as Any),
      typeError(/^sum: option keepdims must be a boolean/),
    );
    assert.throws(() => a.sort(-1, { descending: "yes" } as Any), typeError(/descending must be a boolean/));
    assert.throws(
      () => cb.tensor(new Float32Array(2), { copy: 0 } as Any),
      typeError(/copy must be a boolean/),
    );
  });
});

// ---- 2. integers are checked before the ABI ------------------------------------------------------

test("integers: values outside int32 never wrap: AXIS / INVALID_ARGUMENT / INDEX naming the op", () => {
  cb.scope(() => {
    const a = cb.arange(6).reshape(2, 3);
    const big = [2 ** 32, 2 ** 32 + 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 2 ** 60, -(2 ** 64)];
    const axisCalls: [string, (x: number) => unknown][] = [
      ["sum", (x) => a.sum(x)],
      ["sum", (x) => a.sum([0, x])],
      ["mean", (x) => a.mean(x)],
      ["argmax", (x) => a.argmax(x)],
      ["var", (x) => a.var(x)],
      ["softmax", (x) => a.softmax(x)],
      ["logSoftmax", (x) => a.logSoftmax(x)],
      ["cumsum", (x) => a.cumsum(x)],
      ["cumprod", (x) => a.cumprod(x)],
      ["argsort", (x) => a.argsort(x)],
      ["sort", (x) => a.sort(x)],
      ["topk", (x) => a.topk(1, x)],
      ["concat", (x) => cb.concat([a, a], x)],
      ["stack", (x) => cb.stack([a, a], x)],
      ["indexSelect", (x) => a.indexSelect(x, [0])],
      ["take", (x) => a.take([0], x)],
      ["gather", (x) => a.gather(x, cb.zeros([2, 3], { dtype: "int64" }))],
      ["permute", (x) => a.permute(x, 0)],
      ["permute", (x) => a.transpose(0, x)],
      ["flatten", (x) => a.flatten(x)],
      ["squeeze", (x) => a.squeeze(x)],
      ["unsqueeze", (x) => a.unsqueeze(x)],
      ["flip", (x) => a.flip(x)],
      ["repeat", (x) => a.repeat(2, x)],
      ["split", (x) => a.split(2, x)],
      ["chunk", (x) => a.chunk(2, x)],
    ];
    for (const [op, f] of axisCalls) {
      for (const x of big) {
        assert.throws(() => f(x), code("AXIS", new RegExp(`^${op}: axis ${x} is out of bounds`)), op);
      }
    }
    const countCalls: [string, RegExp, (x: number) => unknown][] = [
      ["setNumThreads", /n must be in 1\.\.1024/, (x) => cb.setNumThreads(x)],
      ["topk", /k = .* is out of range/, (x) => a.topk(x)],
      ["split", /sections|does not split/, (x) => a.split(x)],
      ["chunk", /chunks must be in 1\.\./, (x) => a.chunk(x)],
      ["repeat", /repeats must be in 0\.\./, (x) => a.repeat(x)],
      ["tile", /reps must be in 0\.\./, (x) => a.tile(x)],
      ["pad", /widths must be in 0\.\./, (x) => a.pad(x)],
      ["linspace", /num must be in 0\.\./, (x) => cb.linspace(0, 1, x)],
      ["eye", /n must be in 0\.\./, (x) => cb.eye(x)],
      ["rand", /seed must be in 0\.\./, (x) => cb.rand([1], { seed: x })],
    ];
    for (const [op, re, f] of countCalls) {
      for (const x of [-(2 ** 32), -1, 2 ** 60, 2 ** 64]) {
        assert.throws(
          () => f(x),
          code("INVALID_ARGUMENT", new RegExp(`^${op}: .*${re.source}`)),
          `${op}(${x})`,
        );
      }
    }
    // indices past anything a tensor can have: INDEX naming the op
    assert.throws(
      () => a.take([2 ** 64]),
      code("INDEX", /^take: index 18446744073709552000 is out of bounds/),
    );
    assert.throws(() => a.indexSelect(0, [1e300]), code("INDEX", /^indexSelect: index 1e\+300/));
    assert.throws(() => a.slice(2 ** 53 + 2), code("INDEX", /^slice: index/));
    assert.throws(() => a.slice([0, 2 ** 60]), code("INDEX", /^slice: slice bound/));
    assert.throws(() => a.split([1, 2 ** 60]), code("INDEX", /^split: index/));
    assert.throws(() => a.tril(1e300), code("INVALID_ARGUMENT", /^tril: k must be in/));
    // shapes: dims past 2^53 - 1 (JS numbers lose digits there) and the ones that tile/repeat/pad make
    assert.throws(
      () => cb.zeros([2 ** 60]),
      code("INVALID_ARGUMENT", /^zeros: dimension .* larger than 2\^53 - 1/),
    );
    assert.throws(() => a.reshape(2 ** 60, -1), code("INVALID_ARGUMENT", /^reshape: dimension/));
    assert.throws(() => a.tile(2 ** 52), code("INVALID_ARGUMENT", /^tile: dimension/));
    assert.throws(() => a.repeat(2 ** 52, 0), code("INVALID_ARGUMENT", /^repeat: dimension/));
    assert.throws(() => a.pad(2 ** 52), code("INVALID_ARGUMENT", /^pad: dimension/));
    // the valid extremes still work
    assert.throws(() => a.sum(2 ** 31 - 1), code("AXIS", /sum: axis 2147483647 is out of bounds/)); // native
    assert.deepEqual(a.slice([0, 2 ** 53 - 1]).shape, [2, 3], "bounds past the end clamp, as in numpy");
    assert.deepEqual(a.slice([null, null, 2 ** 40]).shape, [1, 3], "a step past the end keeps one element");
    assert.deepEqual(a.tril(2 ** 40).toArray(), [[0, 1, 2], [3, 4, 5]]);
    assert.deepEqual(a.triu(-(2 ** 40)).toArray(), [[0, 1, 2], [3, 4, 5]]);
    assert.deepEqual(cb.eye(2, null, { k: 2 ** 40 }).toArray(), [[0, 0], [0, 0]]);
    assert.deepEqual(a.take([-1n, 0n] as Any).toArray(), [5, 0], "BigInt indices are accepted");
  });
});

test("integers: non-integers are TypeErrors (NaN, fractions, Infinity, strings, BigInt)", () => {
  cb.scope(() => {
    const a = cb.arange(6).reshape(2, 3);
    const calls: [string, (x: Any) => unknown][] = [
      ["sum", (x) => a.sum(x)],
      ["softmax", (x) => a.softmax(x)],
      ["cumsum", (x) => a.cumsum(x)],
      ["argsort", (x) => a.argsort(x)],
      ["topk", (x) => a.topk(x)],
      ["concat", (x) => cb.concat([a, a], x)],
      ["indexSelect", (x) => a.indexSelect(x, [0])],
      ["gather", (x) => a.gather(x, cb.zeros([2, 3], { dtype: "int64" }))],
      ["permute", (x) => a.permute(x, 0)],
      ["setNumThreads", (x) => cb.setNumThreads(x)],
      ["split", (x) => a.split(x)],
      ["repeat", (x) => a.repeat(x)],
      ["tile", (x) => a.tile([x])],
      ["pad", (x) => a.pad(x)],
      ["flatten", (x) => a.flatten(x)],
      ["squeeze", (x) => a.squeeze(x)],
      ["unsqueeze", (x) => a.unsqueeze(x)],
      ["linspace", (x) => cb.linspace(0, 1, x)],
      ["eye", (x) => cb.eye(x)],
      ["tril", (x) => a.tril(x)],
      ["slice", (x) => a.slice(typeof x === "string" ? [x] : x)], // a lone string is numpy text
      ["slice", (x) => a.slice([0, x])],
      ["zeros", (x) => cb.zeros([x])],
      ["reshape", (x) => a.reshape(x, -1)],
      ["rand", (x) => cb.rand([1], { seed: x })],
    ];
    for (const [op, f] of calls) {
      for (const x of [NaN, 0.5, Infinity, -Infinity, "1", 1n, {}]) {
        assert.throws(() => f(x), typeError(new RegExp(`^${op}: `)), `${op}(${String(x)})`);
      }
    }
    assert.throws(() => a.take([0.5]), typeError(/^take: index must be an integer, got 0.5/));
    assert.throws(() => a.take(["1"] as Any), typeError(/^take: index must be an integer/));
  });
});

// ---- 3. creation must not wrap -------------------------------------------------------------------

test("creation: JS numbers out of an integer dtype's range (or not integers) throw, as numpy raises", () => {
  cb.scope(() => {
    // numpy converts a fraction in range toward zero: np.array([0.75, -1.5, 3], dtype=np.int32) is [0, -1, 3]
    assert.deepEqual(cb.tensor([0.75, -1.5, 3], { dtype: "int32" }).toArray(), [0, -1, 3]);
    assert.deepEqual(cb.full([2], 1.5, { dtype: "uint8" }).toArray(), [1, 1]);
    assert.deepEqual(cb.tensor([1n, 2.5], { dtype: "int64" }).toArray(), [1, 2]);
    assert.deepEqual(cb.zeros([2], { dtype: "int32" }).assign(-2.9).toArray(), [-2, -2]);
    const cases: [cb.DType, number, RegExp][] = [
      ["uint8", 300, /300 is out of range for uint8 \(0\.\.255\)/],
      ["uint8", -1, /-1 is out of range for uint8/],
      ["int32", 2 ** 31, /2147483648 is out of range for int32/],
      ["int32", -(2 ** 31) - 1, /-2147483649 is out of range for int32 \(-2147483648\.\.2147483647\)/],
      ["int64", 2 ** 63, /9223372036854776000 is out of range for int64 \(-2\^63\.\.2\^63 - 1\)/],
      ["uint8", 300.5, /300\.5 is out of range for uint8/],
      ["int64", NaN, /NaN cannot be converted to int64/],
      ["uint8", Infinity, /Infinity cannot be converted to uint8/],
      ["int32", -Infinity, /-Infinity cannot be converted to int32/],
    ];
    for (const [dtype, v, re] of cases) {
      assert.throws(
        () => cb.tensor([v], { dtype }),
        code("INVALID_ARGUMENT", new RegExp("^tensor: " + re.source)),
      );
      assert.throws(() => cb.tensor([[0, v]], { dtype }), code("INVALID_ARGUMENT", re), "nested");
      assert.throws(() => cb.tensor(v, { dtype }), code("INVALID_ARGUMENT", re), "scalar");
      assert.throws(
        () => cb.full([2], v, { dtype }),
        code("INVALID_ARGUMENT", new RegExp("^full: " + re.source)),
      );
      const t = cb.zeros([2], { dtype });
      assert.throws(() => cb.fullLike(t, v), code("INVALID_ARGUMENT", new RegExp("^fullLike: " + re.source)));
      assert.throws(() => t.assign(v), code("INVALID_ARGUMENT", new RegExp("^assign: " + re.source)));
      assert.throws(() => t.pad(1, v), code("INVALID_ARGUMENT", new RegExp("^pad: " + re.source)));
      assert.deepEqual(t.toArray(), [0, 0], "a refused assign writes nothing");
    }
    // where follows the binary ops (add: "the number 300 is out of bounds for uint8")
    const u8 = cb.tensor([1, 2], { dtype: "uint8" });
    assert.throws(
      () => cb.where(u8.gt(1), u8, 300),
      code("INVALID_ARGUMENT", /^where: 300 is out of range for uint8/),
    );
    assert.throws(() => u8.add(300), code("INVALID_ARGUMENT", /^add: .*300.*uint8/));
    // the edges are fine
    assert.deepEqual(cb.tensor([0, 255], { dtype: "uint8" }).toArray(), [0, 255]);
    assert.deepEqual(cb.tensor([-(2 ** 31), 2 ** 31 - 1], { dtype: "int32" }).toArray(), [
      -(2 ** 31),
      2 ** 31 - 1,
    ]);
    assert.equal(cb.tensor([-(2 ** 63)], { dtype: "int64" }).data[0], -(2n ** 63n));
    assert.equal(cb.tensor([2 ** 62], { dtype: "int64" }).data[0], 2n ** 62n);
    assert.deepEqual(cb.tensor([true, 2, -0], { dtype: "uint8" }).toArray(), [1, 2, 0]);
    assert.deepEqual(cb.full([2], 7, { dtype: "int32" }).toArray(), [7, 7]);
    // floats and bool take any number (bool: non-zero is true, NaN included, like numpy)
    assert.deepEqual(cb.tensor([300, 1.5], { dtype: "float16" }).toArray(), [300, 1.5]);
    assert.deepEqual(cb.tensor([0, 2, NaN], { dtype: "bool" }).toArray(), [0, 1, 1]);
    assert.deepEqual([...cb.full([2], 5, { dtype: "bool" }).data], [1, 1]);
  });
});

test("creation: TypedArrays convert like astype (numpy: np.array(np.array([300]), dtype=np.uint8) is 44)", () => {
  cb.scope(() => {
    assert.deepEqual(cb.tensor(new Float64Array([3.9, -1.7]), { dtype: "int32" }).toArray(), [3, -1]);
    assert.deepEqual(cb.tensor(new Int32Array([300, 256]), { dtype: "uint8" }).toArray(), [44, 0]);
    assert.deepEqual(cb.tensor(new Int16Array([300, -1]), { dtype: "uint8" }).toArray(), [44, 255]);
    assert.deepEqual(cb.tensor(new Uint32Array([2 ** 32 - 1]), { dtype: "int32" }).toArray(), [-1]);
    assert.throws(
      () => cb.tensor(new DataView(new ArrayBuffer(4)), { dtype: "uint8" }),
      typeError(/DataView/),
    );
  });
});

// ---- 4. BigInt -----------------------------------------------------------------------------------

test("BigInt: nested BigInts give int64 exactly, like numpy for Python ints", () => {
  cb.scope(() => {
    const a = cb.tensor([1n, 2n]);
    assert.equal(a.dtype, "int64");
    assert.deepEqual(a.toArray(), [1, 2]);
    const s = cb.tensor(5n);
    assert.equal(s.dtype, "int64");
    assert.deepEqual(s.shape, []);
    assert.equal(s.item(), 5);
    const big = cb.tensor([[2n ** 62n + 1n, -(2n ** 63n)], [2n ** 63n - 1n, 0n]]);
    assert.deepEqual(big.shape, [2, 2]);
    assert.deepEqual([...(big.data as BigInt64Array)], [2n ** 62n + 1n, -(2n ** 63n), 2n ** 63n - 1n, 0n]);
    // numbers among BigInts: integers stay int64 ([1, 2] in numpy), a fraction makes float64
    assert.equal(cb.tensor([1n, 2, true]).dtype, "int64");
    assert.deepEqual(cb.tensor([[1], [2n]]).toArray(), [[1], [2]]);
    const f = cb.tensor([1n, 2.5]);
    assert.equal(f.dtype, "float64");
    assert.deepEqual(f.toArray(), [1, 2.5]);
    assert.equal(cb.tensor([1n, NaN]).dtype, "float64");
    // with a dtype
    assert.deepEqual(cb.tensor([3n, 1], { dtype: "float32" }).toArray(), [3, 1]);
    assert.deepEqual(cb.tensor([255n], { dtype: "uint8" }).toArray(), [255]);
    assert.deepEqual(cb.tensor([1n, 2n, 3n, 4n], { shape: [2, 2] }).toArray(), [[1, 2], [3, 4]]);
    assert.deepEqual(cb.tensor([0n, 5n], { dtype: "bool" }).toArray(), [0, 1]);
  });
});

test("BigInt: values outside int64 (or the dtype) throw; fractions with an integer dtype throw", () => {
  assert.throws(
    () => cb.tensor([2n ** 63n]),
    code("INVALID_ARGUMENT", /^tensor: 9223372036854775808n is out of range for int64/),
  );
  assert.throws(() => cb.tensor(-(2n ** 63n) - 1n), code("INVALID_ARGUMENT", /out of range for int64/));
  assert.throws(
    () => cb.tensor([2n ** 64n], { dtype: "float64" }),
    code("INVALID_ARGUMENT", /out of range for int64/),
  );
  assert.throws(
    () => cb.tensor([300n], { dtype: "uint8" }),
    code("INVALID_ARGUMENT", /^tensor: 300 is out of range for uint8/),
  );
  assert.throws(
    () => cb.tensor([2n ** 31n], { dtype: "int32" }),
    code("INVALID_ARGUMENT", /out of range for int32/),
  );
  assert.throws(
    () => cb.tensor([1n, 2 ** 63], { dtype: "int64" }),
    code("INVALID_ARGUMENT", /out of range for int64/),
  );
  using f = cb.tensor([1n, 2 ** 63]); // a number with no int64 value makes float64, like a fraction
  assert.equal(f.dtype, "float64");
  assert.throws(() => cb.tensor([1n, "2"] as Any), typeError(/^tensor: expected a number, found string/));
});

// ---- 5. messages that name the right op ----------------------------------------------------------

test("messages: take, reshape, zeros(2, 3), slice(':, 1'), dtype lists, Node", () => {
  cb.scope(() => {
    const a = cb.arange(6).reshape(2, 3);
    assert.throws(() => a.take([100]), code("INDEX", /^take: index 100 is out of bounds/));
    assert.throws(() => a.take([100], 1), code("INDEX", /^take: index 100/));
    assert.throws(() => a.indexSelect(1, [100]), code("INDEX", /^indexSelect: index 100/));
    assert.throws(() => a.reshape(-1, -1), code("INVALID_ARGUMENT", /^reshape: only one dim can be -1/));
    assert.throws(() => a.reshape(-2, 3), code("INVALID_ARGUMENT", /^reshape: negative dimension -2/));
    assert.throws(() => a.expand([-2, 3]), code("INVALID_ARGUMENT", /^expand: negative dimension -2/));
    assert.throws(() => cb.zeros([2, -1]), code("INVALID_ARGUMENT", /^zeros: negative dimension -1/));
    assert.throws(
      () => (cb.zeros as Any)(2, 3),
      typeError(/^zeros: shape must be an array of integers, e.g\. cb\.zeros\(\[2, 3\]\)/),
    );
    assert.throws(
      () => (cb.ones as Any)(2),
      typeError(/^ones: shape must be an array of integers, e.g\. cb\.ones/),
    );
    assert.throws(() => (cb.randn as Any)(2, 3), typeError(/^randn: shape must be an array/));
    assert.throws(
      () => a.slice(":, 1"),
      typeError(/^slice: cannot parse ":, 1": give one spec per dim, e\.g\. slice\(":", 1\)/),
    );
    assert.throws(() => a.slice("0, 1:2"), typeError(/e\.g\. slice\(0, "1:2"\)/));
    const list = /\(supported: float32, float64, int32, int64, uint8, bool, float16, bfloat16\)/;
    assert.throws(
      () => a.astype("int8" as Any),
      code("DTYPE", new RegExp('^astype: unsupported dtype "int8" ' + list.source)),
    );
    assert.throws(() => cb.zeros([1], { dtype: "f32" as Any }), code("DTYPE", list));
    assert.throws(() => cb.fromObject({ type: "int8", data: new Int8Array(1) }), code("DTYPE", list));
    assert.throws(() => cb.tensor(new Int16Array(1)), code("DTYPE", list));
    assert.throws(() => a.astype(5 as Any), typeError(/^astype: dtype must be a string/));
  });
});

test("messages: outside Deno, Bun and Node the loader says which runtimes cobalt supports", () => {
  for (const g of [{}, { Deno: {} }, { process: {} }, { process: { versions: {} } }]) {
    assert.throws(() => checkRuntime(g as Any), code("LOAD", /cobalt runs in Deno, Bun and Node/));
  }
  checkRuntime({ Bun: {} });
  checkRuntime({ Deno: { dlopen: () => {} } });
  checkRuntime({ process: { versions: { node: "20.20.2" } } });
});

// ---- 6. dtype names from Object.prototype --------------------------------------------------------

test("dtype names: Object.prototype members are not dtypes", () => {
  cb.scope(() => {
    const a = cb.arange(3);
    for (
      const d of ["toString", "constructor", "__proto__", "hasOwnProperty", "valueOf", "isPrototypeOf"]
    ) {
      const dt = d as Any;
      assert.throws(() => cb.zeros([2], { dtype: dt }), code("DTYPE", /^zeros: unsupported dtype/), d);
      assert.throws(() => cb.tensor([1], { dtype: dt }), code("DTYPE"), d);
      assert.throws(() => cb.arange(2, { dtype: dt }), code("DTYPE"), d);
      assert.throws(() => a.astype(dt), code("DTYPE", /^astype: unsupported dtype/), d);
      assert.throws(() => cb.fromObject({ dtype: dt, data: new Uint8Array(1) }), code("DTYPE"), d);
      assert.throws(() => cb.zerosLike(a, { dtype: dt }), code("DTYPE"), d);
    }
  });
});

// ---- 7. I/O hardening ----------------------------------------------------------------------------

test("io: encoding a bare tensor (not a record) is a TypeError", () => {
  using t = cb.ones([2]);
  assert.throws(
    () => cb.encodeSafetensors(t as Any),
    typeError(/^encodeSafetensors: expected a record of tensors, e\.g\. \{ weight: t \}/),
  );
  assert.throws(
    () => cb.encodeNpz(t as Any),
    typeError(/^encodeNpz: expected a record of tensors, e\.g\. \{ weight: t \}/),
  );
  assert.throws(() => cb.encodeNpz([t] as Any), typeError(/^encodeNpz: expected a record/));
  assert.throws(
    () => cb.encodeSafetensors({ w: 1 } as Any),
    typeError(/^encodeSafetensors: expected a Tensor for "w"/),
  );
  assert.throws(
    () => cb.save("x.npz", { w: "x" } as Any),
    typeError(/^encodeNpz: expected a Tensor for "w"/),
  );
  assert.throws(
    () => cb.save("x.npy", t, { metadata: { a: "b" } }),
    typeError(/metadata is stored in safetensors files only/),
  );
});

test("io: a tensor named __proto__ is an own key of a null-prototype map, in every reader", () => {
  const dir = tmp();
  try {
    cb.scope(() => {
      const t = cb.tensor([1, 2]);
      const named = { ["__proto__"]: t, w: t } as cb.TensorMap; // a computed key: an own property
      const check = (m: cb.TensorMap, label: string) => {
        assert.equal(Object.getPrototypeOf(m), null, label);
        assert.deepEqual(Object.keys(m).sort(), ["__proto__", "w"], label);
        assert.ok(Object.hasOwn(m, "__proto__"), label);
        assert.deepEqual(m["__proto__"].toArray(), [1, 2], label);
        assert.equal(m["toString" as string], undefined, label);
      };
      check(cb.decodeSafetensors(cb.encodeSafetensors(named)).tensors, "safetensors");
      check(cb.decodeNpz(cb.encodeNpz(named)), "npz");
      const p = join(dir, "m.safetensors");
      cb.save(p, named, { metadata: { ["__proto__"]: "x", k: "v" } as Any });
      for (const mmap of MMAP_MODES) {
        const { tensors, metadata } = cb.load(p, { mmap });
        check(tensors, `file mmap=${mmap}`);
        assert.equal(Object.getPrototypeOf(metadata), null);
        assert.equal(metadata["__proto__"], "x");
        assert.equal(metadata.k, "v");
      }
      const np = join(dir, "a.npy");
      cb.save(np, t);
      assert.equal(Object.getPrototypeOf(cb.load(np).tensors), null);
    });
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("io: .npz names that could escape a directory are refused on write, plain keys on read", async () => {
  using t = cb.ones([2]);
  for (const name of ["../../x", "a/../../x", "/etc/x", "\\x", "C:x", "a\0b", "..", "a\\..\\b"]) {
    assert.throws(
      () => cb.encodeNpz({ [name]: t }),
      code("INVALID_ARGUMENT", /^encodeNpz: the name .* an archive entry must stay inside/),
      name,
    );
  }
  cb.encodeNpz({ "a/b": t, "..x": t, "x..": t }); // sub-paths and dots inside a name are fine
  // a hostile archive (the name patched in after writing): the name is only a key
  const hostile = patch(cb.encodeNpz({ "AAAx": t }), "AAAx.npy", "../x.npy");
  for (const m of [cb.decodeNpz(hostile), await cb.decodeNpzAsync(hostile)]) {
    assert.deepEqual(Object.keys(m), ["../x"]);
    assert.deepEqual(m["../x"].toArray(), [1, 1]);
    m["../x"].dispose();
  }
});

test("io: loading a directory, a device or a FIFO is refused (never blocks)", async () => {
  const dir = tmp();
  try {
    const sub = join(dir, "d.npy");
    mkdirSync(sub);
    const fifo = join(dir, "f.npy");
    const made = spawnSync("mkfifo", [fifo]).status === 0;
    const paths = [sub, "/dev/null", ...(made ? [fifo] : [])];
    for (const p of paths) {
      for (const format of ["npy", "npz", "safetensors", "cobalt"] as cb.Format[]) {
        const re = new RegExp(`^load: ${p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is not a regular file`);
        assert.throws(() => cb.load(p, { format }), code("INVALID_ARGUMENT", re), `${p} ${format}`);
        assert.throws(() => cb.load(p, { format, mmap: false }), code("INVALID_ARGUMENT", re));
        await assert.rejects(cb.loadAsync(p, { format, mmap: false }), code("INVALID_ARGUMENT", re));
      }
    }
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("io: format and path arguments are checked", () => {
  using t = cb.ones([1]);
  assert.throws(
    () => cb.load("x.npy", { format: "pickle" as Any }),
    code("INVALID_ARGUMENT", /^load: unknown format "pickle" \(formats: safetensors, npy, npz, cobalt\)/),
  );
  assert.throws(() => cb.save("x", t), typeError(/^save: cannot tell the format/));
  assert.throws(() => cb.load(5 as Any), typeError(/^load: path must be a string/));
  assert.throws(
    () => cb.load("x.safetensors", { mmap: "no" } as Any),
    typeError(/^load: option mmap must be a boolean/),
  );
});

// ---- 8. bool data is 0 or 1 ----------------------------------------------------------------------

/** safetensors bytes of one BOOL tensor holding `bytes` as they are. */
function boolSafetensors(bytes: number[]): Uint8Array {
  let json = JSON.stringify({ b: { dtype: "BOOL", shape: [bytes.length], data_offsets: [0, bytes.length] } });
  json += " ".repeat((8 - ((8 + json.length) % 8)) % 8);
  const out = new Uint8Array(8 + json.length + bytes.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(new TextEncoder().encode(json), 8);
  out.set(bytes, 8 + json.length);
  return out;
}

nativeTest(
  "bool: data entering cobalt holds only the bytes 0 and 1",
  "copy: false cannot share JS memory (it is INVALID_ARGUMENT there)",
  () => {
    const dir = tmp();
    try {
      cb.scope(() => {
        const raw = [0, 2, 255, 1];
        const want = [0, 1, 1, 1];
        const bytes = (t: cb.Tensor) => [...(t.data as Uint8Array)];
        const checkT = (t: cb.Tensor, label: string) => {
          assert.equal(t.dtype, "bool", label);
          assert.deepEqual(bytes(t), want, label);
          assert.deepEqual(bytes(t.logicalNot()), [1, 0, 0, 0], label);
          assert.deepEqual(t.eq(cb.tensor(true)).toArray(), want, label);
        };
        // a copy normalises and leaves the source alone
        const src = new Uint8Array(raw);
        checkT(cb.tensor(src, { dtype: "bool" }), "copy");
        assert.deepEqual([...src], raw);
        // adoption normalises in place: the tensor is that memory
        const adopted = new Uint8Array(raw);
        const t = cb.tensor(adopted, { dtype: "bool", copy: false });
        checkT(t, "copy: false");
        assert.deepEqual([...adopted], want);
        adopted[0] = 1;
        assert.equal((t.toArray() as number[])[0], 1, "still shared");
        // fromObject, copied and adopted
        checkT(cb.fromObject({ dtype: "bool", data: new Uint8Array(raw) }), "fromObject");
        const o = new Uint8Array(raw);
        checkT(cb.fromObject({ type: "bool", data: o }, { copy: false }), "fromObject copy: false");
        assert.deepEqual([...o], want);
        // decoders: .npy (descr patched from |u1 to |b1), .npz, cobalt bytes, safetensors
        const u8 = cb.tensor(raw, { dtype: "uint8" });
        const npy = patch(cb.encodeNpy(u8), "'|u1'", "'|b1'");
        checkT(cb.decodeNpy(npy), "npy");
        const npz = patch(cb.encodeNpz({ x: u8 }), "'|u1'", "'|b1'");
        assert.throws(() => cb.decodeNpz(npz), code("FORMAT", /CRC/), "the patch changes the CRC");
        const cbytes = cb.toBytes(u8);
        cbytes[8] = 5; // the bool dtype code
        checkT(cb.fromBytes(cbytes), "fromBytes");
        const st = boolSafetensors(raw);
        checkT(cb.decodeSafetensors(st).tensors.b, "safetensors");
        // memory-mapped: a bool tensor with other bytes is copied (normalised), the file is untouched
        const p = join(dir, "b.safetensors");
        writeFileSync(p, st);
        checkT(cb.load(p, { mmap: true }).tensors.b, "mmap");
        checkT(cb.load(p, { mmap: false }).tensors.b, "no mmap");
        assert.deepEqual([...readFileSync(p)], [...st]);
        // clean bool data is still mapped without a copy
        const clean = join(dir, "c.safetensors");
        writeFileSync(clean, boolSafetensors([0, 1, 1, 0]));
        const before = cb.memory().externalBytes;
        const m = cb.load(clean, { mmap: true }).tensors.b;
        assert.ok(cb.memory().externalBytes > before, "a view into the mapping");
        assert.deepEqual(m.toArray(), [0, 1, 1, 0]);
      });
    } finally {
      rmSync(dir, { recursive: true });
    }
  },
);

test("bool: .npz bool entries with other bytes are normalised", async () => {
  using u8 = cb.tensor([3, 0, 1], { dtype: "uint8" });
  // an archive of a bool .npy holding the byte 3: patch the descr, then fix both CRCs
  const npy = patch(cb.encodeNpy(u8), "'|u1'", "'|b1'");
  const z = patch(cb.encodeNpz({ x: u8 }), "'|u1'", "'|b1'");
  const dv = new DataView(z.buffer);
  dv.setUint32(14, crc32(npy), true); // local header
  const cd = indexOf(z, new Uint8Array([0x50, 0x4b, 0x01, 0x02]));
  dv.setUint32(cd + 16, crc32(npy), true); // central directory
  for (const m of [cb.decodeNpz(z), await cb.decodeNpzAsync(z)]) {
    assert.equal(m.x.dtype, "bool");
    assert.deepEqual([...(m.x.data as Uint8Array)], [1, 0, 1]);
    m.x.dispose();
  }
});

/** A copy of `bytes` with every occurrence of ASCII `from` replaced by `to` (the same length). */
function patch(bytes: Uint8Array, from: string, to: string): Uint8Array {
  assert.equal(from.length, to.length);
  const out = bytes.slice();
  const f = new TextEncoder().encode(from), t = new TextEncoder().encode(to);
  let n = 0;
  for (let i = indexOf(out, f); i >= 0; i = indexOf(out, f, i + 1), n++) out.set(t, i);
  assert.ok(n > 0, `${from} not found`);
  return out;
}

function indexOf(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) {
    c ^= b[i];
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}
