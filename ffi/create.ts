/**
 * Creating tensors: from nested arrays, from TypedArrays (copied or adopted without a copy), filled
 * ones (zeros, ones, full, arange, linspace, eye), seeded random ones, and the *Like variants.
 * @module
 */
import { CobaltError } from "./errors.ts";
import {
  checkDType,
  checkIntValue,
  DEFAULT_DTYPE,
  type DType,
  dtypeOfArray,
  DTYPES,
  intProblem,
  normaliseBool,
  supported,
  type TypedArray,
} from "./dtype.ts";
import { SHAPE, sym, writeShape } from "./core.ts";
import { adopt, copied, Tensor, wrap } from "./tensor.ts";
import { boolOption, checkOptions } from "./options.ts";
import { intIn, MAX_DIM, shapeArg, show } from "./ints.ts";

const SCRATCH = new ArrayBuffer(8 * 1024);
const SCRATCH_ELEMS = 1024;
const SCRATCH_F32 = new Float32Array(SCRATCH, 0, SCRATCH_ELEMS);
const SCRATCH_F64 = new Float64Array(SCRATCH);

/** Options of `cb.tensor`. */
export interface TensorOptions {
  /**
   * Element type; default: the TypedArray's own, "bool" for nested booleans, "int64" for BigInts,
   * else "float32". JS numbers for an integer dtype must be integers in its range (numpy raises for
   * a Python int out of range); a TypedArray converts like `astype` (wrapping, as numpy does).
   */
  dtype?: DType;
  /** Dims for flat data (a TypedArray); default: one dim of its length. */
  shape?: number[];
  /**
   * `false` adopts a TypedArray of the right dtype without copying: the tensor reads (and writes)
   * the JS memory, which stays alive as long as any tensor or view uses it. Default `true`.
   * NOTE: adopting a Uint8Array as "bool" sets its non-zero bytes to 1 in place (a bool element is
   * the byte 0 or 1, and the tensor *is* that memory).
   */
  copy?: boolean;
}

/** Options of the filled creators. */
export interface CreateOptions {
  /** Element type, default "float32". */
  dtype?: DType;
}

/** Nested arrays of numbers, booleans or BigInts: what `cb.tensor` reads. */
export type NestedInput = number | boolean | bigint | NestedInput[];

const TENSOR_KEYS = ["dtype", "shape", "copy"] as const;
const NO_OPTIONS: TensorOptions = Object.freeze({});
const CREATE_KEYS = ["dtype"] as const;
const EYE_KEYS = ["dtype", "k"] as const;
const RANDOM_KEYS = ["dtype", "seed"] as const;

/** Options of the random creators. */
export interface RandomOptions {
  /** A float dtype, default "float32". */
  dtype?: DType;
  /** A non-negative integer: the same seed gives the same values on every platform and runtime. */
  seed?: number;
}

function inferShape(data: unknown, op: string): { shape: number[]; leaf: unknown } {
  const shape: number[] = [];
  let x = data;
  while (Array.isArray(x)) {
    shape.push(x.length);
    x = x[0];
  }
  if (
    shape.length > 0 && shape.at(-1)! > 0 && typeof x !== "number" && typeof x !== "boolean" &&
    typeof x !== "bigint"
  ) {
    throw new TypeError(`${op}: expected numbers, found ${x === null ? "null" : typeof x}`);
  }
  return { shape, leaf: x };
}

// Set when `flatten` meets a BigInt: the data then takes the exact BigInt path (`fromBigInts`).
let sawBigInt = false;

function leafValue(x: unknown, op: string): number {
  if (typeof x === "number") return x;
  if (typeof x === "boolean") return x ? 1 : 0;
  if (typeof x === "bigint") {
    sawBigInt = true;
    return 0;
  }
  throw new TypeError(`${op}: expected a number, found ${x === null ? "null" : typeof x}`);
}

/** Calls `f` on every leaf of nested `data` of `shape`, in row-major order (checks raggedness). */
function eachLeaf(data: unknown, shape: number[], op: string, f: (x: unknown, i: number) => void): void {
  let i = 0;
  const walk = (x: unknown, d: number): void => {
    if (d === shape.length) {
      f(x, i++);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[d]) {
      throw new TypeError(
        `${op}: ragged nested array: expected length ${shape[d]} at depth ${d}, ` +
          `found ${Array.isArray(x) ? x.length : typeof x}`,
      );
    }
    for (let k = 0; k < x.length; k++) walk(x[k], d + 1);
  };
  walk(data, 0);
}

const I64_MIN = -(2n ** 63n), I64_MAX = 2n ** 63n - 1n;

/**
 * A tensor from nested data holding BigInts (exact, through an int64 buffer). Without a dtype it is
 * int64, like numpy for Python ints, or float64 when a number with no int64 value (a fraction, NaN,
 * Infinity, or beyond ±2^63) is among them, like numpy's `[1, 2.5]`. BigInts outside int64 are
 * refused whatever the dtype.
 */
function fromBigInts(
  data: unknown,
  shape: number[],
  outShape: number[],
  dtype: DType | undefined,
  op: string,
): Tensor {
  const n = numel(shape);
  const big = new BigInt64Array(n), num = new Float64Array(n);
  let inexact: number | undefined; // a number with no exact int64 value
  const put = (x: unknown, i: number) => {
    if (typeof x === "bigint") {
      if (x < I64_MIN || x > I64_MAX) {
        throw new CobaltError("INVALID_ARGUMENT", `${op}: ${x}n is out of range for int64 (-2^63..2^63 - 1)`);
      }
      big[i] = x;
      num[i] = Number(x);
      return;
    }
    const v = leafValue(x, op);
    num[i] = v;
    if (Number.isInteger(v) && intProblem(v, "int64") === undefined) big[i] = BigInt(v);
    else {
      inexact ??= v; // not an exact int64: float64 unless an integer dtype is asked for
      if (intProblem(v, "int64") === undefined) big[i] = BigInt(Math.trunc(v));
    }
  };
  if (shape.length === 0) put(data, 0);
  else eachLeaf(data, shape, op, put);
  const d = dtype ?? (inexact === undefined ? "int64" : "float64");
  if (DTYPES[d].kind !== "int") return fromFlat(num, "float64", d, outShape, op);
  if (inexact !== undefined) checkIntValue(inexact, d, op);
  if (d !== "int64") { for (let i = 0; i < n; i++) checkIntValue(num[i]!, d, op); }
  return fromFlat(big, "int64", d, outShape, op);
}

/** Refuses JS numbers that an integer dtype cannot hold exactly (no silent wrapping). */
function checkInts(flat: Float32Array | Float64Array, n: number, dtype: DType, op: string): void {
  if (DTYPES[dtype].kind !== "int") return;
  for (let i = 0; i < n; i++) {
    const v = flat[i]!;
    // the common case (a small integer) in one comparison pair, the rest through intProblem
    if (v !== (v | 0) || (dtype === "uint8" && (v < 0 || v > 255))) checkIntValue(v, dtype, op);
  }
}

function flatten(data: unknown, shape: number[], out: Float32Array | Float64Array, op: string): void {
  if (shape.length === 1) {
    // the common case, without the recursion
    const xs = data as unknown[];
    for (let k = 0; k < xs.length; k++) {
      const x = xs[k];
      out[k] = typeof x === "number" ? x : leafValue(x, op);
    }
    return;
  }
  eachLeaf(data, shape, op, (x, i) => {
    out[i] = leafValue(x, op);
  });
}

function numel(shape: number[]): number {
  return shape.reduce((p, q) => p * q, 1);
}

/** `t` converted to `dtype` (disposing `t`), or `t` itself. */
function converted(t: Tensor, dtype: DType): Tensor {
  if (t.dtype === dtype) return t;
  const r = t.astype(dtype);
  t.dispose();
  return r;
}

/** A new tensor copying `flat` (whose dtype is `own`), as `dtype`. */
function fromFlat(flat: TypedArray, own: DType, dtype: DType, shape: number[], op: string): Tensor {
  const nd = writeShape(shape, op);
  checkLength(flat.length, shape, op);
  return converted(copied(flat, own, nd), dtype);
}

/**
 * A tensor from a number, nested arrays of numbers (or booleans), or a TypedArray (+ `shape`).
 *
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const a = cb.tensor([[1, 2], [3, 4]]);                          // float32, shape [2, 2]
 * const b = cb.tensor(new Float64Array(6), { shape: [2, 3] });    // float64, copied
 * const i = cb.tensor([1, 2, 3], { dtype: "int32" });             // int32
 * const m = cb.tensor([true, false]);                             // bool
 * const l = cb.tensor([1n, 2n ** 60n]);                          // int64, exact
 * const buf = new Float32Array([1, 2, 3, 4]);
 * const c = cb.tensor(buf, { shape: [2, 2], copy: false });       // adopts buf, no copy
 * ```
 */
export function tensor(data: NestedInput | ArrayBufferView, options?: TensorOptions): Tensor {
  const op = "tensor";
  checkOptions(options, TENSOR_KEYS, op);
  const opts = options ?? NO_OPTIONS;
  const dtype = opts.dtype === undefined ? undefined : checkDType(opts.dtype, op);
  if (opts.shape !== undefined) shapeArg(opts.shape, op);
  if (ArrayBuffer.isView(data)) return fromTypedArray(data, dtype, opts, op);
  if (boolOption(opts.copy, op, "copy", true) === false) {
    throw new TypeError(`${op}: copy: false needs a TypedArray (a JS array has no buffer to adopt)`);
  }
  const kind = typeof data;
  if (kind !== "number" && kind !== "boolean" && kind !== "bigint" && !Array.isArray(data)) {
    throw new TypeError(
      `${op}: expected a number, nested arrays of numbers or a TypedArray, got ${
        data === null ? "null" : kind
      }`,
    );
  }
  const { shape, leaf } = inferShape(data, op);
  if (opts.shape !== undefined) checkLength(numel(shape), opts.shape, op);
  const outShape = opts.shape ?? shape;
  if (kind === "bigint" || typeof leaf === "bigint") return fromBigInts(data, shape, outShape, dtype, op);
  const d = dtype ?? (typeof leaf === "boolean" ? "bool" : DEFAULT_DTYPE);
  const n = numel(shape);
  const own: DType = d === "float32" ? "float32" : "float64";
  // Small inputs go through a reused scratch buffer (the native side copies it): a fresh
  // TypedArray costs ~0.9 us in Deno, more than the rest of the call.
  const flat = n <= SCRATCH_ELEMS && opts.shape === undefined
    ? (own === "float64" ? SCRATCH_F64 : SCRATCH_F32)
    : new DTYPES[own].array(n);
  sawBigInt = false;
  if (kind === "number" || kind === "boolean") flat[0] = leafValue(data, op);
  else flatten(data, shape, flat, op);
  if (sawBigInt) return fromBigInts(data, shape, outShape, dtype, op);
  checkInts(flat, n, d, op);
  // (not fromFlat: a scratch buffer is longer than the tensor)
  return converted(copied(flat, own, writeShape(outShape, op)), d);
}

function checkLength(len: number, shape: number[], op: string): void {
  if (shape.some((d) => d < 0)) {
    throw new CobaltError("INVALID_ARGUMENT", `${op}: negative dimension in shape [${shape}]`);
  }
  if (numel(shape) !== len) {
    throw new CobaltError(
      "SHAPE_MISMATCH",
      `${op}: ${len} elements cannot take shape [${shape}] (${numel(shape)} elements)`,
    );
  }
}

/** Whether `data` holds `dtype`'s bytes as they are (adoption without conversion). */
function sameBytes(data: ArrayBufferView, own: DType | undefined, dtype: DType): boolean {
  if (own === dtype) return true;
  if (dtype === "bool") return data instanceof Uint8Array; // any non-zero byte reads as true
  if (dtype === "bfloat16") return data instanceof Uint16Array; // raw bfloat16 bits
  if (dtype === "float16") return data instanceof Uint16Array && DTYPES.float16.array === Uint16Array;
  return false;
}

function fromTypedArray(
  data: ArrayBufferView,
  dtype: DType | undefined,
  opts: TensorOptions,
  op: string,
): Tensor {
  if (data instanceof DataView) {
    throw new TypeError(
      `${op}: a DataView has no element type; pass a TypedArray (e.g. a Uint8Array over its buffer)`,
    );
  }
  const own = dtypeOfArray(data);
  const d = dtype ?? own;
  if (d === undefined) {
    throw new CobaltError(
      "DTYPE",
      `${op}: ${data.constructor.name} has no cobalt dtype; pass { dtype: "float32" } (or another) to convert ` +
        supported(),
    );
  }
  const src = data as unknown as ArrayLike<number | bigint>;
  const shape = opts.shape ?? [src.length];
  if (boolOption(opts.copy, op, "copy", true) === false) {
    if (!sameBytes(data, own, d)) {
      throw new CobaltError(
        "DTYPE",
        `${op}: copy: false needs the bytes of a ${d} array, got ${data.constructor.name} ` +
          `(copy it instead, or pick the dtype of its bytes) ${supported()}`,
      );
    }
    const buf = data.buffer as ArrayBuffer & { resizable?: boolean; growable?: boolean };
    if (buf.resizable || buf.growable) {
      throw new TypeError(`${op}: copy: false cannot adopt a resizable buffer`);
    }
    const nd = writeShape(shape, op);
    checkLength(src.length, shape, op);
    const arr = data as TypedArray;
    if (arr.length === 0) return fromFlat(new Float32Array(0), "float32", d, shape, op);
    if (d === "bool") normaliseBool(arr as Uint8Array); // in place: the tensor is this memory
    return adopt(arr, d, nd);
  }
  if (own !== undefined) return fromFlat(data as TypedArray, own, d, shape, op); // native astype if needed
  if (d !== "bool" && sameBytes(data, own, d)) return fromFlat(data as TypedArray, d, d, shape, op); // raw bits
  // other TypedArrays (Int8Array, Uint32Array...: all integers) convert through float64 numbers,
  // and through int64 to an integer dtype, so they wrap like numpy's astype (300 -> 44 for uint8)
  // instead of saturating like a float conversion
  const f = new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) f[i] = Number(src[i]);
  if (DTYPES[d].kind === "int") return converted(fromFlat(f, "float64", "int64", shape, op), d);
  return fromFlat(f, "float64", d, shape, op);
}

/** Checks an options object against `keys` and returns its dtype (or `fallback`). */
function dtypeOpt(
  opts: CreateOptions | undefined,
  op: string,
  fallback: DType = DEFAULT_DTYPE,
  keys: readonly string[] = CREATE_KEYS,
): DType {
  checkOptions(opts, keys, op);
  return opts?.dtype === undefined ? fallback : checkDType(opts.dtype, op);
}

/** Checks a creator's shape argument (first, so `cb.zeros(2, 3)` blames the shape, not the 3). */
function shapeOf(shape: unknown, op: string): number[] {
  return shapeArg(shape, op, `cb.${op}([2, 3])`);
}

function filled(shape: number[], value: number, dtype: DType, op: string): Tensor {
  if (typeof value !== "number") {
    throw new TypeError(`${op}: fill value must be a number, got ${show(value)}`);
  }
  checkIntValue(value, dtype, op);
  const nd = writeShape(shape, op);
  return wrap(sym.cobalt_full(DTYPES[dtype].code, SHAPE, nd, value), dtype);
}

/**
 * A tensor of zeros.
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.zeros([2, 3], { dtype: "float64" });
 * ```
 */
export function zeros(shape: number[], opts?: CreateOptions): Tensor {
  return filled(shapeOf(shape, "zeros"), 0, dtypeOpt(opts, "zeros"), "zeros");
}

/**
 * numpy `empty`: a new tensor of `shape`. cobalt never hands out uninitialised memory, so its
 * elements are zeros (numpy's are whatever the memory held).
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.empty([2, 3]).shape; // [2, 3]
 * ```
 */
export function empty(shape: number[], opts?: CreateOptions): Tensor {
  return filled(shapeOf(shape, "empty"), 0, dtypeOpt(opts, "empty"), "empty");
}

/**
 * A tensor of ones.
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.ones([4], { dtype: "int32" });
 * ```
 */
export function ones(shape: number[], opts?: CreateOptions): Tensor {
  return filled(shapeOf(shape, "ones"), 1, dtypeOpt(opts, "ones"), "ones");
}

/**
 * A tensor filled with `value`.
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.full([2, 2], 7);
 * ```
 */
export function full(shape: number[], value: number, opts?: CreateOptions): Tensor {
  return filled(shapeOf(shape, "full"), value, dtypeOpt(opts, "full"), "full");
}

function like(t: Tensor, op: string): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor`);
  return t;
}

/**
 * Zeros with `t`'s shape (and dtype, unless given).
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const t = cb.ones([2, 3], { dtype: "float64" });
 * cb.zerosLike(t);
 * ```
 */
export function zerosLike(t: Tensor, opts?: CreateOptions): Tensor {
  like(t, "zerosLike");
  return filled(t.shape, 0, dtypeOpt(opts, "zerosLike", t.dtype), "zerosLike");
}

/**
 * Ones with `t`'s shape (and dtype, unless given).
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const t = cb.ones([2, 3], { dtype: "float64" });
 * cb.onesLike(t);
 * ```
 */
export function onesLike(t: Tensor, opts?: CreateOptions): Tensor {
  like(t, "onesLike");
  return filled(t.shape, 1, dtypeOpt(opts, "onesLike", t.dtype), "onesLike");
}

/**
 * `value` with `t`'s shape (and dtype, unless given).
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const t = cb.ones([2, 3], { dtype: "float64" });
 * cb.fullLike(t, 0.5);
 * ```
 */
export function fullLike(t: Tensor, value: number, opts?: CreateOptions): Tensor {
  like(t, "fullLike");
  return filled(t.shape, value, dtypeOpt(opts, "fullLike", t.dtype), "fullLike");
}

/**
 * Evenly spaced values in `[start, stop)`, like `numpy.arange`: `arange(stop)`,
 * `arange(start, stop)` or `arange(start, stop, step)`.
 *
 * The dtype, unless `opts.dtype` gives one: int64 when `start`, `stop` and `step` are all
 * integers (as numpy and torch), else float32. (Breaking change in 0.4: integer arguments gave
 * float32 before; pass `{ dtype: "float32" }` for the old result.)
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.arange(4).toArray();          // [0, 1, 2, 3]
 * cb.arange(4).dtype;              // "int64"
 * cb.arange(1, 2, 0.25).toArray(); // [1, 1.25, 1.5, 1.75] (float32)
 * cb.arange(3, { dtype: "float64" }).dtype; // "float64"
 * ```
 */
export function arange(
  start: number,
  stop?: number | CreateOptions,
  step?: number | CreateOptions,
  opts?: CreateOptions,
): Tensor {
  if (typeof step === "object" && step !== null) [opts, step] = [step, undefined];
  if (typeof stop === "object" && stop !== null) [opts, stop] = [stop, undefined];
  if (stop === undefined) [start, stop] = [0, start];
  step ??= 1;
  for (const v of [start, stop, step]) {
    if (typeof v !== "number") throw new TypeError("arange: start, stop and step must be numbers");
  }
  // integer arguments count in int64, as in numpy and torch (since 0.4; float32 before)
  const ints = Number.isInteger(start) && Number.isInteger(stop) && Number.isInteger(step);
  const dtype = dtypeOpt(opts, "arange", ints ? "int64" : undefined);
  return wrap(sym.cobalt_arange(DTYPES[dtype].code, start, stop, step), dtype);
}

/**
 * `num` evenly spaced values from `start` to `stop` inclusive, like `numpy.linspace`.
 * @param start The first value.
 * @param stop The last value.
 * @param num How many values (default 50).
 * @param opts Options: `dtype` (default "float32").
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.linspace(0, 1, 5).toArray(); // [0, 0.25, 0.5, 0.75, 1]
 * ```
 */
export function linspace(start: number, stop: number, num: number = 50, opts?: CreateOptions): Tensor {
  if (typeof start !== "number" || typeof stop !== "number") {
    throw new TypeError("linspace: start and stop must be numbers");
  }
  intIn(num, "linspace", "num", 0, MAX_DIM);
  const dtype = dtypeOpt(opts, "linspace");
  return wrap(sym.cobalt_linspace(DTYPES[dtype].code, start, stop, num), dtype);
}

/**
 * A 2-D tensor with ones on diagonal `k` and zeros elsewhere, like `numpy.eye`.
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.eye(2).toArray();                 // [[1, 0], [0, 1]]
 * cb.eye(2, 3, { k: 1 }).toArray();    // [[0, 1, 0], [0, 0, 1]]
 * cb.eye(2, { dtype: "int32" });       // the options may follow n
 * ```
 */
export function eye(
  n: number,
  m?: number | null | (CreateOptions & { k?: number }),
  opts?: CreateOptions & { k?: number },
): Tensor {
  if (typeof m === "object" && m !== null) {
    const proto = Object.getPrototypeOf(m);
    if (proto !== Object.prototype && proto !== null) {
      throw new TypeError("eye: m must be a number (the columns) or an options object");
    }
    [opts, m] = [m, undefined];
  }
  const dtype = dtypeOpt(opts, "eye", DEFAULT_DTYPE, EYE_KEYS);
  intIn(n, "eye", "n", 0, MAX_DIM);
  const cols = intIn(m ?? n, "eye", "m", 0, MAX_DIM);
  // a diagonal past either edge selects nothing: clamp, so any integer k works
  const k = Math.min(Math.max(intIn(opts?.k ?? 0, "eye", "k", -MAX_DIM, MAX_DIM), -n - 1), cols + 1);
  const ri = arange(n, { dtype: "int64" }), ci = arange(cols, { dtype: "int64" });
  const r = ri.reshape(n, 1), c = ci.reshape(1, cols);
  const diff = c.sub(r);
  const mask = diff.eq(k);
  const out = mask.astype(dtype);
  for (const t of [ri, ci, r, c, diff, mask]) t.dispose();
  return out;
}

function random(shape: number[], opts: RandomOptions | undefined, normal: boolean, op: string): Tensor {
  shapeOf(shape, op);
  const dtype = dtypeOpt(opts, op, DEFAULT_DTYPE, RANDOM_KEYS);
  const seed = opts?.seed;
  if (seed !== undefined) intIn(seed, op, "seed", 0, MAX_DIM);
  const nd = writeShape(shape, op);
  const flags = (normal ? 1 : 0) | (seed === undefined ? 0 : 2);
  const s = seed ?? 0;
  return wrap(
    sym.cobalt_random(DTYPES[dtype].code, SHAPE, nd, s >>> 0, Math.floor(s / 4294967296) >>> 0, flags),
    dtype,
  );
}

/**
 * Uniform random numbers in [0, 1). With `seed`, the same values in Deno, Bun and on every platform.
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.rand([2, 2], { seed: 42 });
 * ```
 */
export function rand(shape: number[], opts?: RandomOptions): Tensor {
  return random(shape, opts, false, "rand");
}

/**
 * Standard normal random numbers (seedable like `rand`).
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.randn([3], { seed: 1 });
 * ```
 */
export function randn(shape: number[], opts?: RandomOptions): Tensor {
  return random(shape, opts, true, "randn");
}

/**
 * `rand` with `t`'s shape (and dtype if it is a float).
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const t = cb.ones([2, 3], { dtype: "float64" });
 * cb.randLike(t, { seed: 1 });
 * ```
 */
export function randLike(t: Tensor, opts?: RandomOptions): Tensor {
  like(t, "randLike");
  checkOptions(opts, RANDOM_KEYS, "randLike");
  const d = DTYPES[t.dtype].kind === "float" ? t.dtype : DEFAULT_DTYPE;
  return random(t.shape, { dtype: d, ...opts }, false, "randLike");
}

/**
 * `randn` with `t`'s shape (and dtype if it is a float).
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const t = cb.ones([2, 3], { dtype: "float64" });
 * cb.randnLike(t);
 * ```
 */
export function randnLike(t: Tensor, opts?: RandomOptions): Tensor {
  like(t, "randnLike");
  checkOptions(opts, RANDOM_KEYS, "randnLike");
  const d = DTYPES[t.dtype].kind === "float" ? t.dtype : DEFAULT_DTYPE;
  return random(t.shape, { dtype: d, ...opts }, true, "randnLike");
}
