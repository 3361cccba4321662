/**
 * `Tensor`: a JS handle on a native tensor. Its native reference is released exactly once, by
 * whichever comes first: `dispose()` / `using`, the end of a `scope`, or the garbage collector.
 * @module
 */
import { lib } from "./load.ts";
import type { Ptr } from "./native.ts";
import { CobaltError, codeOf } from "./errors.ts";
import { type DType, DTYPE_BY_CODE, DTYPES, type TypedArray } from "./dtype.ts";
import { track } from "./scope.ts";

const sym = lib.sym;

// ---- scratch buffers: shapes and axes travel through these, no per-call allocation -------------
/** Largest ndim (COBALT_MAX_NDIM). */
export const MAX_NDIM = 32;
const I64 = new Uint32Array(2 * MAX_NDIM); // int64 values as (lo, hi) pairs, little-endian
const I64_BYTES = new Uint8Array(I64.buffer);
/** @internal The shape scratch `writeShape` fills, passed as `const int64_t*`. */
export const SHAPE = I64_BYTES;
const I32 = new Int32Array(MAX_NDIM);
const I32_BYTES = new Uint8Array(I32.buffer);
const ERR = new Uint8Array(1024);
const MEM = new Uint8Array(24);
const decoder = new TextDecoder();

/** Throws the CobaltError for the last native failure on this thread. */
export function fail(): never {
  const status = sym.cobalt_last_status();
  let n = sym.cobalt_last_error(ERR, ERR.length);
  let buf = ERR;
  if (n > ERR.length) {
    buf = new Uint8Array(n + 1);
    n = sym.cobalt_last_error(buf, buf.length);
  }
  throw new CobaltError(codeOf(status), decoder.decode(buf.subarray(0, Math.min(n, buf.length))));
}

/** Throws unless `status` is 0. */
export function check(status: number): void {
  if (status !== 0) fail();
}

/** Validates a shape given by the user and writes it to the int64 scratch; returns ndim. */
export function writeShape(shape: unknown, op: string): number {
  if (!Array.isArray(shape)) throw new TypeError(`${op}: shape must be an array of integers`);
  const n = shape.length;
  if (n > MAX_NDIM) {
    throw new CobaltError("INVALID_ARGUMENT", `${op}: ${n} dimensions is more than ${MAX_NDIM}`);
  }
  for (let i = 0; i < n; i++) {
    const d = shape[i];
    if (typeof d !== "number" || !Number.isSafeInteger(d)) {
      throw new TypeError(`${op}: shape entries must be integers, got ${String(d)} in [${shape}]`);
    }
    I64[2 * i] = d >>> 0;
    I64[2 * i + 1] = Math.floor(d / 4294967296) >>> 0;
  }
  return n;
}

/** Validates axes and writes them to the int32 scratch; returns how many. */
function writeAxes(axes: readonly unknown[], op: string): number {
  if (axes.length > MAX_NDIM) throw new CobaltError("AXIS", `${op}: too many axes`);
  for (let i = 0; i < axes.length; i++) {
    const a = axes[i];
    if (typeof a !== "number" || !Number.isInteger(a)) {
      throw new TypeError(`${op}: axes must be integers, got ${String(a)}`);
    }
    I32[i] = a;
  }
  return axes.length;
}

function readI64(nd: number): number[] {
  const out = new Array<number>(nd);
  for (let i = 0; i < nd; i++) out[i] = I64[2 * i] + I64[2 * i + 1] * 4294967296;
  return out;
}

// ---- lifetime --------------------------------------------------------------------------------
const registry = new FinalizationRegistry<Ptr>((h) => sym.cobalt_release(h));
const TOKEN = Symbol("cobalt.internal");

// NOTE: FinalizationRegistry.register costs ~100 ns in Bun and ~230 ns in Deno (measured), more
// than a small op itself. New tensors wait in `young` until the current job ends (a microtask),
// and only those still alive then are registered. A tensor disposed in the same job (dispose(),
// `using`, scope) never touches the registry. Nothing is freed later than before: registry
// callbacks cannot run before the current job ends either.
let young: Tensor[] = [];
let flushQueued = false;
// A long synchronous loop flushes every YOUNG_MAX tensors so `young` stays small and disposed
// tensors can die young.
const YOUNG_MAX = 256;

function flushYoung(): void {
  flushQueued = false;
  const list = young;
  young = [];
  for (let i = 0; i < list.length; i++) list[i].register();
}

/** Registers every pending tensor with the FinalizationRegistry now (tests and benchmarks). */
export function flushRegistrations(): void {
  flushYoung();
}

/** Binary op codes (`COBALT_ADD`...). */
const BIN = { add: 0, sub: 1, mul: 2, div: 3, pow: 4, maximum: 5, minimum: 6 } as const;
/** Unary op codes. */
const UN = { neg: 0, exp: 1, log: 2, sqrt: 3, abs: 4, tanh: 5, sigmoid: 6, relu: 7 } as const;
/** Reduction op codes. */
const RED = { sum: 0, mean: 1, max: 2, min: 3, prod: 4 } as const;

/** A nested array of numbers, as produced by `toArray()`. */
export type NestedArray = number | NestedArray[];

/** Options of the reductions. */
export interface ReduceOptions {
  /** Keep the reduced axes as dims of size 1 (numpy's keepdims). */
  keepdims?: boolean;
}

/** A number or a tensor: the right operand of the binary ops. */
export type Operand = Tensor | number;

/**
 * An n-dimensional array in native memory.
 *
 * @example
 * ```ts
 * import * as cb from "./mod.ts";
 * using a = cb.tensor([[1, 2], [3, 4]]);
 * console.log(a.add(1).mul(a).sum().item()); // 2*1+3*2+4*3+5*4 = 40
 * ```
 */
export class Tensor {
  #h: Ptr;
  #shape: number[] | undefined;
  #dtype: DType | undefined;
  #data: TypedArray | undefined;
  // The JS memory an adopted tensor (copy: false) and its views read; kept alive with them.
  #keep: TypedArray | undefined;
  #registered = false;

  /** @internal Tensors are made by `cb.tensor`, `cb.zeros`... and by ops, not with `new`. */
  constructor(token: symbol, handle: Ptr, keep?: TypedArray, dtype?: DType) {
    if (token !== TOKEN) throw new TypeError("Tensor: use cb.tensor(), cb.zeros()... to create tensors");
    this.#h = handle;
    this.#keep = keep;
    this.#dtype = dtype;
    if (young.push(this) >= YOUNG_MAX) flushYoung();
    else if (!flushQueued) {
      flushQueued = true;
      queueMicrotask(flushYoung);
    }
    track(this);
  }

  /** @internal Hands the handle to the FinalizationRegistry (once, if still alive). */
  register(): void {
    if (this.#h === null || this.#registered) return;
    this.#registered = true;
    registry.register(this, this.#h, this);
  }

  /** @internal The live native handle, or throws "DISPOSED". */
  get handle(): Ptr {
    const h = this.#h;
    if (h === null) disposed();
    return h;
  }

  /** @internal The adopted JS memory this tensor reads, if any. */
  get keep(): TypedArray | undefined {
    return this.#keep;
  }

  /** True once `dispose()` ran (or a scope disposed the tensor). */
  get disposed(): boolean {
    return this.#h === null;
  }

  /**
   * Releases the native memory now. Idempotent; later use throws CobaltError "DISPOSED".
   * A `data` view taken before stays valid: it holds its own reference.
   *
   * @example
   * ```ts
   * const t = cb.zeros([1024]);
   * t.dispose(); t.dispose(); // the second call does nothing
   * ```
   */
  dispose(): void {
    const h = this.#h;
    if (h === null) return;
    this.#h = null;
    this.#data = undefined;
    this.#keep = undefined;
    if (this.#registered) registry.unregister(this);
    sym.cobalt_release(h);
  }

  /** `using t = cb.zeros([3])` disposes `t` at the end of the block. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /**
   * The dims, e.g. `[2, 3]`; `[]` for a scalar. A fresh array each time.
   * @example
   * ```ts
   * cb.zeros([2, 3]).shape; // [2, 3]
   * ```
   */
  get shape(): number[] {
    if (this.#h === null) disposed();
    if (this.#shape === undefined) {
      const nd = sym.cobalt_shape(this.handle, I64_BYTES, MAX_NDIM);
      if (nd < 0) fail();
      this.#shape = readI64(nd);
    }
    return this.#shape.slice();
  }

  /** Strides in elements (0 on broadcast dims). */
  get strides(): number[] {
    const nd = sym.cobalt_strides(this.handle, I64_BYTES, MAX_NDIM);
    if (nd < 0) fail();
    return readI64(nd).map((s) => (s >= 2 ** 63 ? s - 2 ** 64 : s));
  }

  /**
   * The element type: "float32" or "float64".
   * @example
   * ```ts
   * cb.tensor([1.5]).dtype; // "float32"
   * ```
   */
  get dtype(): DType {
    if (this.#h === null) disposed();
    if (this.#dtype === undefined) {
      const c = sym.cobalt_dtype(this.handle);
      if (c < 0) fail();
      this.#dtype = DTYPE_BY_CODE[c];
    }
    return this.#dtype;
  }

  /** Number of dims. */
  get ndim(): number {
    return this.#dims().length;
  }

  /** Number of elements. */
  get size(): number {
    const s = this.#dims();
    let n = 1;
    for (let i = 0; i < s.length; i++) n *= s[i];
    return n;
  }

  /** True when the elements are row-major without gaps (views from transpose are not). */
  get isContiguous(): boolean {
    const c = sym.cobalt_is_contiguous(this.handle);
    if (c < 0) fail();
    return c === 1;
  }

  #dims(): number[] {
    if (this.#h === null) disposed();
    if (this.#shape === undefined) this.shape;
    return this.#shape!;
  }

  /**
   * The elements as a TypedArray **view onto native memory** (no copy), row-major. Writes go to
   * the tensor (and to every view sharing its storage). The view keeps the memory alive on its own:
   * it stays valid after `dispose()` and after the tensor is collected, until the view itself is.
   * A non-contiguous tensor (e.g. a transpose) is first made contiguous (one copy).
   *
   * @example
   * ```ts
   * const t = cb.arange(4);
   * const v = t.data;   // Float32Array [0, 1, 2, 3], no copy
   * t.dispose();
   * v[0];               // still 0
   * ```
   */
  get data(): TypedArray {
    const h = this.handle;
    if (this.#data !== undefined) return this.#data;
    const dtype = this.dtype;
    const info = DTYPES[dtype];
    const n = this.size;
    let view: TypedArray;
    if (!this.isContiguous) {
      const c = this.contiguous();
      view = c.data;
      c.dispose();
      return view;
    }
    if (n === 0) {
      view = new info.array(0);
    } else {
      const keep = this.#keep;
      if (keep !== undefined) {
        // Adopted memory: view the JS buffer itself, which keeps it alive. The storage starts at
        // `keep`'s first byte.
        if (lib.isNull(sym.cobalt_storage(h, STORAGE_BYTES))) fail();
        const off = STORAGE[2] + STORAGE[3] * 4294967296;
        view = new info.array(keep.buffer as ArrayBuffer, keep.byteOffset + off, n);
      } else {
        const buffer = storageBuffer(h);
        view = new info.array(buffer, STORAGE[2] + STORAGE[3] * 4294967296, n);
      }
    }
    this.#data = view;
    return view;
  }

  /**
   * A copy of the elements as nested JS arrays (a number for a 0-d tensor).
   * @example
   * ```ts
   * cb.tensor([[1, 2], [3, 4]]).toArray(); // [[1, 2], [3, 4]]
   * ```
   */
  toArray(): NestedArray {
    const flat = this.#flat();
    const shape = this.#dims();
    if (shape.length === 0) return flat[0];
    let i = 0;
    const build = (d: number): NestedArray[] => {
      const out = new Array<NestedArray>(shape[d]);
      for (let k = 0; k < shape[d]; k++) out[k] = d === shape.length - 1 ? flat[i++] : build(d + 1);
      return out;
    };
    return build(0);
  }

  /** A copy of the elements in row-major order. */
  #flat(): TypedArray {
    const info = DTYPES[this.dtype];
    const out = new info.array(this.size);
    if (out.length > 0) check(sym.cobalt_copy_out(this.handle, out));
    return out;
  }

  /**
   * The value of a one-element tensor as a number.
   * @example
   * ```ts
   * cb.tensor([1, 2, 3]).sum().item(); // 6
   * ```
   */
  item(): number {
    const n = this.size;
    if (n !== 1) {
      throw new CobaltError(
        "INVALID_ARGUMENT",
        `item: only a tensor of one element converts to a number (shape ${fmtShape(this.#dims())})`,
      );
    }
    return this.#flat()[0];
  }

  // ---- elementwise ----------------------------------------------------------------------------

  /** Elementwise `this + other` with numpy broadcasting. @example `cb.tensor([1, 2]).add(1)` */
  add(other: Operand): Tensor {
    return binary(BIN.add, this, other, false);
  }
  /** Elementwise `this - other`. @example `cb.tensor([1, 2]).sub(cb.tensor([[1], [2]]))` */
  sub(other: Operand): Tensor {
    return binary(BIN.sub, this, other, false);
  }
  /** Elementwise `this * other`. @example `cb.tensor([1, 2]).mul(3)` */
  mul(other: Operand): Tensor {
    return binary(BIN.mul, this, other, false);
  }
  /** Elementwise `this / other` (true division). @example `cb.tensor([1, 2]).div(2)` */
  div(other: Operand): Tensor {
    return binary(BIN.div, this, other, false);
  }
  /** Elementwise `this ** other`. @example `cb.tensor([1, 2]).pow(2)` */
  pow(other: Operand): Tensor {
    return binary(BIN.pow, this, other, false);
  }
  /** Elementwise maximum (NaN propagates). @example `cb.tensor([1, 5]).maximum(3)` */
  maximum(other: Operand): Tensor {
    return binary(BIN.maximum, this, other, false);
  }
  /** Elementwise minimum (NaN propagates). @example `cb.tensor([1, 5]).minimum(3)` */
  minimum(other: Operand): Tensor {
    return binary(BIN.minimum, this, other, false);
  }
  /** `other - this`, for a number on the left. @example `cb.tensor([1, 2]).rsub(10) // [9, 8]` */
  rsub(other: number): Tensor {
    return binary(BIN.sub, this, other, true);
  }
  /** `other / this`, for a number on the left. @example `cb.tensor([1, 2]).rdiv(1) // [1, 0.5]` */
  rdiv(other: number): Tensor {
    return binary(BIN.div, this, other, true);
  }

  /** Elementwise `-x`. @example `cb.tensor([1, -2]).neg()` */
  neg(): Tensor {
    return unary(UN.neg, this);
  }
  /** Elementwise `e^x`. @example `cb.tensor([0, 1]).exp()` */
  exp(): Tensor {
    return unary(UN.exp, this);
  }
  /** Elementwise natural log. @example `cb.tensor([1, Math.E]).log()` */
  log(): Tensor {
    return unary(UN.log, this);
  }
  /** Elementwise square root. @example `cb.tensor([4, 9]).sqrt()` */
  sqrt(): Tensor {
    return unary(UN.sqrt, this);
  }
  /** Elementwise absolute value. @example `cb.tensor([-1, 2]).abs()` */
  abs(): Tensor {
    return unary(UN.abs, this);
  }
  /** Elementwise tanh. @example `cb.tensor([0, 1]).tanh()` */
  tanh(): Tensor {
    return unary(UN.tanh, this);
  }
  /** Elementwise logistic sigmoid `1 / (1 + e^-x)`. @example `cb.tensor([0]).sigmoid() // [0.5]` */
  sigmoid(): Tensor {
    return unary(UN.sigmoid, this);
  }
  /** Elementwise `max(x, 0)`. @example `cb.tensor([-1, 2]).relu() // [0, 2]` */
  relu(): Tensor {
    return unary(UN.relu, this);
  }

  // ---- reductions -----------------------------------------------------------------------------

  /**
   * Sum over all elements, one axis or several (negative axes count from the end).
   * @example
   * ```ts
   * const a = cb.tensor([[1, 2], [3, 4]]);
   * a.sum().item();                    // 10
   * a.sum(0).toArray();                // [4, 6]
   * a.sum(-1, { keepdims: true }).shape; // [2, 1]
   * ```
   */
  sum(axis?: number | number[] | null, opts?: ReduceOptions): Tensor {
    return reduce(RED.sum, "sum", this, axis, opts);
  }
  /** Mean over all elements or the given axes. @example `cb.tensor([1, 2, 3, 4]).mean().item() // 2.5` */
  mean(axis?: number | number[] | null, opts?: ReduceOptions): Tensor {
    return reduce(RED.mean, "mean", this, axis, opts);
  }
  /** Maximum over all elements or the given axes. @example `cb.tensor([[1, 5], [7, 2]]).max(1) // [5, 7]` */
  max(axis?: number | number[] | null, opts?: ReduceOptions): Tensor {
    return reduce(RED.max, "max", this, axis, opts);
  }
  /** Minimum over all elements or the given axes. @example `cb.tensor([3, 1, 2]).min().item() // 1` */
  min(axis?: number | number[] | null, opts?: ReduceOptions): Tensor {
    return reduce(RED.min, "min", this, axis, opts);
  }
  /** Product over all elements or the given axes. @example `cb.tensor([2, 3]).prod().item() // 6` */
  prod(axis?: number | number[] | null, opts?: ReduceOptions): Tensor {
    return reduce(RED.prod, "prod", this, axis, opts);
  }

  // ---- linear algebra and shape ---------------------------------------------------------------

  /**
   * Matrix product of 1-D or 2-D tensors (numpy rules for 1-D operands).
   * @example
   * ```ts
   * cb.tensor([[1, 2], [3, 4]]).matmul(cb.tensor([[5], [6]])).toArray(); // [[17], [39]]
   * ```
   */
  matmul(other: Tensor): Tensor {
    const b = asTensor(other, "matmul");
    return wrap(sym.cobalt_matmul(this.handle, b.handle));
  }

  /**
   * Same elements, another shape (one dim may be -1). A view sharing storage when the tensor is
   * contiguous, else a copy.
   * @example
   * ```ts
   * cb.arange(6).reshape(2, 3).shape; // [2, 3]
   * cb.arange(6).reshape([3, -1]).shape; // [3, 2]
   * ```
   */
  reshape(...shape: number[] | [number[]]): Tensor {
    const s = (Array.isArray(shape[0]) ? shape[0] : shape) as number[];
    const nd = writeShape(s, "reshape");
    return wrap(sym.cobalt_reshape(this.handle, I64_BYTES, nd), this.#keep, this.#dtype);
  }

  /**
   * A view with the dims reversed, or permuted by `axes`. Shares storage (no copy).
   * @example
   * ```ts
   * cb.zeros([2, 3]).transpose().shape;       // [3, 2]
   * cb.zeros([2, 3, 4]).transpose(1, 0, 2).shape; // [3, 2, 4]
   * ```
   */
  transpose(...axes: number[]): Tensor {
    if (axes.length === 0) {
      return wrap(sym.cobalt_permute(this.handle, null, -1), this.#keep, this.#dtype);
    }
    return this.permute(...axes);
  }

  /** A view with the dims in the order `axes`. @example `cb.zeros([2, 3, 4]).permute(2, 0, 1).shape // [4, 2, 3]` */
  permute(...axes: number[]): Tensor {
    const n = writeAxes(axes, "permute");
    return wrap(sym.cobalt_permute(this.handle, I32_BYTES, n), this.#keep, this.#dtype);
  }

  /** The tensor in row-major order: itself (shared) when already contiguous, else a copy. */
  contiguous(): Tensor {
    return wrap(sym.cobalt_contiguous(this.handle), this.#keep, this.#dtype);
  }

  /**
   * A copy converted to `dtype` (shares storage when the dtype is already `dtype`).
   * @example
   * ```ts
   * cb.tensor([1, 2]).astype("float64").dtype; // "float64"
   * ```
   */
  astype(dtype: DType): Tensor {
    const info = DTYPES[dtype];
    if (typeof dtype !== "string" || info === undefined) {
      throw typeof dtype !== "string"
        ? new TypeError(`astype: dtype must be a string`)
        : new CobaltError("DTYPE", `astype: unsupported dtype "${dtype}"`);
    }
    const same = dtype === this.dtype;
    return wrap(sym.cobalt_astype(this.handle, info.code), same ? this.#keep : undefined, dtype);
  }

  /** Readable form, e.g. `tensor([[1, 2], [3, 4]], dtype=float32)`. */
  toString(): string {
    if (this.#h === null) return "tensor(<disposed>)";
    return format(this);
  }

  /** Deno's console.log. */
  [Symbol.for("Deno.customInspect")](): string {
    return this.toString();
  }

  /** Node's and Bun's console.log. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

// One external ArrayBuffer per native storage, shared by the `data` views of every tensor over it.
// NOTE: runtimes count external buffers as memory pressure (V8 and JSC schedule collections by
// it), so mapping a storage once instead of once per view keeps `data` cheap on views. A cached
// buffer holds a reference to its storage, so its address cannot be reused while it is cached.
const storages = new Map<number, WeakRef<ArrayBuffer>>();
const forget = new FinalizationRegistry<number>((addr) => {
  if (storages.get(addr)?.deref() === undefined) storages.delete(addr);
});
// cobalt_storage's out[3] as (lo, hi) pairs: [bytes, offset of the view, base address].
const STORAGE = new Uint32Array(6);
const STORAGE_BYTES = new Uint8Array(STORAGE.buffer);

/** The buffer of the storage behind `h`; fills STORAGE (offset of the view at [2], [3]). */
function storageBuffer(h: Ptr): ArrayBuffer {
  const p = sym.cobalt_storage(h, STORAGE_BYTES);
  if (lib.isNull(p)) fail();
  const base = STORAGE[4] + STORAGE[5] * 4294967296;
  const cached = storages.get(base)?.deref();
  if (cached !== undefined) return cached;
  const buffer = lib.external(p, STORAGE[0] + STORAGE[1] * 4294967296, h);
  storages.set(base, new WeakRef(buffer));
  forget.register(buffer, base);
  return buffer;
}

function disposed(): never {
  throw new CobaltError("DISPOSED", "tensor was used after dispose()");
}

/** Wraps a fresh native handle (+1) in a Tensor, or throws the native error when it is NULL. */
export function wrap(h: Ptr, keep?: TypedArray, dtype?: DType): Tensor {
  if (lib.isNull(h)) fail();
  return new Tensor(TOKEN, h, keep, dtype);
}

function asTensor(x: unknown, op: string): Tensor {
  if (x instanceof Tensor) return x;
  throw new TypeError(`${op}: expected a Tensor, got ${describe(x)}`);
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "an array (wrap it with cb.tensor())";
  if (typeof x === "object") return (x as object).constructor?.name ?? "object";
  return typeof x;
}

function binary(op: number, a: Tensor, b: Operand, scalarFirst: boolean): Tensor {
  if (typeof b === "number") {
    return wrap(sym.cobalt_binary_scalar(op, a.handle, b, scalarFirst ? 1 : 0), undefined, a.dtype);
  }
  if (b instanceof Tensor) return wrap(sym.cobalt_binary(op, a.handle, b.handle));
  throw new TypeError(
    `${Object.keys(BIN)[op]}: expected a Tensor or a number, got ${describe(b)}`,
  );
}

function unary(op: number, a: Tensor): Tensor {
  return wrap(sym.cobalt_unary(op, a.handle));
}

function reduce(
  op: number,
  name: string,
  a: Tensor,
  axis: number | number[] | null | undefined,
  opts: ReduceOptions | undefined,
): Tensor {
  if (opts !== undefined && (opts === null || typeof opts !== "object")) {
    throw new TypeError(`${name}: options must be an object like { keepdims: true }`);
  }
  const keep = opts?.keepdims ? 1 : 0;
  if (axis === undefined || axis === null) return wrap(sym.cobalt_reduce(op, a.handle, null, -1, keep));
  const axes = typeof axis === "number" ? [axis] : axis;
  if (!Array.isArray(axes)) throw new TypeError(`${name}: axis must be a number or an array of numbers`);
  const n = writeAxes(axes, name);
  return wrap(sym.cobalt_reduce(op, a.handle, I32_BYTES, n, keep));
}

/** Formats a shape like numpy: `(2, 3)`, `(4,)`. */
export function fmtShape(s: readonly number[]): string {
  return s.length === 1 ? `(${s[0]},)` : `(${s.join(", ")})`;
}

const EDGE = 3; // items shown at each end of a long dim when summarising
const THRESHOLD = 1000; // numpy's print threshold: larger tensors are summarised

function format(t: Tensor): string {
  const shape = t.shape;
  const flat = new (DTYPES[t.dtype].array)(t.size);
  if (flat.length) check(sym.cobalt_copy_out(t.handle, flat));
  const f32 = t.dtype === "float32";
  const num = (v: number) => {
    const x = f32 ? +v.toPrecision(7) : v;
    return Number.isInteger(x) && Math.abs(x) < 1e16 ? `${x}.` : String(x);
  };
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, q) => p * q, 1));
  const pad = "tensor(".length;
  const summarise = flat.length > THRESHOLD;
  const rec = (d: number, off: number): string => {
    if (d === shape.length) return num(flat[off]);
    const n = shape[d];
    const idx = summarise && n > 2 * EDGE + 1 ? [0, 1, 2, -1, n - 3, n - 2, n - 1] : [...Array(n).keys()];
    const parts = idx.map((i) => (i < 0 ? "..." : rec(d + 1, off + i * strides[d])));
    const sep = d === shape.length - 1 ? ", " : ",\n" + " ".repeat(pad + d + 1);
    return `[${parts.join(sep)}]`;
  };
  return `tensor(${rec(0, 0)}, dtype=${t.dtype}${summarise ? `, shape=${fmtShape(shape)}` : ""})`;
}

// ---- memory ----------------------------------------------------------------------------------

/** Native memory counters. */
export interface MemoryInfo {
  /** Live native tensor handles (views and data views count as the references they hold). */
  tensors: number;
  /** Bytes of storage cobalt allocated and still holds. */
  bytes: number;
  /** Bytes of adopted JS memory (`copy: false`) still used by native tensors. */
  externalBytes: number;
}

/**
 * The native counters of live tensors and bytes.
 * @example
 * ```ts
 * const before = cb.memory().tensors;
 * cb.zeros([10]).dispose();
 * cb.memory().tensors === before; // true
 * ```
 */
export function memory(): MemoryInfo {
  check(sym.cobalt_memory(MEM));
  const v = new BigInt64Array(MEM.buffer);
  return { tensors: Number(v[0]), bytes: Number(v[1]), externalBytes: Number(v[2]) };
}
