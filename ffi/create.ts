/**
 * Creating tensors: from nested arrays, from TypedArrays (copied or adopted without a copy), filled
 * ones (zeros, ones, full, arange, linspace, eye), seeded random ones, and the *Like variants.
 * @module
 */
import { CobaltError } from "./errors.ts";
import { checkDType, DEFAULT_DTYPE, type DType, dtypeOfArray, DTYPES, type TypedArray } from "./dtype.ts";
import { SHAPE, sym, writeShape } from "./core.ts";
import { adopt, type NestedArray, Tensor, wrap } from "./tensor.ts";

const SCRATCH = new ArrayBuffer(8 * 1024);
const SCRATCH_ELEMS = 1024;
const SCRATCH_F32 = new Float32Array(SCRATCH, 0, SCRATCH_ELEMS);
const SCRATCH_F64 = new Float64Array(SCRATCH);

/** Options of `cb.tensor`. */
export interface TensorOptions {
  /** Element type; default: the TypedArray's own, "bool" for nested booleans, else "float32". */
  dtype?: DType;
  /** Dims for flat data (a TypedArray); default: one dim of its length. */
  shape?: number[];
  /**
   * `false` adopts a TypedArray of the right dtype without copying: the tensor reads (and writes)
   * the JS memory, which stays alive as long as any tensor or view uses it. Default `true`.
   */
  copy?: boolean;
}

/** Options of the filled creators. */
export interface CreateOptions {
  /** Element type, default "float32". */
  dtype?: DType;
}

/** Options of the random creators. */
export interface RandomOptions {
  /** A float dtype, default "float32". */
  dtype?: DType;
  /** A non-negative integer: the same seed gives the same values on every platform and runtime. */
  seed?: number;
}

/** A JS number or boolean of nested data. */
type Leaf = number | boolean;

function inferShape(data: unknown, op: string): { shape: number[]; leaf: unknown } {
  const shape: number[] = [];
  let x = data;
  while (Array.isArray(x)) {
    shape.push(x.length);
    x = x[0];
  }
  if (shape.length > 0 && shape.at(-1)! > 0 && typeof x !== "number" && typeof x !== "boolean") {
    throw new TypeError(`${op}: expected numbers, found ${x === null ? "null" : typeof x}`);
  }
  return { shape, leaf: x };
}

function leafValue(x: unknown, op: string): number {
  if (typeof x === "number") return x;
  if (typeof x === "boolean") return x ? 1 : 0;
  throw new TypeError(`${op}: expected a number, found ${x === null ? "null" : typeof x}`);
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
  let i = 0;
  const walk = (x: unknown, d: number): void => {
    if (d === shape.length) {
      out[i++] = leafValue(x, op);
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
  return converted(wrap(sym.cobalt_from_data(DTYPES[own].code, SHAPE, nd, flat), undefined, own), dtype);
}

/**
 * A tensor from a number, nested arrays of numbers (or booleans), or a TypedArray (+ `shape`).
 *
 * @example
 * ```ts
 * const a = cb.tensor([[1, 2], [3, 4]]);                          // float32, shape [2, 2]
 * const b = cb.tensor(new Float64Array(6), { shape: [2, 3] });    // float64, copied
 * const i = cb.tensor([1, 2, 3], { dtype: "int32" });             // int32
 * const m = cb.tensor([true, false]);                             // bool
 * const buf = new Float32Array([1, 2, 3, 4]);
 * const c = cb.tensor(buf, { shape: [2, 2], copy: false });       // adopts buf, no copy
 * ```
 */
export function tensor(
  data: NestedArray | boolean | boolean[] | ArrayBufferView,
  opts: TensorOptions = {},
): Tensor {
  const op = "tensor";
  if (opts === null || typeof opts !== "object") throw new TypeError(`${op}: options must be an object`);
  const dtype = opts.dtype === undefined ? undefined : checkDType(opts.dtype, op);
  if (ArrayBuffer.isView(data)) return fromTypedArray(data, dtype, opts, op);
  if (opts.copy === false) {
    throw new TypeError(`${op}: copy: false needs a TypedArray (a JS array has no buffer to adopt)`);
  }
  if (typeof data !== "number" && typeof data !== "boolean" && !Array.isArray(data)) {
    throw new TypeError(
      `${op}: expected a number, nested arrays of numbers or a TypedArray, got ${
        data === null ? "null" : typeof data
      }`,
    );
  }
  const { shape, leaf } = inferShape(data, op);
  const d = dtype ?? (typeof leaf === "boolean" ? "bool" : DEFAULT_DTYPE);
  const n = numel(shape);
  const own: DType = d === "float32" ? "float32" : "float64";
  // Small inputs go through a reused scratch buffer (the native side copies it): a fresh
  // TypedArray costs ~0.9 us in Deno, more than the rest of the call.
  const flat = n <= SCRATCH_ELEMS && opts.shape === undefined
    ? (own === "float64" ? SCRATCH_F64 : SCRATCH_F32)
    : new DTYPES[own].array(n);
  if (typeof data === "number" || typeof data === "boolean") flat[0] = leafValue(data, op);
  else flatten(data, shape, flat, op);
  const nd = writeShape(opts.shape ?? shape, op);
  if (opts.shape !== undefined) checkLength(n, opts.shape, op);
  return converted(wrap(sym.cobalt_from_data(DTYPES[own].code, SHAPE, nd, flat), undefined, own), d);
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
  const own = dtypeOfArray(data);
  const d = dtype ?? own;
  if (d === undefined) {
    throw new CobaltError(
      "DTYPE",
      `${op}: ${data.constructor.name} has no cobalt dtype; pass { dtype: "float32" } (or another) to convert`,
    );
  }
  const src = data as unknown as ArrayLike<number | bigint>;
  const shape = opts.shape ?? [src.length];
  if (opts.copy === false) {
    if (!sameBytes(data, own, d)) {
      throw new CobaltError(
        "DTYPE",
        `${op}: copy: false needs the bytes of a ${d} array, got ${data.constructor.name}`,
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
    return adopt(arr, d, nd);
  }
  if (own !== undefined) return fromFlat(data as TypedArray, own, d, shape, op); // native astype if needed
  if (d !== "bool" && sameBytes(data, own, d)) return fromFlat(data as TypedArray, d, d, shape, op); // raw bits
  // other TypedArrays (Int8Array, Uint32Array...) convert through float64 numbers
  const f = new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) f[i] = Number(src[i]);
  return fromFlat(f, "float64", d, shape, op);
}

function dtypeOpt(opts: CreateOptions | undefined, op: string, fallback: DType = DEFAULT_DTYPE): DType {
  if (opts !== undefined && (opts === null || typeof opts !== "object")) {
    throw new TypeError(`${op}: options must be an object like { dtype: "float64" }`);
  }
  return opts?.dtype === undefined ? fallback : checkDType(opts.dtype, op);
}

function filled(shape: number[], value: number, dtype: DType, op: string): Tensor {
  if (typeof value !== "number") throw new TypeError(`${op}: fill value must be a number`);
  const nd = writeShape(shape, op);
  return wrap(sym.cobalt_full(DTYPES[dtype].code, SHAPE, nd, value), undefined, dtype);
}

/**
 * A tensor of zeros.
 * @example `cb.zeros([2, 3], { dtype: "float64" })`
 */
export function zeros(shape: number[], opts?: CreateOptions): Tensor {
  return filled(shape, 0, dtypeOpt(opts, "zeros"), "zeros");
}

/**
 * A tensor of ones.
 * @example `cb.ones([4], { dtype: "int32" })`
 */
export function ones(shape: number[], opts?: CreateOptions): Tensor {
  return filled(shape, 1, dtypeOpt(opts, "ones"), "ones");
}

/**
 * A tensor filled with `value`.
 * @example `cb.full([2, 2], 7)`
 */
export function full(shape: number[], value: number, opts?: CreateOptions): Tensor {
  return filled(shape, value, dtypeOpt(opts, "full"), "full");
}

function like(t: Tensor, op: string): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor`);
  return t;
}

/**
 * Zeros with `t`'s shape (and dtype, unless given).
 * @example `cb.zerosLike(t)`
 */
export function zerosLike(t: Tensor, opts?: CreateOptions): Tensor {
  like(t, "zerosLike");
  return filled(t.shape, 0, dtypeOpt(opts, "zerosLike", t.dtype), "zerosLike");
}

/**
 * Ones with `t`'s shape (and dtype, unless given).
 * @example `cb.onesLike(t)`
 */
export function onesLike(t: Tensor, opts?: CreateOptions): Tensor {
  like(t, "onesLike");
  return filled(t.shape, 1, dtypeOpt(opts, "onesLike", t.dtype), "onesLike");
}

/**
 * `value` with `t`'s shape (and dtype, unless given).
 * @example `cb.fullLike(t, 0.5)`
 */
export function fullLike(t: Tensor, value: number, opts?: CreateOptions): Tensor {
  like(t, "fullLike");
  return filled(t.shape, value, dtypeOpt(opts, "fullLike", t.dtype), "fullLike");
}

/**
 * Evenly spaced values in `[start, stop)`, like `numpy.arange`: `arange(stop)`,
 * `arange(start, stop)` or `arange(start, stop, step)`.
 * @example
 * ```ts
 * cb.arange(4).toArray();          // [0, 1, 2, 3]
 * cb.arange(1, 2, 0.25).toArray(); // [1, 1.25, 1.5, 1.75]
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
  const dtype = dtypeOpt(opts, "arange");
  return wrap(sym.cobalt_arange(DTYPES[dtype].code, start, stop, step), undefined, dtype);
}

/**
 * `num` evenly spaced values from `start` to `stop` inclusive, like `numpy.linspace`.
 * @example
 * ```ts
 * cb.linspace(0, 1, 5).toArray(); // [0, 0.25, 0.5, 0.75, 1]
 * ```
 */
export function linspace(start: number, stop: number, num = 50, opts?: CreateOptions): Tensor {
  if (typeof start !== "number" || typeof stop !== "number" || typeof num !== "number") {
    throw new TypeError("linspace: start, stop and num must be numbers");
  }
  const dtype = dtypeOpt(opts, "linspace");
  return wrap(sym.cobalt_linspace(DTYPES[dtype].code, start, stop, num), undefined, dtype);
}

/**
 * A 2-D tensor with ones on diagonal `k` and zeros elsewhere, like `numpy.eye`.
 * @example
 * ```ts
 * cb.eye(2).toArray();                 // [[1, 0], [0, 1]]
 * cb.eye(2, 3, { k: 1 }).toArray();    // [[0, 1, 0], [0, 0, 1]]
 * ```
 */
export function eye(n: number, m?: number | null, opts?: CreateOptions & { k?: number }): Tensor {
  const dtype = dtypeOpt(opts, "eye");
  const cols = m ?? n;
  const k = opts?.k ?? 0;
  for (const v of [n, cols, k]) {
    if (typeof v !== "number" || !Number.isInteger(v)) {
      throw new TypeError("eye: n, m and k must be integers");
    }
  }
  const ri = arange(n, { dtype: "int64" }), ci = arange(cols, { dtype: "int64" });
  const r = ri.reshape(n, 1), c = ci.reshape(1, cols);
  const diff = c.sub(r);
  const mask = diff.eq(k);
  const out = mask.astype(dtype);
  for (const t of [ri, ci, r, c, diff, mask]) t.dispose();
  return out;
}

function random(shape: number[], opts: RandomOptions | undefined, normal: boolean, op: string): Tensor {
  const dtype = dtypeOpt(opts, op);
  const seed = opts?.seed;
  if (seed !== undefined && (typeof seed !== "number" || !Number.isSafeInteger(seed) || seed < 0)) {
    throw new TypeError(`${op}: seed must be a non-negative integer, got ${String(seed)}`);
  }
  const nd = writeShape(shape, op);
  const flags = (normal ? 1 : 0) | (seed === undefined ? 0 : 2);
  const s = seed ?? 0;
  return wrap(
    sym.cobalt_random(DTYPES[dtype].code, SHAPE, nd, s >>> 0, Math.floor(s / 4294967296) >>> 0, flags),
    undefined,
    dtype,
  );
}

/**
 * Uniform random numbers in [0, 1). With `seed`, the same values in Deno, Bun and on every platform.
 * @example
 * ```ts
 * cb.rand([2, 2], { seed: 42 });
 * ```
 */
export function rand(shape: number[], opts?: RandomOptions): Tensor {
  return random(shape, opts, false, "rand");
}

/**
 * Standard normal random numbers (seedable like `rand`).
 * @example `cb.randn([3], { seed: 1 })`
 */
export function randn(shape: number[], opts?: RandomOptions): Tensor {
  return random(shape, opts, true, "randn");
}

/**
 * `rand` with `t`'s shape (and dtype if it is a float).
 * @example `cb.randLike(t, { seed: 1 })`
 */
export function randLike(t: Tensor, opts?: RandomOptions): Tensor {
  like(t, "randLike");
  const d = DTYPES[t.dtype].kind === "float" ? t.dtype : DEFAULT_DTYPE;
  return random(t.shape, { dtype: d, ...opts }, false, "randLike");
}

/**
 * `randn` with `t`'s shape (and dtype if it is a float).
 * @example `cb.randnLike(t)`
 */
export function randnLike(t: Tensor, opts?: RandomOptions): Tensor {
  like(t, "randnLike");
  const d = DTYPES[t.dtype].kind === "float" ? t.dtype : DEFAULT_DTYPE;
  return random(t.shape, { dtype: d, ...opts }, true, "randnLike");
}
