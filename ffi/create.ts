/**
 * Creating tensors: from nested arrays, from TypedArrays (copied or adopted without a copy), and
 * filled ones (zeros, ones, full, arange).
 * @module
 */
import { lib } from "./load.ts";
import { CobaltError } from "./errors.ts";
import { checkDType, DEFAULT_DTYPE, type DType, dtypeOfArray, DTYPES, type TypedArray } from "./dtype.ts";
import { type NestedArray, SHAPE, Tensor, wrap, writeShape } from "./tensor.ts";

const sym = lib.sym;
const SCRATCH = new ArrayBuffer(8 * 1024);
const SCRATCH_ELEMS = 1024;
const SCRATCH_F32 = new Float32Array(SCRATCH, 0, SCRATCH_ELEMS);
const SCRATCH_F64 = new Float64Array(SCRATCH);

/** Options of `cb.tensor`. */
export interface TensorOptions {
  /** Element type; default: the TypedArray's own, or "float32" for JS arrays. */
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

function inferShape(data: unknown, op: string): number[] {
  const shape: number[] = [];
  let x = data;
  while (Array.isArray(x)) {
    shape.push(x.length);
    x = x[0];
  }
  if (shape.length > 0 && shape.at(-1)! > 0 && typeof x !== "number") {
    throw new TypeError(`${op}: expected numbers, found ${x === null ? "null" : typeof x}`);
  }
  return shape;
}

function flatten(data: unknown, shape: number[], out: TypedArray, op: string): void {
  if (shape.length === 1) {
    // the common case, without the recursion
    const xs = data as unknown[];
    for (let k = 0; k < xs.length; k++) {
      const x = xs[k];
      if (typeof x !== "number") {
        throw new TypeError(`${op}: expected a number, found ${x === null ? "null" : typeof x}`);
      }
      out[k] = x;
    }
    return;
  }
  let i = 0;
  const walk = (x: unknown, d: number): void => {
    if (d === shape.length) {
      if (typeof x !== "number") {
        throw new TypeError(`${op}: expected a number, found ${x === null ? "null" : typeof x}`);
      }
      out[i++] = x;
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

/**
 * A tensor from a number, nested arrays of numbers, or a TypedArray (+ `shape`).
 *
 * @example
 * ```ts
 * const a = cb.tensor([[1, 2], [3, 4]]);                          // float32, shape [2, 2]
 * const b = cb.tensor(new Float64Array(6), { shape: [2, 3] });    // float64, copied
 * const buf = new Float32Array([1, 2, 3, 4]);
 * const c = cb.tensor(buf, { shape: [2, 2], copy: false });       // adopts buf, no copy
 * ```
 */
export function tensor(data: NestedArray | ArrayBufferView, opts: TensorOptions = {}): Tensor {
  const op = "tensor";
  if (opts === null || typeof opts !== "object") throw new TypeError(`${op}: options must be an object`);
  const dtype = opts.dtype === undefined ? undefined : checkDType(opts.dtype, op);
  if (ArrayBuffer.isView(data)) return fromTypedArray(data, dtype, opts, op);
  if (opts.copy === false) {
    throw new TypeError(`${op}: copy: false needs a TypedArray (a JS array has no buffer to adopt)`);
  }
  if (typeof data !== "number" && !Array.isArray(data)) {
    throw new TypeError(
      `${op}: expected a number, nested arrays of numbers or a TypedArray, got ${
        data === null ? "null" : typeof data
      }`,
    );
  }
  const shape = inferShape(data, op);
  const d = dtype ?? DEFAULT_DTYPE;
  const n = numel(shape);
  // Small inputs go through a reused scratch buffer (the native side copies it): a fresh
  // TypedArray costs ~0.9 us in Deno, more than the rest of the call.
  const flat = n <= SCRATCH_ELEMS && opts.shape === undefined
    ? (d === "float64" ? SCRATCH_F64 : SCRATCH_F32)
    : new DTYPES[d].array(n);
  if (typeof data === "number") flat[0] = data;
  else flatten(data, shape, flat, op);
  if (opts.shape !== undefined) return reshaped(flat, d, opts.shape, op);
  const nd = writeShape(shape, op);
  return wrap(sym.cobalt_from_data(DTYPES[d].code, SHAPE, nd, flat), undefined, d);
}

function reshaped(flat: TypedArray, dtype: DType, shape: number[], op: string): Tensor {
  const nd = writeShape(shape, op);
  checkLength(flat.length, shape, op);
  return wrap(sym.cobalt_from_data(DTYPES[dtype].code, SHAPE, nd, flat), undefined, dtype);
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
      `${op}: ${data.constructor.name} has no cobalt dtype yet; pass { dtype: "float32" } to convert`,
    );
  }
  const src = data as unknown as ArrayLike<number>;
  const shape = opts.shape ?? [src.length];
  if (opts.copy === false) {
    if (own !== d) {
      throw new CobaltError("DTYPE", `${op}: copy: false needs a ${d} array, got ${data.constructor.name}`);
    }
    const buf = data.buffer as ArrayBuffer & { resizable?: boolean; growable?: boolean };
    if (buf.resizable || buf.growable) {
      throw new TypeError(`${op}: copy: false cannot adopt a resizable buffer`);
    }
    const nd = writeShape(shape, op);
    checkLength(src.length, shape, op);
    const arr = data as TypedArray;
    if (arr.length === 0) return reshaped(new DTYPES[d].array(0), d, shape, op);
    return wrap(sym.cobalt_from_external(DTYPES[d].code, SHAPE, nd, arr, null, null), arr, d);
  }
  const flat = own === d ? (data as TypedArray) : DTYPES[d].array.from(src);
  return reshaped(flat, d, shape, op);
}

function filled(shape: number[], value: number, opts: CreateOptions | undefined, op: string): Tensor {
  if (opts !== undefined && (opts === null || typeof opts !== "object")) {
    throw new TypeError(`${op}: options must be an object like { dtype: "float64" }`);
  }
  if (typeof value !== "number") throw new TypeError(`${op}: fill value must be a number`);
  const dtype = opts?.dtype === undefined ? DEFAULT_DTYPE : checkDType(opts.dtype, op);
  const nd = writeShape(shape, op);
  return wrap(sym.cobalt_full(DTYPES[dtype].code, SHAPE, nd, value), undefined, dtype);
}

/** A tensor of zeros. @example `cb.zeros([2, 3], { dtype: "float64" })` */
export function zeros(shape: number[], opts?: CreateOptions): Tensor {
  return filled(shape, 0, opts, "zeros");
}

/** A tensor of ones. @example `cb.ones([4])` */
export function ones(shape: number[], opts?: CreateOptions): Tensor {
  return filled(shape, 1, opts, "ones");
}

/** A tensor filled with `value`. @example `cb.full([2, 2], 7)` */
export function full(shape: number[], value: number, opts?: CreateOptions): Tensor {
  return filled(shape, value, opts, "full");
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
  stop?: number,
  step?: number | CreateOptions,
  opts?: CreateOptions,
): Tensor {
  if (typeof step === "object") [opts, step] = [step, undefined];
  if (stop === undefined) [start, stop] = [0, start];
  step ??= 1;
  for (const v of [start, stop, step]) {
    if (typeof v !== "number") throw new TypeError("arange: start, stop and step must be numbers");
  }
  const dtype = opts?.dtype === undefined ? DEFAULT_DTYPE : checkDType(opts.dtype, "arange");
  return wrap(sym.cobalt_arange(DTYPES[dtype].code, start, stop, step), undefined, dtype);
}

export { Tensor };
