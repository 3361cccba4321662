/**
 * Misuse: every bad input gives a TypeError (wrong JS type) or a CobaltError with a stable code,
 * never a crash; the process goes on after each.
 */
import assert from "node:assert/strict";
import * as cb from "../mod.ts";
import { STATUS_CODES } from "../ffi/errors.ts";
import { backend, code, test } from "./harness.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

test("use after dispose throws DISPOSED from every member", () => {
  const t = cb.tensor([[1, 2], [3, 4]]);
  const other = cb.ones([2, 2]);
  t.dispose();
  const uses: [string, () => unknown][] = [
    ["shape", () => t.shape],
    ["dtype", () => t.dtype],
    ["ndim", () => t.ndim],
    ["size", () => t.size],
    ["data", () => t.data],
    ["strides", () => t.strides],
    ["isContiguous", () => t.isContiguous],
    ["toArray", () => t.toArray()],
    ["item", () => t.item()],
    ["add", () => t.add(1)],
    ["as operand", () => other.add(t)],
    ["neg", () => t.neg()],
    ["exp", () => t.exp()],
    ["sum", () => t.sum()],
    ["mean", () => t.mean(0)],
    ["matmul", () => t.matmul(other)],
    ["operand of matmul", () => other.matmul(t)],
    ["reshape", () => t.reshape(4)],
    ["transpose", () => t.transpose()],
    ["permute", () => t.permute(1, 0)],
    ["contiguous", () => t.contiguous()],
    ["astype", () => t.astype("float64")],
    ["refcount", () => cb.native.refcount(t)],
  ];
  for (const [name, f] of uses) assert.throws(f, code("DISPOSED"), name);
  assert.equal(String(t), "tensor(<disposed>)");
  other.dispose();
});

test("shape mismatches name the op and both shapes", () => {
  cb.scope(() => {
    const a = cb.zeros([2, 3]), b = cb.zeros([4]);
    assert.throws(() => a.add(b), code("SHAPE_MISMATCH", /^add: shapes \(2, 3\) and \(4,\)/));
    assert.throws(() => a.div(b), code("SHAPE_MISMATCH", /^div:/));
    assert.throws(
      () => a.matmul(cb.zeros([2, 3])),
      code("SHAPE_MISMATCH", /matmul: shapes \(2, 3\) and \(2, 3\)/),
    );
    assert.throws(
      () => cb.zeros([2, 2, 4]).matmul(a),
      code("SHAPE_MISMATCH", /matmul: shapes \(2, 2, 4\) and \(2, 3\)/),
    );
    assert.throws(() => cb.zeros([3, 2, 3]).matmul(cb.zeros([2, 3, 1])), code("SHAPE_MISMATCH", /matmul/));
    assert.throws(() => a.reshape(4, 2), code("SHAPE_MISMATCH", /reshape: shapes \(2, 3\) and \(4, 2\)/));
    assert.throws(() => a.reshape(-1, 4), code("INVALID_ARGUMENT", /cannot infer/));
    assert.throws(
      () => cb.tensor(new Float32Array(6), { shape: [4, 2] }),
      code("SHAPE_MISMATCH", /6 elements/),
    );
  });
});

test("bad axes give AXIS", () => {
  cb.scope(() => {
    const a = cb.zeros([2, 3]);
    assert.throws(() => a.sum(2), code("AXIS", /sum: axis 2 is out of bounds/));
    assert.throws(() => a.mean(-3), code("AXIS", /mean: axis -3/));
    assert.throws(() => a.sum([0, -2]), code("AXIS", /repeated/));
    assert.throws(() => a.permute(0, 0), code("AXIS", /permute/));
    assert.throws(() => a.permute(0), code("AXIS", /permute/));
    assert.throws(() => a.transpose(0, 5), code("AXIS", /permute/));
  });
});

test("wrong JS types give TypeError", () => {
  cb.scope(() => {
    const a = cb.zeros([2]);
    assert.throws(() => a.add("1" as Any), TypeError);
    assert.throws(() => a.add([1, 2] as Any), /cb.tensor/);
    assert.throws(() => a.mul(null as Any), TypeError);
    assert.throws(() => a.matmul(3 as Any), TypeError);
    assert.throws(() => a.sum("0" as Any), TypeError);
    assert.throws(() => a.sum(0.5), TypeError);
    assert.throws(() => a.sum(0, 1 as Any), TypeError);
    assert.throws(() => a.reshape("2" as Any), TypeError);
    assert.throws(() => a.reshape(1.5, 2), TypeError);
    assert.throws(() => cb.tensor("abc" as Any), TypeError);
    assert.throws(() => cb.tensor([1, "a"] as Any), TypeError);
    assert.throws(() => cb.tensor([[1, 2], [3]]), /ragged/);
    assert.throws(() => cb.tensor([[1, 2], 3] as Any), /ragged/);
    assert.throws(() => cb.tensor([1, 2], { copy: false }), TypeError);
    assert.throws(() => cb.zeros("3" as Any), TypeError);
    assert.throws(() => cb.zeros([NaN]), TypeError);
    assert.throws(() => cb.full([2], "1" as Any), TypeError);
    assert.throws(() => cb.arange("3" as Any), TypeError);
    assert.throws(() => cb.scope(5 as Any), TypeError);
    assert.throws(() => new (cb.Tensor as Any)(Symbol("x"), null), TypeError);
  });
});

test("unsupported dtypes give DTYPE", () => {
  assert.throws(() => cb.zeros([2], { dtype: "int8" as Any }), code("DTYPE", /int8/));
  assert.throws(() => cb.tensor(new Int16Array(3)), code("DTYPE", /Int16Array/));
  assert.throws(() => cb.tensor(new Float32Array(3), { dtype: "float64", copy: false }), code("DTYPE"));
  using t = cb.zeros([2]);
  assert.throws(() => t.astype("int8" as Any), code("DTYPE"));
  // with an explicit dtype, other TypedArrays convert
  using c = cb.tensor(new Int16Array([1, -2, 3]), { dtype: "float64" });
  assert.deepEqual(c.toArray(), [1, -2, 3]);
});

test("negative and invalid dims give INVALID_ARGUMENT", () => {
  assert.throws(() => cb.zeros([2, -1]), code("INVALID_ARGUMENT", /negative dimension/));
  assert.throws(() => cb.zeros(new Array(40).fill(1)), code("INVALID_ARGUMENT"));
  assert.throws(() => cb.arange(0, 1, 0), code("INVALID_ARGUMENT", /step/));
  assert.throws(() => cb.arange(0, Infinity), code("INVALID_ARGUMENT"));
});

test("NaN and Infinity are data, not errors", () => {
  cb.scope(() => {
    const t = cb.tensor([NaN, Infinity, -Infinity, -0]);
    const back = t.toArray() as number[];
    assert.ok(Number.isNaN(back[0]));
    assert.deepEqual(back.slice(1), [Infinity, -Infinity, -0]);
    assert.ok(Object.is(back[3], -0));
    assert.ok(Number.isNaN(t.sum().item()));
    assert.equal(t.maximum(0).toArray().toString(), "NaN,Infinity,0,0");
    assert.equal(cb.tensor([1e39]).item(), Infinity, "float32 overflow rounds to Infinity like numpy");
  });
});

test("0-size tensors work everywhere", () => {
  cb.scope(() => {
    const z = cb.zeros([0, 3]);
    assert.deepEqual(z.shape, [0, 3]);
    assert.equal(z.size, 0);
    assert.deepEqual(z.toArray(), []);
    assert.equal(z.data.length, 0);
    assert.equal(z.sum().item(), 0);
    assert.deepEqual(z.sum(0).toArray(), [0, 0, 0]);
    assert.deepEqual(z.add(1).shape, [0, 3]);
    assert.deepEqual(z.matmul(cb.zeros([3, 2])).shape, [0, 2]);
    assert.deepEqual(cb.tensor([]).shape, [0]);
    assert.deepEqual(cb.tensor(new Float32Array(0), { copy: false }).shape, [0]);
    assert.throws(() => z.max(), code("INVALID_ARGUMENT", /zero-size/));
    assert.throws(() => z.item(), code("INVALID_ARGUMENT", /one element/));
    assert.match(String(z), /^tensor\(\[\]/);
  });
});

test(
  "a huge shape fails with OUT_OF_MEMORY and the process goes on",
  () => {
    const base = cb.memory();
    assert.throws(() => cb.zeros([1e9, 1e9]), code("OUT_OF_MEMORY"));
    assert.throws(() => cb.ones([2 ** 40, 2 ** 30]), code("OUT_OF_MEMORY"));
    assert.throws(() => cb.full([2 ** 50], 1, { dtype: "float64" }), code("OUT_OF_MEMORY"));
    assert.throws(() => cb.arange(0, 1e18), code("OUT_OF_MEMORY"));
    using four = cb.tensor(new Float32Array(4));
    // wasm32 sizes are 32-bit: there a dimension of 2^52 is already OUT_OF_MEMORY.
    assert.throws(
      () => four.reshape(2 ** 52, 0, -1),
      code(backend === "wasm" ? "OUT_OF_MEMORY" : "INVALID_ARGUMENT"),
    );
    assert.deepEqual(cb.memory().bytes, base.bytes + 16);
    using ok = cb.ones([3]);
    assert.equal(ok.sum().item(), 3);
  },
);

test("a Rust panic becomes CobaltError PANIC and the process goes on", () => {
  assert.throws(() => cb.native.panic(), code("PANIC", /cobalt_debug_panic was called/));
  assert.throws(() => cb.native.panic(), code("PANIC"));
  using t = cb.tensor([1, 2]);
  assert.deepEqual(t.add(1).toArray(), [2, 3]);
});

test("item() needs exactly one element", () => {
  using t = cb.tensor([1, 2]);
  assert.throws(() => t.item(), code("INVALID_ARGUMENT", /shape \(2,\)/));
  using s = cb.tensor(5);
  assert.deepEqual(s.shape, []);
  assert.equal(s.item(), 5);
});

test("status names agree with the native library", () => {
  for (let i = 0; i < STATUS_CODES.length; i++) assert.equal(cb.native.statusName(i), STATUS_CODES[i]);
  assert.equal(cb.native.statusName(999), "UNKNOWN");
  assert.equal(cb.native.abiVersion(), cb.ABI_VERSION);
});

test("readable printing", () => {
  using a = cb.tensor([[1, 2.5], [3, -4]]);
  assert.equal(String(a), "tensor([[1., 2.5],\n        [3., -4.]], dtype=float32)");
  using b = cb.tensor(0.1, { dtype: "float64" });
  assert.equal(String(b), "tensor(0.1, dtype=float64)");
  using c = cb.tensor([0.1]);
  assert.equal(String(c), "tensor([0.1], dtype=float32)", "float32 prints at float32 precision");
  using big = cb.arange(2000, { dtype: "float32" });
  assert.equal(String(big), "tensor([0., 1., 2., ..., 1997., 1998., 1999.], dtype=float32, shape=(2000,))");
  using ints = cb.arange(2000);
  assert.equal(String(ints), "tensor([0, 1, 2, ..., 1997, 1998, 1999], dtype=int64, shape=(2000,))");
});

test("the engine's ops refuse bad input with specific codes", () => {
  cb.scope(() => {
    const a = cb.arange(12).reshape(3, 4);
    assert.throws(() => a.slice("1:x"), TypeError);
    assert.throws(() => a.slice({} as Any), TypeError);
    assert.throws(() => a.slice("...", "..."), code("INDEX"));
    assert.throws(
      () => a.gather(1, cb.zeros([3, 2], { dtype: "int64" }).reshape(6)),
      code("SHAPE_MISMATCH", /gather/),
    );
    assert.throws(() => a.gather(1, cb.full([3, 1], 9, { dtype: "int64" })), code("INDEX", /out of bounds/));
    assert.throws(() => a.topk(5), code("INVALID_ARGUMENT", /topk/));
    assert.throws(() => a.split(0), code("INVALID_ARGUMENT"));
    assert.throws(() => a.chunk(0), code("INVALID_ARGUMENT"));
    assert.throws(() => a.tile(-1), code("INVALID_ARGUMENT"));
    assert.throws(() => a.repeat(1.5), TypeError);
    assert.throws(() => a.pad([[1, 1]] as Any), code("SHAPE_MISMATCH", /pad/));
    assert.throws(() => a.pad(-1), code("INVALID_ARGUMENT"));
    assert.throws(() => a.reshape(-1, -1), code("INVALID_ARGUMENT"));
    assert.throws(() => a.flatten(1, 0), code("AXIS"));
    assert.throws(() => a.unsqueeze(3), code("AXIS"));
    assert.throws(() => a.flip([0, 0]), code("AXIS"));
    assert.throws(() => a.argmax(2), code("AXIS"));
    assert.throws(() => a.softmax(5), code("AXIS", /softmax/));
    assert.throws(() => a.cumsum(-3), code("AXIS", /cumsum/));
    assert.throws(() => a.clamp(), TypeError);
    assert.throws(() => a.gelu({ approximate: "fast" as Any }), TypeError);
    assert.throws(() => cb.concat([]), TypeError);
    assert.throws(() => cb.concat([a, 1 as Any]), TypeError);
    assert.throws(
      () => cb.concat([cb.tensor(1), cb.tensor(2)]),
      code("INVALID_ARGUMENT", /zero-dimensional/),
    );
    assert.throws(() => cb.stack([a, a], 3), code("AXIS"));
    assert.throws(() => cb.where(a.gt(2), a, cb.zeros([2])), code("SHAPE_MISMATCH", /where/));
    assert.throws(() => a.expand([2]), code("SHAPE_MISMATCH", /expand/));
    assert.throws(
      () => a.slice(0).expand([2, 4]).assign(cb.zeros([2, 4])),
      code("INVALID_ARGUMENT", /broadcast/),
    );
    assert.throws(() => a.assign(cb.zeros([2])), code("SHAPE_MISMATCH", /copy_into/));
    assert.throws(() => cb.linspace(0, 1, -1), code("INVALID_ARGUMENT", /linspace/));
    assert.throws(() => cb.eye(2.5), TypeError);
    assert.throws(
      () => cb.tensor([1, 2], { dtype: "uint8" }).add(-1),
      code("INVALID_ARGUMENT", /out of bounds for uint8/),
    );
  });
});
