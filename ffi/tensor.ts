/**
 * `Tensor`: a JS handle on a native tensor. Its native reference is released exactly once, by
 * whichever comes first: `dispose()` / `using`, the end of a `scope`, or the garbage collector.
 * This file holds the class, its lifetime and its data access, and `wrap`/`adopt`, which make
 * tensors. It imports none of the modules built on it (ops.ts, async.ts, io.ts...): the methods
 * that delegate to those are only declared here (`declare add: ...`, with their docs, so the class
 * type is complete) and are installed on `Tensor.prototype` by `methods.ts`, the module above
 * them all, which mod.ts exports `Tensor` from. The import graph stays acyclic
 * (tests/graph_test.ts checks it).
 * @module
 */
import { lib } from "./load.ts";
import type { Ptr } from "./native.ts";
import { CobaltError } from "./errors.ts";
import { checkDType, type DType, DTYPE_BY_CODE, DTYPES, reader, type TypedArray } from "./dtype.ts";
import { axisIn } from "./ints.ts";
import { setTensorHooks, track } from "./scope.ts";
import {
  adoptedMemory,
  adoptionId,
  check,
  enqueue,
  fail,
  forgetAdoption,
  type Held,
  MAX_NDIM,
  own,
  readI64,
  reapAdoptions,
  registered,
  releaseHandle,
  SHAPE,
  storageOffset,
  storageView,
  sym,
  unregister,
} from "./core.ts";

const TOKEN = Symbol("cobalt.internal");

/** A nested array of numbers, as produced by `toArray()`. */
export type NestedArray = number | NestedArray[];

/** Options of the reductions. */
export interface ReduceOptions {
  /** Keep the reduced axes as dims of size 1 (numpy's keepdims). */
  keepdims?: boolean;
}

/** numpy's `pad` modes (`pad(widths, { mode })`). */
export type PadMode = "constant" | "edge" | "reflect" | "symmetric" | "wrap";
/** Options of `pad`. */
export interface PadOptions {
  /**
   * numpy's modes: "constant" (default, `value`), "edge" (the edge element repeated), "reflect"
   * (mirrored without the edge), "symmetric" (mirrored with the edge), "wrap" (the other side).
   */
  mode?: PadMode | undefined;
  /** The fill of mode "constant" (default 0). */
  value?: number | undefined;
}

/** Options of `quantile` and `median`. */
export interface QuantileOptions {
  /** One axis; omitted or null: the flattened tensor. */
  axis?: number | null | undefined;
  /** Keep the reduced axis as a dim of size 1 (default false). */
  keepdims?: boolean | undefined;
  /** How to interpolate between elements: only numpy's default, "linear". */
  method?: "linear" | undefined;
}
/** Options of `isclose` and `allclose`. */
export interface CloseOptions {
  /** Relative tolerance (default 1e-5, numpy's). */
  rtol?: number | undefined;
  /** Absolute tolerance (default 1e-8, numpy's). */
  atol?: number | undefined;
  /** NaN equals NaN (default false). */
  equalNan?: boolean | undefined;
}
/** Options of `var` and `std`. */
export interface VarOptions extends ReduceOptions {
  /** Delta degrees of freedom: the divisor is `n - ddof` (numpy's default 0). */
  ddof?: number;
}

/** A number or a tensor: the operand of the binary ops. */
export type Operand = Tensor | number;

/** An axis, several axes, or all of them (`undefined`/`null`). */
export type Axes = number | number[] | null | undefined;

/**
 * One entry of `slice()`: an index (drops the dim), `null` (the whole dim), a
 * `[start, stop, step]` triple (any part `null`), or numpy text like `"1:-1:2"`.
 */
export type SliceSpec = number | null | [number | null, (number | null)?, (number | null)?] | string;

/**
 * An n-dimensional array in native memory.
 *
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * using a = cb.tensor([[1, 2], [3, 4]]);
 * console.log(a.add(1).mul(a).sum().item()); // 2*1+3*2+4*3+5*4 = 40
 * ```
 */
export class Tensor {
  #h: Ptr;
  #shape: number[] | undefined;
  #dtype: DType | undefined;
  #data: TypedArray | undefined;
  // The adopted JS memory (copy: false) this tensor reads, if any: found through the native storage
  // (core.ts keeps the buffer alive as long as the storage lives); here to check for detachment.
  #keep: ArrayBufferView | undefined;
  #held: Held | undefined; // set once registered with the FinalizationRegistry (see core.ts)
  #disposedBy: string | undefined;

  static {
    // for scope.ts, which cannot import this class: a brand check (a Proxy of a Tensor is not
    // one), and the disposal by a scope that ended, which a later use reports
    setTensorHooks((x) => typeof x === "object" && x !== null && #h in x, (t) => {
      if (t instanceof Tensor && #h in t && t.#h !== null) t.#disposedBy = "the cb.scope() that created it";
      t.dispose();
    });
  }

  /**
   * Tensors are made by `cb.tensor`, `cb.zeros`... and by ops, not with `new`.
   * @internal
   * @ignore
   */
  constructor(token: symbol, handle: Ptr, keep?: ArrayBufferView, dtype?: DType) {
    if (token !== TOKEN) throw new TypeError("Tensor: use cb.tensor(), cb.zeros()... to create tensors");
    this.#h = handle;
    this.#keep = keep;
    this.#dtype = dtype;
    own(handle);
    enqueue(this);
    track(this);
  }

  /**
   * Hands the handle to the FinalizationRegistry (once, if still alive).
   * @internal
   * @ignore
   */
  register(): void {
    if (this.#h === null || this.#held !== undefined) return;
    this.#held = registered(this, this.#h);
  }

  /**
   * The live native handle, or throws "DISPOSED" (or "DETACHED" for adopted memory the JS engine took back).
   * @internal
   * @ignore
   */
  get handle(): Ptr {
    const h = this.#h;
    if (h === null) disposed(this.#disposedBy);
    const k = this.#keep;
    // A non-resizable buffer's views lose their bytes only when it is detached (transfer(), postMessage).
    if (k !== undefined && k.byteLength === 0) detached();
    return h;
  }

  /**
   * The adopted JS memory this tensor reads, if any.
   * @internal
   * @ignore
   */
  get keep(): ArrayBufferView | undefined {
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
   * import * as cb from "@cobalt-tensor/cobalt";
   * const t = cb.zeros([1024]);
   * t.dispose(); t.dispose(); // the second call does nothing
   * ```
   */
  dispose(): void {
    const h = this.#h;
    if (h === null) return;
    this.#h = null;
    this.#data = undefined;
    if (this.#held !== undefined) unregister(this.#held);
    releaseHandle(h);
    if (this.#keep !== undefined) {
      this.#keep = undefined;
      reapAdoptions();
    }
  }

  /** `using t = cb.zeros([3])` disposes `t` at the end of the block. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  // ---- metadata ---------------------------------------------------------------------------------

  /**
   * The dims, e.g. `[2, 3]`; `[]` for a scalar. A fresh array each time.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.zeros([2, 3]).shape; // [2, 3]
   * ```
   */
  get shape(): number[] {
    return this.#dims().slice();
  }

  /**
   * Strides in elements (0 on broadcast dims, negative on flipped ones).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.zeros([2, 3]).strides; // [3, 1]
   * ```
   */
  get strides(): number[] {
    const nd = sym.cobalt_strides(this.handle, SHAPE, MAX_NDIM);
    if (nd < 0) fail();
    return readI64(nd);
  }

  /**
   * The element type.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1.5]).dtype; // "float32"
   * ```
   */
  get dtype(): DType {
    const h = this.handle;
    if (this.#dtype === undefined) {
      const c = sym.cobalt_dtype(h);
      if (c < 0) fail();
      const d = DTYPE_BY_CODE[c];
      if (d === undefined) {
        throw new CobaltError("UNKNOWN", `dtype: native dtype code ${c} is unknown to this binding`);
      }
      this.#dtype = d;
    }
    return this.#dtype;
  }

  /**
   * Number of dims.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.zeros([2, 3]).ndim; // 2
   * ```
   */
  get ndim(): number {
    return this.#dims().length;
  }

  /**
   * Number of elements.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.zeros([2, 3]).size; // 6
   * ```
   */
  get size(): number {
    const s = this.#dims();
    let n = 1;
    for (let i = 0; i < s.length; i++) n *= s[i]!;
    return n;
  }

  /**
   * Bytes of one element (numpy's `itemsize`).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.zeros([2], { dtype: "float64" }).itemsize; // 8
   * ```
   */
  get itemsize(): number {
    return DTYPES[this.dtype].size;
  }

  /**
   * Bytes of the elements, `size * itemsize` (numpy's `nbytes`; a view counts its own elements).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.zeros([2, 3]).nbytes; // 24
   * ```
   */
  get nbytes(): number {
    return this.size * this.itemsize;
  }

  /**
   * True when the elements are row-major without gaps (views from transpose are not).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.zeros([2, 3]).transpose().isContiguous; // false
   * ```
   */
  get isContiguous(): boolean {
    const c = sym.cobalt_is_contiguous(this.handle);
    if (c < 0) fail();
    return c === 1;
  }

  #dims(): number[] {
    const h = this.handle;
    if (this.#shape === undefined) {
      const nd = sym.cobalt_shape(h, SHAPE, MAX_NDIM);
      if (nd < 0) fail();
      this.#shape = readI64(nd);
    }
    return this.#shape;
  }

  // ---- data -------------------------------------------------------------------------------------

  /**
   * The elements as a TypedArray **view onto native memory** (no copy), row-major: Float32Array,
   * Float64Array, Int32Array, BigInt64Array (int64), Uint8Array (uint8, bool), Float16Array
   * (float16) or Uint16Array (bfloat16 bits). Writes go to the tensor (and to every view sharing
   * its storage). The view keeps the memory alive on its own: it stays valid after `dispose()`
   * and after the tensor is collected, until the view itself is. A non-contiguous tensor (e.g. a
   * transpose) is first made contiguous (one copy).
   *
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * const t = cb.arange(4);
   * const v = t.data;   // Float32Array [0, 1, 2, 3], no copy
   * t.dispose();
   * v[0];               // still 0
   * ```
   */
  get data(): TypedArray {
    const h = this.handle;
    const d = this.#data;
    // A view is length 0 only for an empty tensor, or when WebAssembly memory growth detached it.
    if (d !== undefined && (d.length !== 0 || lib.linear === undefined)) return d;
    const info = DTYPES[this.dtype];
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
        // Adopted memory: view the JS buffer itself (the storage starts at its first byte).
        view = new info.array(keep.buffer as ArrayBuffer, keep.byteOffset + storageOffset(h), n);
      } else {
        const [buffer, off] = storageView(h);
        view = new info.array(buffer, off, n);
        lib.linear?.pin(view, h);
      }
    }
    this.#data = view;
    return view;
  }

  /**
   * A copy of the elements as nested JS arrays (a number for a 0-d tensor). int64 values convert
   * through `Number` (exact up to 2^53); bool gives 0 and 1.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([[1, 2], [3, 4]]).toArray(); // [[1, 2], [3, 4]]
   * ```
   */
  toArray(): NestedArray {
    const flat = this.#flat();
    const shape = this.#dims();
    const read = reader(this.dtype);
    if (shape.length === 0) return read(flat, 0);
    let i = 0;
    const build = (d: number): NestedArray[] => {
      const out = new Array<NestedArray>(shape[d]!);
      for (let k = 0; k < shape[d]!; k++) out[k] = d === shape.length - 1 ? read(flat, i++) : build(d + 1);
      return out;
    };
    return build(0);
  }
  /**
   * `toArray()` under numpy's name.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([[1, 2]]).tolist(); // [[1, 2]]
   * ```
   */
  tolist(): NestedArray {
    return this.toArray();
  }

  /**
   * The nested arrays of `toArray()`, so `JSON.stringify(t)` writes the values (not `{}`).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * JSON.stringify({ w: cb.tensor([1, 2]) }); // '{"w":[1,2]}'
   * ```
   */
  toJSON(): NestedArray {
    return this.toArray();
  }

  /** A copy of the elements in row-major order. */
  #flat(): TypedArray {
    const out = new (DTYPES[this.dtype].array)(this.size);
    if (out.length > 0) check(sym.cobalt_copy_out(this.handle, out));
    return out;
  }

  /**
   * The value of a one-element tensor as a number.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
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
    return reader(this.dtype)(this.#flat(), 0);
  }

  // ---- elementwise ------------------------------------------------------------------------------

  // <generated binary> (npm run gen, from scripts/optable.ts)
  /**
   * Elementwise `this + other` with numpy broadcasting and promotion.
   * @param other a tensor (broadcast against this one) or a number
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 2]).add(1).toArray(); // [2, 3]
   * ```
   */
  declare add: (other: Operand) => Tensor;
  /**
   * Elementwise `this - other`.
   * @param other a tensor (broadcast against this one) or a number
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 2]).sub(cb.tensor([[1], [2]])).toArray(); // [[0, 1], [-1, 0]]
   * ```
   */
  declare sub: (other: Operand) => Tensor;
  /**
   * Elementwise `this * other`.
   * @param other a tensor (broadcast against this one) or a number
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 2]).mul(3).toArray(); // [3, 6]
   * ```
   */
  declare mul: (other: Operand) => Tensor;
  /**
   * Elementwise true division (integers give float64).
   * @param other a tensor (broadcast against this one) or a number
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 2]).div(2).toArray(); // [0.5, 1]
   * ```
   */
  declare div: (other: Operand) => Tensor;
  /**
   * Elementwise `this ** other` (integers to negative integer powers are refused).
   * @param other a tensor (broadcast against this one) or a number
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 2]).pow(2).toArray(); // [1, 4]
   * ```
   */
  declare pow: (other: Operand) => Tensor;
  /**
   * Elementwise maximum (NaN propagates).
   * @param other a tensor (broadcast against this one) or a number
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 5]).maximum(3).toArray(); // [3, 5]
   * ```
   */
  declare maximum: (other: Operand) => Tensor;
  /**
   * Elementwise minimum (NaN propagates).
   * @param other a tensor (broadcast against this one) or a number
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 5]).minimum(3).toArray(); // [1, 3]
   * ```
   */
  declare minimum: (other: Operand) => Tensor;
  /**
   * Remainder with the sign of the divisor (Python's and numpy's `%`).
   * @param other a tensor (broadcast against this one) or a number
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([-7, 7]).mod(3).toArray(); // [2, 1]
   * ```
   */
  declare mod: (other: Operand) => Tensor;
  /**
   * Floor division (Python's `//`; integer division by zero gives 0, like numpy).
   * @param other a tensor (broadcast against this one) or a number
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([-7, 7]).floorDiv(2).toArray(); // [-4, 3]
   * ```
   */
  declare floorDiv: (other: Operand) => Tensor;
  /**
   * Elementwise `==` (a bool tensor).
   * @param other a tensor (broadcast against this one) or a number
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 2]).eq(2).toArray(); // [false, true]
   * ```
   */
  declare eq: (other: Operand) => Tensor;
  /**
   * Elementwise `!=` (a bool tensor).
   * @param other a tensor (broadcast against this one) or a number
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 2]).ne(2).toArray(); // [true, false]
   * ```
   */
  declare ne: (other: Operand) => Tensor;
  /**
   * Elementwise `<` (a bool tensor).
   * @param other a tensor (broadcast against this one) or a number
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 2]).lt(2).toArray(); // [true, false]
   * ```
   */
  declare lt: (other: Operand) => Tensor;
  /**
   * Elementwise `<=` (a bool tensor).
   * @param other a tensor (broadcast against this one) or a number
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 2]).le(1).toArray(); // [true, false]
   * ```
   */
  declare le: (other: Operand) => Tensor;
  /**
   * Elementwise `>` (a bool tensor).
   * @param other a tensor (broadcast against this one) or a number
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 2]).gt(1).toArray(); // [false, true]
   * ```
   */
  declare gt: (other: Operand) => Tensor;
  /**
   * Elementwise `>=` (a bool tensor).
   * @param other a tensor (broadcast against this one) or a number
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 2]).ge(2).toArray(); // [false, true]
   * ```
   */
  declare ge: (other: Operand) => Tensor;
  /**
   * Elementwise logical and of the truth values (a bool tensor).
   * @param other a tensor (broadcast against this one) or a number
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 0]).logicalAnd(1).toArray(); // [true, false]
   * ```
   */
  declare logicalAnd: (other: Operand) => Tensor;
  /**
   * Elementwise logical or (a bool tensor).
   * @param other a tensor (broadcast against this one) or a number
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 0]).logicalOr(0).toArray(); // [true, false]
   * ```
   */
  declare logicalOr: (other: Operand) => Tensor;
  /**
   * Elementwise logical xor (a bool tensor).
   * @param other a tensor (broadcast against this one) or a number
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 0]).logicalXor(1).toArray(); // [false, true]
   * ```
   */
  declare logicalXor: (other: Operand) => Tensor;
  // </generated>
  /**
   * `other - this`, for a number on the left.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 2]).rsub(10); // [9, 8]
   * ```
   */
  declare rsub: (other: number) => Tensor;
  /**
   * `other / this`, for a number on the left.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 2]).rdiv(1); // [1, 0.5]
   * ```
   */
  declare rdiv: (other: number) => Tensor;
  /**
   * Limits values to `[min, max]` (either may be omitted).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([-2, 0.5, 3]).clamp(0, 1).toArray(); // [0, 0.5, 1]
   * ```
   */
  declare clamp: (min?: Operand | null, max?: Operand | null) => Tensor;

  // <generated unary> (npm run gen, from scripts/optable.ts)
  /**
   * Elementwise `-x`.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, -2]).neg().toArray(); // [-1, 2]
   * ```
   */
  declare neg: () => Tensor;
  /**
   * Elementwise `e^x` (integers give floats, as in numpy).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([0]).exp().toArray(); // [1]
   * ```
   */
  declare exp: () => Tensor;
  /**
   * Elementwise natural log.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, Math.E]).log().toArray(); // [0, 1]
   * ```
   */
  declare log: () => Tensor;
  /**
   * Elementwise square root.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([4, 9]).sqrt().toArray(); // [2, 3]
   * ```
   */
  declare sqrt: () => Tensor;
  /**
   * Elementwise absolute value.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([-1, 2]).abs().toArray(); // [1, 2]
   * ```
   */
  declare abs: () => Tensor;
  /**
   * Elementwise tanh.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([0, 100]).tanh().toArray(); // [0, 1]
   * ```
   */
  declare tanh: () => Tensor;
  /**
   * Elementwise logistic sigmoid `1 / (1 + e^-x)`, stable for large |x|.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([0]).sigmoid().toArray(); // [0.5]
   * ```
   */
  declare sigmoid: () => Tensor;
  /**
   * Elementwise `max(x, 0)`.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([-1, 2]).relu().toArray(); // [0, 2]
   * ```
   */
  declare relu: () => Tensor;
  /**
   * Elementwise sign: -1, 0 or 1 (NaN stays NaN).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([-3, 0, 2]).sign().toArray(); // [-1, 0, 1]
   * ```
   */
  declare sign: () => Tensor;
  /**
   * Elementwise `log(1 + x)`, accurate near 0.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1e-10]).log1p().toArray(); // [1e-10]
   * ```
   */
  declare log1p: () => Tensor;
  /**
   * Elementwise `e^x - 1`, accurate near 0.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1e-10]).expm1().toArray(); // [1e-10]
   * ```
   */
  declare expm1: () => Tensor;
  /**
   * Elementwise `1 / sqrt(x)`.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([4]).rsqrt().toArray(); // [0.5]
   * ```
   */
  declare rsqrt: () => Tensor;
  /**
   * Elementwise sine.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([0, Math.PI / 2]).sin().toArray(); // [0, 1]
   * ```
   */
  declare sin: () => Tensor;
  /**
   * Elementwise cosine.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([0, Math.PI]).cos().toArray(); // [1, -1]
   * ```
   */
  declare cos: () => Tensor;
  /**
   * Elementwise tangent.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([0, Math.PI / 4]).tan().toArray(); // [0, 1]
   * ```
   */
  declare tan: () => Tensor;
  /**
   * Elementwise SiLU (swish) `x * sigmoid(x)`.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([0]).silu().toArray(); // [0]
   * ```
   */
  declare silu: () => Tensor;
  /**
   * Elementwise softplus `log(1 + e^x)`, stable for large |x|.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([0]).softplus().toArray(); // [0.6931472]
   * ```
   */
  declare softplus: () => Tensor;
  /**
   * Elementwise floor (integers unchanged).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([-1.5, 1.5]).floor().toArray(); // [-2, 1]
   * ```
   */
  declare floor: () => Tensor;
  /**
   * Elementwise ceiling (integers unchanged).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([-1.5, 1.5]).ceil().toArray(); // [-1, 2]
   * ```
   */
  declare ceil: () => Tensor;
  /**
   * Elementwise rounding, halves to even (numpy's `round`).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([0.5, 1.5, 2.5]).round().toArray(); // [0, 2, 2]
   * ```
   */
  declare round: () => Tensor;
  /**
   * Elementwise NaN test (a bool tensor).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([NaN, 1]).isnan().toArray(); // [true, false]
   * ```
   */
  declare isnan: () => Tensor;
  /**
   * Elementwise finiteness test (a bool tensor).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([Infinity, 1]).isfinite().toArray(); // [false, true]
   * ```
   */
  declare isfinite: () => Tensor;
  /**
   * Elementwise logical not (a bool tensor).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 0]).logicalNot().toArray(); // [false, true]
   * ```
   */
  declare logicalNot: () => Tensor;
  /**
   * Elementwise `x * x` (integers wrap like numpy's).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([-3, 2]).square().toArray(); // [9, 4]
   * ```
   */
  declare square: () => Tensor;
  /**
   * Elementwise base-2 logarithm.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 8]).log2().toArray(); // [0, 3]
   * ```
   */
  declare log2: () => Tensor;
  /**
   * Elementwise base-10 logarithm.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 1000]).log10().toArray(); // [0, 3]
   * ```
   */
  declare log10: () => Tensor;
  /**
   * Elementwise `2^x`.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([0, 10]).exp2().toArray(); // [1, 1024]
   * ```
   */
  declare exp2: () => Tensor;
  /**
   * Elementwise rounding toward zero (integers unchanged).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([-1.7, 1.7]).trunc().toArray(); // [-1, 1]
   * ```
   */
  declare trunc: () => Tensor;
  /**
   * Elementwise error function `2/√π ∫₀ˣ e^(-t²) dt`.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([0, 10]).erf().toArray(); // [0, 1]
   * ```
   */
  declare erf: () => Tensor;
  /**
   * Elementwise inverse sine (NaN outside [-1, 1]).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([0, 1]).asin().toArray(); // [0, 1.5707963267948966]
   * ```
   */
  declare asin: () => Tensor;
  /**
   * Elementwise inverse cosine (NaN outside [-1, 1]).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 0]).acos().toArray(); // [0, 1.5707963267948966]
   * ```
   */
  declare acos: () => Tensor;
  /**
   * Elementwise inverse tangent.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([0, 1]).atan().toArray(); // [0, 0.7853981633974483]
   * ```
   */
  declare atan: () => Tensor;
  /**
   * Elementwise hyperbolic sine.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([0]).sinh().toArray(); // [0]
   * ```
   */
  declare sinh: () => Tensor;
  /**
   * Elementwise hyperbolic cosine.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([0]).cosh().toArray(); // [1]
   * ```
   */
  declare cosh: () => Tensor;
  /**
   * Elementwise `1 / x` (integers give floats, like torch's `reciprocal`).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([2, 4]).reciprocal().toArray(); // [0.5, 0.25]
   * ```
   */
  declare reciprocal: () => Tensor;
  /**
   * Elementwise cube root (negative for negative x).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([8, -27]).cbrt().toArray(); // [2, -3]
   * ```
   */
  declare cbrt: () => Tensor;
  // </generated>
  /**
   * GELU: `x * Φ(x)` with the exact normal CDF (erf), or the tanh approximation with
   * `{ approximate: "tanh" }` (PyTorch's two variants).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1]).gelu().item(); // 0.8413...
   * ```
   */
  declare gelu: (opts?: { approximate?: "none" | "tanh" }) => Tensor;

  // ---- reductions -------------------------------------------------------------------------------

  // <generated reduce> (npm run gen, from scripts/optable.ts)
  /**
   * Sum over all elements, one axis or several (negative axes count from the end). Integers and bools sum to int64.
   * @param axis an axis or a list of axes (negative count from the end); omitted or null: all
   * @param opts `keepdims`: keep reduced axes with size 1 (default false)
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([[1, 2], [3, 4]]).sum().item(); // 10
   * cb.tensor([[1, 2], [3, 4]]).sum(0).toArray(); // [4, 6]
   * cb.tensor([[1, 2], [3, 4]]).sum(-1, { keepdims: true }).toArray(); // [[3], [7]]
   * ```
   */
  declare sum: (axis?: Axes, opts?: ReduceOptions) => Tensor;
  /**
   * Mean over all elements or the given axes (integers give float64).
   * @param axis an axis or a list of axes (negative count from the end); omitted or null: all
   * @param opts `keepdims`: keep reduced axes with size 1 (default false)
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 2, 3, 4]).mean().item(); // 2.5
   * ```
   */
  declare mean: (axis?: Axes, opts?: ReduceOptions) => Tensor;
  /**
   * Maximum over all elements or the given axes (NaN propagates).
   * @param axis an axis or a list of axes (negative count from the end); omitted or null: all
   * @param opts `keepdims`: keep reduced axes with size 1 (default false)
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([[1, 5], [7, 2]]).max(1).toArray(); // [5, 7]
   * ```
   */
  declare max: (axis?: Axes, opts?: ReduceOptions) => Tensor;
  /**
   * Minimum over all elements or the given axes (NaN propagates).
   * @param axis an axis or a list of axes (negative count from the end); omitted or null: all
   * @param opts `keepdims`: keep reduced axes with size 1 (default false)
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([3, 1, 2]).min().item(); // 1
   * ```
   */
  declare min: (axis?: Axes, opts?: ReduceOptions) => Tensor;
  /**
   * Product over all elements or the given axes (integers and bools give int64).
   * @param axis an axis or a list of axes (negative count from the end); omitted or null: all
   * @param opts `keepdims`: keep reduced axes with size 1 (default false)
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([2, 3]).prod().item(); // 6
   * ```
   */
  declare prod: (axis?: Axes, opts?: ReduceOptions) => Tensor;
  /**
   * Index (int64) of the maximum, over the flattened tensor or along one axis; the first wins.
   * @param axis the axis (negative counts from the end); omitted or null: the flattened tensor
   * @param opts `keepdims`: keep reduced axes with size 1 (default false)
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 9, 9]).argmax().item(); // 1
   * ```
   */
  declare argmax: (axis?: number | null, opts?: ReduceOptions) => Tensor;
  /**
   * Index (int64) of the minimum, over the flattened tensor or along one axis; the first wins.
   * @param axis the axis (negative counts from the end); omitted or null: the flattened tensor
   * @param opts `keepdims`: keep reduced axes with size 1 (default false)
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([[3, 1], [0, 2]]).argmin(1).toArray(); // [1, 0]
   * ```
   */
  declare argmin: (axis?: number | null, opts?: ReduceOptions) => Tensor;
  /**
   * True where any element is non-zero (bool).
   * @param axis an axis or a list of axes (negative count from the end); omitted or null: all
   * @param opts `keepdims`: keep reduced axes with size 1 (default false)
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([0, 0, 1]).any().item(); // 1
   * ```
   */
  declare any: (axis?: Axes, opts?: ReduceOptions) => Tensor;
  /**
   * True where every element is non-zero (bool).
   * @param axis an axis or a list of axes (negative count from the end); omitted or null: all
   * @param opts `keepdims`: keep reduced axes with size 1 (default false)
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 0]).all().item(); // 0
   * ```
   */
  declare all: (axis?: Axes, opts?: ReduceOptions) => Tensor;
  /**
   * `log(sum(exp(x)))`, computed without overflow.
   * @param axis an axis or a list of axes (negative count from the end); omitted or null: all
   * @param opts `keepdims`: keep reduced axes with size 1 (default false)
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1000, 1000]).logsumexp().item(); // 1000.6931472
   * ```
   */
  declare logsumexp: (axis?: Axes, opts?: ReduceOptions) => Tensor;
  /**
   * Variance with `ddof` (default 0, like numpy).
   * @param axis an axis or a list of axes (negative count from the end); omitted or null: all
   * @param opts `keepdims` (default false) and `ddof`, delta degrees of freedom (default 0)
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 2, 3, 4]).var(null, { ddof: 1 }).item(); // 1.6666667
   * ```
   */
  declare var: (axis?: Axes, opts?: VarOptions) => Tensor;
  /**
   * Standard deviation with `ddof` (default 0).
   * @param axis an axis or a list of axes (negative count from the end); omitted or null: all
   * @param opts `keepdims` (default false) and `ddof`, delta degrees of freedom (default 0)
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 3]).std().item(); // 1
   * ```
   */
  declare std: (axis?: Axes, opts?: VarOptions) => Tensor;
  // </generated>
  // <generated scan> (npm run gen, from scripts/optable.ts)
  /**
   * Running sum along `axis` (of the flattened tensor without one; integers give int64).
   * @param axis the axis (negative counts from the end); omitted or null: the flattened tensor
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 2, 3]).cumsum().toArray(); // [1, 3, 6]
   * ```
   */
  declare cumsum: (axis?: number | null) => Tensor;
  /**
   * Running product along `axis` (of the flattened tensor without one).
   * @param axis the axis (negative counts from the end); omitted or null: the flattened tensor
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 2, 3]).cumprod().toArray(); // [1, 2, 6]
   * ```
   */
  declare cumprod: (axis?: number | null) => Tensor;
  /**
   * Softmax along `axis`, stable for large inputs.
   * @param axis the axis (negative counts from the end; default -1, the last)
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 1]).softmax().toArray(); // [0.5, 0.5]
   * ```
   */
  declare softmax: (axis?: number) => Tensor;
  /**
   * `log(softmax(x))` along `axis`, computed directly.
   * @param axis the axis (negative counts from the end; default -1, the last)
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([0, 0]).logSoftmax().toArray(); // [-0.6931472, -0.6931472]
   * ```
   */
  declare logSoftmax: (axis?: number) => Tensor;
  // </generated>

  // ---- numpy staples (staples.ts) --------------------------------------------------------------

  /**
   * numpy `nansum`: the sum with NaN counted as 0 (integers: `sum`).
   * @param axis an axis or a list of axes (negative count from the end); omitted or null: all
   * @param opts `keepdims`: keep reduced axes with size 1 (default false)
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, NaN, 2]).nansum().item(); // 3
   * ```
   */
  declare nansum: (axis?: Axes, opts?: ReduceOptions) => Tensor;
  /**
   * numpy `nanmean`: the mean of the non-NaN elements (NaN where there are none; integers give float64).
   * @param axis an axis or a list of axes (negative count from the end); omitted or null: all
   * @param opts `keepdims`: keep reduced axes with size 1 (default false)
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, NaN, 2]).nanmean().item(); // 1.5
   * ```
   */
  declare nanmean: (axis?: Axes, opts?: ReduceOptions) => Tensor;
  /**
   * numpy `nanmax`: the maximum ignoring NaN (NaN where every element is NaN).
   * @param axis an axis or a list of axes (negative count from the end); omitted or null: all
   * @param opts `keepdims`: keep reduced axes with size 1 (default false)
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, NaN, 2]).nanmax().item(); // 2
   * ```
   */
  declare nanmax: (axis?: Axes, opts?: ReduceOptions) => Tensor;
  /**
   * numpy `nanmin`: the minimum ignoring NaN (NaN where every element is NaN).
   * @param axis an axis or a list of axes (negative count from the end); omitted or null: all
   * @param opts `keepdims`: keep reduced axes with size 1 (default false)
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, NaN, 2]).nanmin().item(); // 1
   * ```
   */
  declare nanmin: (axis?: Axes, opts?: ReduceOptions) => Tensor;
  /**
   * numpy `ptp` (peak to peak): `max - min` over all elements or the given axes, in the input's dtype.
   * @param axis an axis or a list of axes (negative count from the end); omitted or null: all
   * @param opts `keepdims`: keep reduced axes with size 1 (default false)
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([[1, 5], [7, 2]]).ptp(1).toArray(); // [4, 5]
   * ```
   */
  declare ptp: (axis?: Axes, opts?: ReduceOptions) => Tensor;
  /**
   * numpy `quantile` with its default "linear" method: `q` in [0, 1], or a list of them (which
   * becomes the result's first dim). Integers give float64; NaN along the axis gives NaN.
   * @param q the quantile, or a list of quantiles
   * @param opts `axis` (default: the flattened tensor), `keepdims` (default false), `method` ("linear")
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 2, 3, 4]).quantile(0.25).item();         // 1.75
   * cb.tensor([[1, 2], [3, 5]]).quantile([0, 1], { axis: 1 }).toArray(); // [[1, 3], [2, 5]]
   * ```
   */
  declare quantile: (q: number | number[], opts?: QuantileOptions) => Tensor;
  /**
   * numpy `median`: the middle value (the mean of the two middle values for an even count).
   * @param opts `axis` (default: the flattened tensor), `keepdims` (default false)
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([3, 1, 4, 1]).median().item(); // 2
   * ```
   */
  declare median: (opts?: Omit<QuantileOptions, "method">) => Tensor;
  /**
   * numpy `count_nonzero`: how many elements are non-zero, over all elements or the given axes (int64).
   * @param axis an axis or a list of axes (negative count from the end); omitted or null: all
   * @param opts `keepdims`: keep reduced axes with size 1 (default false)
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([[0, 1], [2, 3]]).countNonzero(1).toArray(); // [1, 2]
   * ```
   */
  declare countNonzero: (axis?: Axes, opts?: ReduceOptions) => Tensor;
  /**
   * numpy `trace`: the sum of diagonal `offset` of the first two dims (integers give int64).
   * @param offset which diagonal: 0 the main one (default), > 0 above it, < 0 below
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([[1, 2], [3, 4]]).trace().item(); // 5
   * ```
   */
  declare trace: (offset?: number) => Tensor;
  /**
   * numpy `diagonal`: diagonal `offset` of the first two dims, as the last dim (a copy).
   * @param offset which diagonal: 0 the main one (default), > 0 above it, < 0 below
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([[1, 2], [3, 4]]).diagonal(1).toArray(); // [2]
   * ```
   */
  declare diagonal: (offset?: number) => Tensor;
  /**
   * torch `masked_fill`: a new tensor with `value` where the bool `mask` (broadcast to this
   * tensor's shape) is true; the dtype stays this tensor's.
   * @param mask a bool tensor that broadcasts to this shape
   * @param value the number written where the mask is true
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * const x = cb.tensor([1, -2, 3]);
   * x.maskedFill(x.lt(0), 0).toArray(); // [1, 0, 3]
   * ```
   */
  declare maskedFill: (mask: Tensor, value: number) => Tensor;
  /**
   * numpy's name for `clamp`: limits values to `[min, max]` (either may be omitted).
   * @param min the lower bound (null: none)
   * @param max the upper bound (null: none)
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([-2, 0.5, 3]).clip(0, 1).toArray(); // [0, 0.5, 1]
   * ```
   */
  declare clip: (min?: Operand | null, max?: Operand | null) => Tensor;

  /**
   * torch `nonzero` (numpy `argwhere`): the indices of the non-zero elements (NaN and true
   * count), one row each in row-major order: int64 `[n, ndim]`.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([[0, 1], [2, 0]]).nonzero().toArray(); // [[0, 1], [1, 0]]
   * ```
   */
  declare nonzero: () => Tensor;
  /**
   * numpy `a[mask]`: the elements where the bool `mask` (broadcast to this shape) is true, as a
   * new 1-D tensor in row-major order.
   * @param mask a bool tensor that broadcasts to this shape
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * const x = cb.tensor([[1, -2], [-3, 4]]);
   * x.maskedSelect(x.gt(0)).toArray(); // [1, 4]
   * ```
   */
  declare maskedSelect: (mask: Tensor) => Tensor;
  /**
   * numpy `a[mask] = values`, in place: `values` is a number, or a tensor with one element or as
   * many as the mask has true entries (taken in row-major order). Returns this tensor.
   * @param mask a bool tensor that broadcasts to this shape
   * @param values a number or a tensor of 1 or `count` elements
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * const x = cb.tensor([1, -2, -3]);
   * x.maskedAssign(x.lt(0), cb.tensor([20, 30])).toArray(); // [1, 20, 30]
   * ```
   */
  declare maskedAssign: (mask: Tensor, values: Operand) => this;

  /**
   * Layer normalisation over `axes`: `(x - mean) / sqrt(var + eps)` with the biased variance (torch's
   * `layer_norm` without the affine weight and bias: multiply and add those yourself). Integers give
   * float64.
   * @param axes the axis or axes to normalise over (default -1, the last)
   * @param opts `eps` (default 1e-5)
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([[1, 3]]).layerNorm(-1, { eps: 0 }).toArray(); // [[-1, 1]]
   * ```
   */
  declare layerNorm: (axes?: number | number[], opts?: { eps?: number | undefined }) => Tensor;

  // ---- linear algebra ---------------------------------------------------------------------------

  /**
   * Matrix product with numpy's rules: 1-D operands, and leading batch dims that broadcast.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([[1, 2], [3, 4]]).matmul(cb.tensor([[5], [6]])).toArray(); // [[17], [39]]
   * cb.ones([8, 2, 3]).matmul(cb.ones([3, 4])).shape;                      // [8, 2, 4]
   * ```
   */
  declare matmul: (other: Tensor) => Tensor;
  /**
   * numpy `dot`: inner product of vectors, matrix product, or a sum over the last axis of `this` and the second-to-last of `other`.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 2]).dot(cb.tensor([3, 4])).item(); // 11
   * ```
   */
  declare dot: (other: Tensor) => Tensor;
  /**
   * Outer product of the flattened tensors.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 2]).outer(cb.tensor([1, 10])); // [[1, 10], [2, 20]]
   * ```
   */
  declare outer: (other: Tensor) => Tensor;

  // ---- shape ------------------------------------------------------------------------------------

  /**
   * Same elements, another shape (one dim may be -1). A view sharing storage when the tensor is
   * contiguous, else a copy.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.arange(6).reshape(2, 3).shape;    // [2, 3]
   * cb.arange(6).reshape([3, -1]).shape; // [3, 2]
   * ```
   */
  declare reshape: (...shape: number[] | [number[]]) => Tensor;
  /**
   * A 1-D (or partly flattened, dims `start..end`, default 0 and -1) copy-free-when-possible reshape.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.zeros([2, 3, 4]).flatten(1).shape; // [2, 12]
   * ```
   */
  declare flatten: (start?: number, end?: number) => Tensor;
  /**
   * A view with the dims reversed, or permuted by `axes`. Shares storage (no copy).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.zeros([2, 3]).transpose().shape;           // [3, 2]
   * cb.zeros([2, 3, 4]).transpose(1, 0, 2).shape; // [3, 2, 4]
   * ```
   */
  transpose(...axes: number[]): Tensor {
    if (axes.length === 0) return wrap(sym.cobalt_permute(this.handle, null, -1), this.#dtype);
    return this.permute(...axes);
  }

  /**
   * The dims reversed, numpy's `a.T` (a view; a 1-D or 0-d tensor is returned as a view of itself).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.zeros([2, 3, 4]).T.shape; // [4, 3, 2]
   * ```
   */
  get T(): Tensor {
    return this.transpose();
  }

  /**
   * The last two dims swapped, numpy's `a.mT` (a view; batches of matrices stay batches). Needs
   * at least 2 dims (CobaltError "INVALID_ARGUMENT").
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.zeros([5, 2, 3]).mT.shape; // [5, 3, 2]
   * ```
   */
  get mT(): Tensor {
    const n = this.ndim;
    if (n < 2) {
      throw new CobaltError(
        "INVALID_ARGUMENT",
        `mT: needs at least 2 dims, got shape ${fmtShape(this.shape)}`,
      );
    }
    return this.swapaxes(-2, -1);
  }

  /**
   * A view with dims `a` and `b` exchanged (numpy `swapaxes`; negative axes count from the end).
   * @param a an axis
   * @param b another axis (or the same one: a view of the whole tensor)
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.zeros([2, 3, 4]).swapaxes(0, 2).shape; // [4, 3, 2]
   * ```
   */
  swapaxes(a: number, b: number): Tensor {
    const n = this.ndim;
    const i = axisIn(a, n, "swapaxes"), j = axisIn(b, n, "swapaxes");
    const perm = [...Array(n).keys()];
    perm[i] = j;
    perm[j] = i;
    return this.permute(...perm);
  }

  /**
   * A view with the dims `source` moved to the positions `destination`, the others keeping their
   * order (numpy `moveaxis`). Both are an axis or lists of the same length; each list must not
   * repeat an axis.
   * @param source the axis or axes to move
   * @param destination where they go
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.zeros([2, 3, 4]).moveaxis(0, -1).shape;          // [3, 4, 2]
   * cb.zeros([2, 3, 4]).moveaxis([0, 1], [-1, -2]).shape; // [4, 3, 2]
   * ```
   */
  moveaxis(source: number | number[], destination: number | number[]): Tensor {
    const n = this.ndim;
    const list = (x: number | number[], what: string): number[] => {
      if (!Array.isArray(x) && typeof x !== "number") {
        throw new TypeError(`moveaxis: ${what} must be an axis or a list of axes, got ${typeof x}`);
      }
      const axes = (Array.isArray(x) ? x : [x]).map((a) => axisIn(a, n, "moveaxis"));
      if (new Set(axes).size !== axes.length) {
        throw new CobaltError("AXIS", `moveaxis: repeated axis in ${what} ${JSON.stringify(x)}`);
      }
      return axes;
    };
    const src = list(source, "source"), dst = list(destination, "destination");
    if (src.length !== dst.length) {
      throw new CobaltError(
        "INVALID_ARGUMENT",
        `moveaxis: source and destination must have the same number of axes, got ${src.length} and ${dst.length}`,
      );
    }
    // numpy's order: the other axes in order, then each moved axis inserted at its destination
    const perm = [...Array(n).keys()].filter((a) => !src.includes(a));
    dst.map((d, k) => [d, src[k]!] as const).sort((p, q) => p[0] - q[0]).forEach(([d, s]) => {
      perm.splice(d, 0, s);
    });
    return this.permute(...perm);
  }
  /**
   * A view with the dims in the order `axes`.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.zeros([2, 3, 4]).permute(2, 0, 1).shape; // [4, 2, 3]
   * ```
   */
  declare permute: (...axes: number[]) => Tensor;
  /**
   * A view of a sub-range: one entry per leading dim (see `SliceSpec`); negative indices count
   * from the end, steps may be negative. No copy.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * const a = cb.arange(12).reshape(3, 4);
   * a.slice(1).toArray();               // [4, 5, 6, 7]     (an index drops the dim)
   * a.slice(null, [1, 3]).shape;        // [3, 2]
   * a.slice("::-1", "1:").slice(0).toArray(); // [9, 10, 11]
   * ```
   */
  declare slice: (...specs: SliceSpec[]) => Tensor;
  /**
   * A view broadcast to `shape` (numpy `broadcast_to`; -1 keeps a dim).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 2]).expand([3, 2]).shape; // [3, 2]
   * ```
   */
  declare expand: (shape: number[]) => Tensor;
  /**
   * numpy's name for `expand`: a view broadcast to `shape`.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 2]).broadcastTo([3, 2]).shape; // [3, 2]
   * ```
   */
  declare broadcastTo: (shape: number[]) => Tensor;
  /**
   * A view without the dims of size 1 (or only `axis`, which must have size 1).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.zeros([1, 3, 1]).squeeze().shape; // [3]
   * ```
   */
  declare squeeze: (axis?: number | number[]) => Tensor;
  /**
   * A view with a dim of size 1 inserted at `axis`.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.zeros([3]).unsqueeze(0).shape; // [1, 3]
   * ```
   */
  declare unsqueeze: (axis: number) => Tensor;
  /**
   * A view with the order of elements reversed along `axes` (all when omitted).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 2, 3]).flip(); // [3, 2, 1]
   * ```
   */
  declare flip: (axes?: number | number[]) => Tensor;
  /** The tensor in row-major order: itself (shared) when already contiguous, else a copy. */
  contiguous(): Tensor {
    return wrap(sym.cobalt_contiguous(this.handle), this.#dtype);
  }
  /**
   * A copy converted to `dtype` (numpy `astype`: floats to integers truncate toward zero).
   * Shares storage when the dtype is already `dtype`.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1.7, -1.7]).astype("int32").toArray(); // [1, -1]
   * ```
   */
  astype(dtype: DType): Tensor {
    const code = DTYPES[checkDType(dtype, "astype")].code;
    return wrap(sym.cobalt_astype(this.handle, code), dtype);
  }
  /**
   * numpy `tile`: the tensor repeated `reps` times along each dim.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 2]).tile([2]); // [1, 2, 1, 2]
   * ```
   */
  declare tile: (reps: number | number[]) => Tensor;
  /**
   * numpy `repeat`: each element repeated `n` times along `axis` (of the flattened tensor without one).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 2]).repeat(2); // [1, 1, 2, 2]
   * ```
   */
  declare repeat: (n: number, axis?: number) => Tensor;
  /**
   * The lower triangle (elements above diagonal `k`, default 0, zeroed) of the last two dims.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.ones([2, 2]).tril(); // [[1, 0], [1, 1]]
   * ```
   */
  declare tril: (k?: number) => Tensor;
  /**
   * The upper triangle (elements below diagonal `k`, default 0, zeroed).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.ones([2, 2]).triu(); // [[1, 1], [0, 1]]
   * ```
   */
  declare triu: (k?: number) => Tensor;
  /**
   * numpy `pad`: `widths` is one `[before, after]` pair per dim (or one pair, or one number, for all
   * dims), like numpy's `pad_width`. The second argument is the constant fill (default 0), or
   * `{ mode, value }` with numpy's modes "constant", "edge", "reflect", "symmetric", "wrap".
   * @param widths the padding: one number, one pair, or one pair per dim
   * @param options the fill value of mode "constant" (default 0), or `{ mode, value }`
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 2]).pad([[1, 2]]).toArray();                       // [0, 1, 2, 0, 0]
   * cb.tensor([1, 2, 3]).pad([[2, 2]], { mode: "reflect" }).toArray(); // [3, 2, 1, 2, 3, 2, 1]
   * cb.tensor([1, 2, 3]).pad(2, { mode: "wrap" }).toArray();           // [2, 3, 1, 2, 3, 1, 2]
   * ```
   */
  declare pad: (
    widths: number | [number, number] | [number, number][],
    options?: number | PadOptions,
  ) => Tensor;
  /**
   * numpy `split`: `n` equal parts, or parts cut at the given indices, along `axis` (default 0). Views.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.arange(6).split(3).map((t) => t.toArray()); // [[0, 1], [2, 3], [4, 5]]
   * cb.arange(6).split([1, 4]).map((t) => t.size); // [1, 3, 2]
   * ```
   */
  declare split: (sections: number | number[], axis?: number) => Tensor[];
  /**
   * torch `chunk`: `n` parts of `ceil(size / n)` along `axis` (default 0; the last may be smaller).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.arange(5).chunk(2).map((t) => t.size); // [3, 2]
   * ```
   */
  declare chunk: (n: number, axis?: number) => Tensor[];

  // ---- indexing ---------------------------------------------------------------------------------

  /**
   * Elements at integer `indices` along `axis` (numpy `take` with an axis).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([[1, 2], [3, 4]]).indexSelect(0, [1]); // [[3, 4]]
   * ```
   */
  declare indexSelect: (axis: number, indices: Tensor | number[]) => Tensor;
  /**
   * numpy `take`: elements at `indices` of the flattened tensor, or along `axis`.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([5, 6, 7]).take([2, 0]); // [7, 5]
   * ```
   */
  declare take: (indices: Tensor | number[], axis?: number) => Tensor;
  /**
   * torch `gather`: `out[i][j] = this[i][index[i][j]]` for axis 1 (and so on).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([[1, 2], [3, 4]]).gather(1, cb.tensor([[1], [0]], { dtype: "int64" })); // [[2], [3]]
   * ```
   */
  declare gather: (axis: number, index: Tensor) => Tensor;
  /**
   * torch `scatter`, out of place (the dual of {@link Tensor.gather}): a copy of this tensor where,
   * for each position of `index`, `src`'s element at that position goes to the same position with
   * dim `axis` replaced by the index, e.g. `out[index[i][j]][j] = src[i][j]` for axis 0.
   * `index` (integers) has this tensor's ndim, no dim larger than `src`'s, nor than this tensor's
   * except along `axis`; a number `src` fills every indexed position. `src` converts to this
   * tensor's dtype. Duplicate indices: the last one (in index order) wins.
   * @param axis The axis the indices run along (negative counts from the end).
   * @param index Integer positions along `axis`, one per written element.
   * @param src The values written: a tensor at least `index`'s size in every dim, or a number.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * const idx = cb.tensor([[2, 0]], { dtype: "int64" });
   * cb.zeros([2, 3]).scatter(1, idx, cb.tensor([[7, 8]])).toArray(); // [[8, 0, 7], [0, 0, 0]]
   * ```
   */
  declare scatter: (axis: number, index: Tensor, src: Tensor | number) => Tensor;
  /**
   * torch `scatter_add`, out of place: like {@link Tensor.scatter}, but each `src` element is added
   * at its position, so duplicate indices accumulate (a histogram along an axis). Sums compute in
   * the dtype's compute type (float16 and bfloat16 in float32); integers wrap as numpy's do; bool
   * tensors are refused (DTYPE).
   * @param axis The axis the indices run along (negative counts from the end).
   * @param index Integer positions along `axis`, one per added element.
   * @param src The values added: a tensor at least `index`'s size in every dim, or a number.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * const idx = cb.tensor([0, 1, 0, 0], { dtype: "int64" });
   * cb.zeros([3]).scatterAdd(0, idx, cb.tensor([1, 2, 3, 4])).toArray(); // [8, 2, 0]
   * ```
   */
  declare scatterAdd: (axis: number, index: Tensor, src: Tensor | number) => Tensor;
  /**
   * int64 indices that sort along `axis` (default -1; stable; NaN last, or first when descending).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([3, 1, 2]).argsort(); // [1, 2, 0]
   * ```
   */
  declare argsort: (axis?: number, opts?: { descending?: boolean }) => Tensor;
  /**
   * Sorted values along `axis` (default -1) and the indices that sort them.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([3, 1, 2]).sort().values; // [1, 2, 3]
   * ```
   */
  declare sort: (axis?: number, opts?: { descending?: boolean }) => { values: Tensor; indices: Tensor };
  /**
   * The `k` largest (or smallest, `{ largest: false }`) values along `axis` (default -1), sorted,
   * with their indices.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.tensor([1, 5, 3]).topk(2).values; // [5, 3]
   * ```
   */
  declare topk: (
    k: number,
    axis?: number,
    opts?: { largest?: boolean },
  ) => { values: Tensor; indices: Tensor };
  /**
   * Writes `value` (a tensor broadcast to this shape, or a number) into this tensor's elements,
   * in place: the tensor may be a view, e.g. `t.slice(0).assign(1)`. Returns `this`.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * const t = cb.zeros([2, 2]);
   * t.slice(null, 0).assign(7);
   * t.toArray(); // [[7, 0], [7, 0]]
   * ```
   */
  declare assign: (value: Operand) => this;

  /**
   * A contiguous copy in new native memory (never shared with this tensor).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * const t = cb.ones([2]);
   * const c = t.clone();
   * c.assign(0);
   * t.toArray(); // [1, 1]: unchanged
   * ```
   */
  clone(): Tensor {
    return wrap(sym.cobalt_clone(this.handle), this.#dtype);
  }

  /**
   * Self-describing, versioned bytes of this tensor (any dtype); `cb.fromBytes` reads them back.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * const t = cb.arange(6, { dtype: "int32" }).reshape(2, 3);
   * cb.fromBytes(t.toBytes()).toArray(); // [[0, 1, 2], [3, 4, 5]]
   * ```
   */
  declare toBytes: () => Uint8Array;

  /**
   * `{ dtype, shape, data }` plus onnxruntime's `{ type, dims }` (data is a zero-copy view when contiguous).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * const { type, data, dims } = cb.tensor([1, 2]).toObject(); // "float32", Float32Array [1, 2], [2]
   * ```
   */
  declare toObject: () => { dtype: DType; type: string; shape: number[]; dims: number[]; data: TypedArray };

  // ---- off the JS thread --------------------------------------------------------------------------
  // Each *Async method starts the op on the native pool and resolves to its result. The inputs are
  // kept alive until it ends (disposing them meanwhile is safe) and are borrowed: `assign` into
  // them throws "BORROWED" until then. Do not write through a `data` view of an input meanwhile.

  /**
   * `matmul` on the native pool, off the JS thread.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * const a = cb.ones([2, 2]), b = cb.ones([2, 2]);
   * const c = await a.matmulAsync(b);
   * ```
   */
  declare matmulAsync: (other: Tensor) => Promise<Tensor>;
  /**
   * `add` on the native pool (worth it for large tensors; small ones are faster sync).
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * const a = cb.ones([2, 2]), b = cb.ones([2, 2]);
   * const c = await a.addAsync(b);
   * ```
   */
  declare addAsync: (other: Tensor) => Promise<Tensor>;
  /**
   * `sub` on the native pool.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * const a = cb.ones([2, 2]), b = cb.ones([2, 2]);
   * const c = await a.subAsync(b);
   * ```
   */
  declare subAsync: (other: Tensor) => Promise<Tensor>;
  /**
   * `mul` on the native pool.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * const a = cb.ones([2, 2]), b = cb.ones([2, 2]);
   * const c = await a.mulAsync(b);
   * ```
   */
  declare mulAsync: (other: Tensor) => Promise<Tensor>;
  /**
   * `div` on the native pool.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * const a = cb.ones([2, 2]), b = cb.ones([2, 2]);
   * const c = await a.divAsync(b);
   * ```
   */
  declare divAsync: (other: Tensor) => Promise<Tensor>;
  /**
   * `exp` on the native pool.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * const a = cb.ones([2, 2]), b = cb.ones([2, 2]);
   * const e = await a.expAsync();
   * ```
   */
  declare expAsync: () => Promise<Tensor>;
  /**
   * `tanh` on the native pool.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * const a = cb.ones([2, 2]), b = cb.ones([2, 2]);
   * const y = await a.tanhAsync();
   * ```
   */
  declare tanhAsync: () => Promise<Tensor>;
  /**
   * `sum` on the native pool.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * const a = cb.ones([2, 2]), b = cb.ones([2, 2]);
   * const s = await a.sumAsync(0);
   * ```
   */
  declare sumAsync: (axis?: Axes, opts?: ReduceOptions) => Promise<Tensor>;
  /**
   * `mean` on the native pool.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * const a = cb.ones([2, 2]), b = cb.ones([2, 2]);
   * const m = await a.meanAsync();
   * ```
   */
  declare meanAsync: (axis?: Axes, opts?: ReduceOptions) => Promise<Tensor>;
  /**
   * `max` on the native pool.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * const a = cb.ones([2, 2]), b = cb.ones([2, 2]);
   * const m = await a.maxAsync(1);
   * ```
   */
  declare maxAsync: (axis?: Axes, opts?: ReduceOptions) => Promise<Tensor>;
  /**
   * `astype` on the native pool.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * const a = cb.ones([2, 2]), b = cb.ones([2, 2]);
   * const d = await a.astypeAsync("float64");
   * ```
   */
  declare astypeAsync: (dtype: DType) => Promise<Tensor>;
  /**
   * `contiguous` on the native pool.
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * const a = cb.ones([2, 2]), b = cb.ones([2, 2]);
   * const c = await a.transpose().contiguousAsync();
   * ```
   */
  declare contiguousAsync: () => Promise<Tensor>;

  // ---- printing ---------------------------------------------------------------------------------

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

function disposed(by: string | undefined): never {
  throw new CobaltError(
    "DISPOSED",
    by === undefined ? "tensor was used after dispose()" : `tensor was used after ${by} disposed it ` +
      `(return it from the scope's function, or mark it with cb.keep(t), to use it later)`,
  );
}

function detached(): never {
  throw new CobaltError(
    "DETACHED",
    "the ArrayBuffer this tensor adopted (copy: false) was detached (transfer() or a postMessage " +
      "transfer list): its memory belongs to another owner now. Adopt a buffer you keep, or copy it",
  );
}

/**
 * Wraps a fresh native handle (+1) in a Tensor, or throws the native error when it is NULL.
 * Adopted JS memory behind the handle is found from the native storage. `dtype`, when the caller
 * knows it, saves a native call later.
 */
export function wrap(h: Ptr, dtype?: DType): Tensor {
  if (lib.isNull(h)) fail();
  return new Tensor(TOKEN, h, adoptedMemory(h), dtype);
}

/**
 * A contiguous tensor copying `data` (numel * the dtype's size bytes, row-major); the shape is in
 * SHAPE (`nd` dims, from `writeShape`). The one way the bindings make a tensor from JS memory by copy.
 */
export function copied(data: ArrayBufferView, dtype: DType, nd: number): Tensor {
  return wrap(sym.cobalt_from_data(DTYPES[dtype].code, SHAPE, nd, data), dtype);
}

/**
 * A tensor over `arr`'s memory without copying (`copy: false`); the shape is in SHAPE (`nd` dims).
 * The buffer stays referenced until the native storage dies, whoever holds it (see core.ts).
 */
export function adopt(arr: ArrayBufferView, dtype: DType, nd: number): Tensor {
  if (!lib.adopt) {
    throw new CobaltError(
      "INVALID_ARGUMENT",
      "copy: false makes a tensor over JS memory, which the WebAssembly backend cannot do (its tensors " +
        "live in WebAssembly memory): leave copy at its default (true)",
    );
  }
  const id = adoptionId(arr);
  const h = sym.cobalt_adopt(DTYPES[dtype].code, SHAPE, nd, arr, id);
  if (lib.isNull(h)) {
    forgetAdoption(id);
    fail();
  }
  return new Tensor(TOKEN, h, arr, dtype);
}

/** Formats a shape like numpy: `(2, 3)`, `(4,)`. */
export function fmtShape(s: readonly number[]): string {
  return s.length === 1 ? `(${s[0]},)` : `(${s.join(", ")})`;
}

const EDGE = 3; // items shown at each end of a long dim when summarising
const THRESHOLD = 1000; // numpy's print threshold: larger tensors are summarised

function format(t: Tensor): string {
  const shape = t.shape;
  const dtype = t.dtype;
  const flat = new (DTYPES[dtype].array)(t.size);
  if (flat.length) check(sym.cobalt_copy_out(t.handle, flat));
  const read = reader(dtype);
  const kind = DTYPES[dtype].kind;
  const digits = dtype === "float64" ? 0 : dtype === "float32" ? 7 : dtype === "float16" ? 4 : 3;
  const num = (v: number) => {
    if (kind === "bool") return v ? "true" : "false";
    if (kind === "int") return String(v);
    const x = digits ? +v.toPrecision(digits) : v;
    return Number.isInteger(x) && Math.abs(x) < 1e16 ? `${x}.` : String(x);
  };
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, q) => p * q, 1));
  const pad = "tensor(".length;
  const summarise = flat.length > THRESHOLD;
  const rec = (d: number, off: number): string => {
    if (d === shape.length) return num(read(flat, off));
    const n = shape[d]!;
    const idx = summarise && n > 2 * EDGE + 1 ? [0, 1, 2, -1, n - 3, n - 2, n - 1] : [...Array(n).keys()];
    const parts = idx.map((i) => (i < 0 ? "..." : rec(d + 1, off + i * strides[d]!)));
    const sep = d === shape.length - 1 ? ", " : ",\n" + " ".repeat(pad + d + 1);
    return `[${parts.join(sep)}]`;
  };
  return `tensor(${rec(0, 0)}, dtype=${dtype}${summarise ? `, shape=${fmtShape(shape)}` : ""})`;
}
