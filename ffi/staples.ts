/**
 * numpy staples built from the primitive ops: NaN-ignoring reductions, `ptp`, `quantile`/`median`,
 * `isclose`/`allclose`/`arrayEqual`, `trace`/`diagonal`/`diag`, `meshgrid`, `countNonzero`,
 * `maskedFill`.
 * Each is a short composition; its intermediates live in an internal scope and are freed before it
 * returns.
 * @module
 */
import { CobaltError } from "./errors.ts";
import { DTYPES } from "./dtype.ts";
import { boolOption, checkOptions } from "./options.ts";
import { axisIn, show } from "./ints.ts";
import { scope } from "./scope.ts";
import {
  type Axes,
  type CloseOptions,
  fmtShape,
  type Operand,
  type QuantileOptions,
  type ReduceOptions,
  Tensor,
} from "./tensor.ts";

export type { CloseOptions, QuantileOptions };
import * as ops from "./ops.ts";
import { arange, empty, tensor } from "./create.ts";
import { BINARY_OP, REDUCE_OP, SCAN_OP, UNARY_OP } from "./opcodes.ts";

const isFloat = (t: Tensor) => DTYPES[t.dtype].kind === "float";
const red = (op: number, name: string, t: Tensor, axis: Axes, opts: ReduceOptions | undefined) =>
  ops.reduce(op, name, t, axis, opts);

// ---- NaN-ignoring reductions and ptp ----------------------------------------------------------------

/** numpy `nansum`: the sum with NaN counted as 0 (integers: `sum`). */
export function nansum(a: Tensor, axis: Axes, opts: ReduceOptions | undefined): Tensor {
  ops.asTensor(a, "nansum");
  if (!isFloat(a)) return red(REDUCE_OP.sum, "nansum", a, axis, opts);
  return scope(() => red(REDUCE_OP.sum, "nansum", ops.where(ops.unary(UNARY_OP.isnan, a), 0, a), axis, opts));
}

/** numpy `nanmean`: the mean of the non-NaN elements (NaN where there are none; integers: `mean`). */
export function nanmean(a: Tensor, axis: Axes, opts: ReduceOptions | undefined): Tensor {
  ops.asTensor(a, "nanmean");
  if (!isFloat(a)) return red(REDUCE_OP.mean, "nanmean", a, axis, opts);
  return scope(() => {
    const nan = ops.unary(UNARY_OP.isnan, a);
    const sum = red(REDUCE_OP.sum, "nanmean", ops.where(nan, 0, a), axis, opts);
    const count = red(REDUCE_OP.sum, "nanmean", ops.unary(UNARY_OP.logicalNot, nan), axis, opts);
    return ops.binary(BINARY_OP.div, sum, count.astype(a.dtype), false);
  });
}

function nanExtreme(a: Tensor, axis: Axes, opts: ReduceOptions | undefined, max: boolean): Tensor {
  const name = max ? "nanmax" : "nanmin";
  ops.asTensor(a, name);
  const op = max ? REDUCE_OP.max : REDUCE_OP.min;
  if (!isFloat(a)) return red(op, name, a, axis, opts);
  return scope(() => {
    const nan = ops.unary(UNARY_OP.isnan, a);
    const r = red(op, name, ops.where(nan, max ? -Infinity : Infinity, a), axis, opts);
    return ops.where(red(REDUCE_OP.all, name, nan, axis, opts), NaN, r); // all NaN: NaN
  });
}

/** numpy `nanmax`: the maximum ignoring NaN (NaN where every element is NaN). */
export function nanmax(a: Tensor, axis: Axes, opts: ReduceOptions | undefined): Tensor {
  return nanExtreme(a, axis, opts, true);
}

/** numpy `nanmin`: the minimum ignoring NaN (NaN where every element is NaN). */
export function nanmin(a: Tensor, axis: Axes, opts: ReduceOptions | undefined): Tensor {
  return nanExtreme(a, axis, opts, false);
}

/** numpy `ptp`: `max - min` (peak to peak), in the input's dtype. */
export function ptp(a: Tensor, axis: Axes, opts: ReduceOptions | undefined): Tensor {
  ops.asTensor(a, "ptp");
  if (a.dtype === "bool") {
    throw new CobaltError("DTYPE", "ptp: not supported for bool tensors (numpy refuses it too)");
  }
  return scope(() =>
    ops.binary(
      BINARY_OP.sub,
      red(REDUCE_OP.max, "ptp", a, axis, opts),
      red(REDUCE_OP.min, "ptp", a, axis, opts),
      false,
    )
  );
}

// ---- quantiles --------------------------------------------------------------------------------------

const QUANTILE_KEYS = ["axis", "keepdims", "method"] as const;

/**
 * numpy `quantile(a, q, axis, method="linear")`: `q` in [0, 1], a number or a list (its values
 * become the result's first dim). Integers give float64; NaN anywhere along the axis gives NaN.
 */
export function quantile(
  a: Tensor,
  q: number | number[],
  opts?: QuantileOptions,
  name: string = "quantile",
): Tensor {
  ops.asTensor(a, name);
  checkOptions(opts, QUANTILE_KEYS, name);
  if (opts?.method !== undefined && opts.method !== "linear") {
    throw new CobaltError(
      "INVALID_ARGUMENT",
      `${name}: method ${show(opts.method)} is not supported (only "linear")`,
    );
  }
  const keepdims = boolOption(opts?.keepdims, name, "keepdims");
  const qs = Array.isArray(q) ? q : [q];
  for (const v of qs) {
    if (typeof v !== "number") {
      throw new TypeError(`${name}: q must be a number or a list of numbers, got ${show(v)}`);
    }
    if (!(v >= 0 && v <= 1)) {
      throw new CobaltError("INVALID_ARGUMENT", `${name}: q must be in [0, 1], got ${v}`);
    }
  }
  if (a.dtype === "bool") throw new CobaltError("DTYPE", `${name}: not supported for bool tensors`);
  return scope(() => {
    const flat = opts?.axis === undefined || opts.axis === null;
    const x0 = flat ? a.reshape(-1) : a;
    const nd = x0.ndim;
    if (nd === 0) throw new CobaltError("AXIS", `${name}: a 0-d tensor has no axis`);
    const ax = flat ? 0 : axisIn(opts!.axis, nd, name);
    const n = x0.shape[ax]!;
    if (n === 0) {
      throw new CobaltError("INVALID_ARGUMENT", `${name}: the axis is empty (shape ${fmtShape(a.shape)})`);
    }
    const x = isFloat(x0) ? x0 : x0.astype("float64");
    const sorted = ops.sort(x, ax).values;
    const anyNan = red(REDUCE_OP.any, name, ops.unary(UNARY_OP.isnan, x), ax, { keepdims: true });
    const outs = qs.map((v) => {
      const p = v * (n - 1), lo = Math.floor(p), hi = Math.ceil(p), t = p - lo;
      const a0 = ops.take(sorted, [lo], ax), a1 = ops.take(sorted, [hi], ax);
      // numpy's _lerp: a + (b - a) t, or b - (b - a)(1 - t) from the upper side (exact at t = 1)
      const d = ops.binary(BINARY_OP.sub, a1, a0, false);
      const r = t < 0.5
        ? ops.binary(BINARY_OP.add, a0, ops.binary(BINARY_OP.mul, d, t, false), false)
        : ops.binary(BINARY_OP.sub, a1, ops.binary(BINARY_OP.mul, d, 1 - t, false), false);
      const withNan = ops.where(anyNan, NaN, ops.where(ops.binary(BINARY_OP.eq, d, 0, false), a0, r));
      return keepdims && !flat ? withNan : withNan.squeeze(ax);
    });
    const one = flat && keepdims ? outs.map((o) => o.reshape(...a.shape.map(() => 1))) : outs;
    return Array.isArray(q) ? ops.stack(one, 0) : one[0]!;
  });
}

/** numpy `median`: `quantile(0.5)`. */
export function median(a: Tensor, opts?: Omit<QuantileOptions, "method">): Tensor {
  return quantile(a, 0.5, opts, "median");
}

// ---- comparisons ------------------------------------------------------------------------------------

const CLOSE_KEYS = ["rtol", "atol", "equalNan"] as const;

function tolerance(v: unknown, fallback: number, name: string, what: string): number {
  if (v === undefined) return fallback;
  if (typeof v !== "number" || !(v >= 0)) {
    throw new TypeError(`${name}: ${what} must be a number >= 0, got ${show(v)}`);
  }
  return v;
}

/**
 * numpy `isclose`: `|a - b| <= atol + rtol * |b|` elementwise (bool), with broadcasting; infinities
 * are close only to themselves; NaN is close to nothing unless `equalNan`.
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.isclose(cb.tensor([1, 1.1, NaN]), cb.tensor([1.000001, 1, NaN])).toArray(); // [true, false, false]
 * cb.isclose(cb.tensor([NaN]), NaN, { equalNan: true }).toArray();                 // [true]
 * ```
 */
export function isclose(a: Tensor, b: Operand, opts?: CloseOptions): Tensor {
  return closeMask(a, b, opts, "isclose");
}

function closeMask(a: Tensor, b: Operand, opts: CloseOptions | undefined, name: string): Tensor {
  ops.asTensor(a, name);
  checkOptions(opts, CLOSE_KEYS, name);
  const rtol = tolerance(opts?.rtol, 1e-5, name, "rtol"), atol = tolerance(opts?.atol, 1e-8, name, "atol");
  const equalNan = boolOption(opts?.equalNan, name, "equalNan");
  if (!(b instanceof Tensor) && typeof b !== "number") {
    throw new TypeError(`${name}: expected a Tensor or a number, got ${show(b)}`);
  }
  return scope(() => {
    // compare in float64, as numpy does for mixed or integer inputs (never an integer wrap)
    const x = a.astype("float64");
    const y = b instanceof Tensor ? b.astype("float64") : b;
    const diff = ops.unary(UNARY_OP.abs, ops.binary(BINARY_OP.sub, x, y, false));
    const absY = y instanceof Tensor ? ops.unary(UNARY_OP.abs, y) : Math.abs(y);
    const bound = absY instanceof Tensor
      ? ops.binary(BINARY_OP.add, ops.binary(BINARY_OP.mul, absY, rtol, false), atol, false)
      : atol + rtol * absY;
    // the formula only between finite numbers (an infinite b would make every a close to it)
    let close = ops.binary(BINARY_OP.le, diff, bound, false);
    const finite = y instanceof Tensor ? ops.unary(UNARY_OP.isfinite, y) : Number.isFinite(y) ? 1 : 0;
    close = ops.binary(BINARY_OP.logicalAnd, close, finite, false);
    const same = ops.binary(BINARY_OP.eq, x, y, false); // equal infinities (diff is NaN)
    close = ops.binary(BINARY_OP.logicalOr, close, same, false);
    if (equalNan) {
      const nx = ops.unary(UNARY_OP.isnan, x);
      const ny = y instanceof Tensor ? ops.unary(UNARY_OP.isnan, y) : Number.isNaN(y) ? 1 : 0;
      const both = ops.binary(BINARY_OP.logicalAnd, nx, ny, false);
      close = ops.binary(BINARY_OP.logicalOr, close, both, false);
    }
    return close;
  });
}

/**
 * numpy `allclose`: every element `isclose` (a JS boolean).
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.allclose(cb.tensor([1, 2]), cb.tensor([1, 2.0000001])); // true
 * ```
 */
export function allclose(a: Tensor, b: Operand, opts?: CloseOptions): boolean {
  return scope(() => closeMask(a, b, opts, "allclose").all().item() === 1);
}

/**
 * numpy `array_equal`: the same shape and equal elements (NaN unequal unless `equalNan`).
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.arrayEqual(cb.tensor([1, 2]), cb.tensor([1, 2]));    // true
 * cb.arrayEqual(cb.tensor([1, 2]), cb.tensor([[1, 2]]));  // false: another shape
 * ```
 */
export function arrayEqual(a: Tensor, b: Tensor, opts?: { equalNan?: boolean | undefined }): boolean {
  ops.asTensor(a, "arrayEqual");
  ops.asTensor(b, "arrayEqual");
  checkOptions(opts, ["equalNan"], "arrayEqual");
  const equalNan = boolOption(opts?.equalNan, "arrayEqual", "equalNan");
  const sa = a.shape, sb = b.shape;
  if (sa.length !== sb.length || sa.some((d, i) => d !== sb[i])) return false;
  return scope(() => {
    let eq = ops.binary(BINARY_OP.eq, a, b, false);
    if (equalNan) {
      const both = ops.binary(
        BINARY_OP.logicalAnd,
        ops.unary(UNARY_OP.isnan, a),
        ops.unary(UNARY_OP.isnan, b),
        false,
      );
      eq = ops.binary(BINARY_OP.logicalOr, eq, both, false);
    }
    return eq.all().item() === 1;
  });
}

// ---- matrices and masks -----------------------------------------------------------------------------

/**
 * numpy `trace(a, offset)`: the sum of the diagonal `offset` of the first two dims (later dims
 * stay: a batch of traces needs `a.moveaxis` first, as in numpy). Integers sum to int64.
 */
export function trace(a: Tensor, offset: number = 0): Tensor {
  ops.asTensor(a, "trace");
  if (!Number.isSafeInteger(offset)) {
    throw new TypeError(`trace: offset must be an integer, got ${show(offset)}`);
  }
  if (a.ndim < 2) {
    throw new CobaltError("INVALID_ARGUMENT", `trace: needs at least 2 dims, got shape ${fmtShape(a.shape)}`);
  }
  return scope(() => red(REDUCE_OP.sum, "trace", diagonal(a, offset), -1, undefined));
}

/**
 * The diagonal `offset` of the first two dims as the last dim (numpy `diagonal`), a copy: shape
 * `a.shape[2:] + [k]`.
 */
export function diagonal(a: Tensor, offset: number = 0): Tensor {
  ops.asTensor(a, "diagonal");
  if (!Number.isSafeInteger(offset)) {
    throw new TypeError(`diagonal: offset must be an integer, got ${show(offset)}`);
  }
  if (a.ndim < 2) {
    throw new CobaltError(
      "INVALID_ARGUMENT",
      `diagonal: needs at least 2 dims, got shape ${fmtShape(a.shape)}`,
    );
  }
  const [n, m] = a.shape as [number, number];
  const k = Math.max(0, offset >= 0 ? Math.min(n, m - offset) : Math.min(n + offset, m));
  return scope(() => {
    const moved = a.moveaxis([0, 1], [-2, -1]); // [..., n, m]
    const flat = moved.reshape(...moved.shape.slice(0, -2), n * m);
    const start = offset >= 0 ? offset : -offset * m;
    const idx: number[] = [];
    for (let i = 0; i < k; i++) idx.push(start + i * (m + 1));
    return ops.take(flat, idx, -1);
  });
}

/** numpy `count_nonzero(a, axis)`: how many elements are non-zero (int64). */
export function countNonzero(a: Tensor, axis: Axes, opts: ReduceOptions | undefined): Tensor {
  ops.asTensor(a, "countNonzero");
  return scope(() => red(REDUCE_OP.sum, "countNonzero", ops.binary(BINARY_OP.ne, a, 0, false), axis, opts));
}

/**
 * torch `masked_fill`: a new tensor with `value` where `mask` (broadcast to `a`'s shape) is true,
 * `a` elsewhere; the result keeps `a`'s dtype (a value it cannot hold is refused).
 */
export function maskedFill(a: Tensor, mask: Tensor, value: number): Tensor {
  ops.asTensor(a, "maskedFill");
  ops.asTensor(mask, "maskedFill");
  if (mask.dtype !== "bool") {
    throw new CobaltError("DTYPE", `maskedFill: the mask must be bool, got ${mask.dtype}`);
  }
  if (typeof value !== "number") {
    throw new TypeError(`maskedFill: value must be a number, got ${show(value)}`);
  }
  return scope(() => {
    const shape = a.shape;
    const m = mask.expand(shape); // the mask broadcasts to a, not the other way
    return ops.where(m, ops.scalar(value, a.dtype, "maskedFill"), a);
  });
}

/**
 * numpy `diag(v, k)`: a 1-D `v` gives a square matrix with `v` on diagonal `k` (zeros elsewhere);
 * a 2-D `v` gives its diagonal `k` as a 1-D copy.
 * @param v a 1-D or 2-D tensor
 * @param k which diagonal: 0 the main one (default), > 0 above it, < 0 below
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.diag(cb.tensor([1, 2])).toArray();               // [[1, 0], [0, 2]]
 * cb.diag(cb.tensor([[1, 2], [3, 4]]), 1).toArray();  // [2]
 * ```
 */
export function diag(v: Tensor, k: number = 0): Tensor {
  ops.asTensor(v, "diag");
  if (!Number.isSafeInteger(k)) throw new TypeError(`diag: k must be an integer, got ${show(k)}`);
  if (v.ndim === 2) return diagonal(v, k);
  if (v.ndim !== 1) {
    throw new CobaltError(
      "INVALID_ARGUMENT",
      `diag: takes a 1-D or 2-D tensor, got shape ${fmtShape(v.shape)}`,
    );
  }
  const len = v.shape[0]!, n = len + Math.abs(k);
  return scope(() => {
    const r = ops.reshape(arangeI64(n), [n, 1]), c = ops.reshape(arangeI64(n), [1, n]);
    const onDiag = ops.binary(BINARY_OP.eq, ops.binary(BINARY_OP.sub, c, r, false), k, false);
    // element (i, j) of the diagonal holds v[i] (k >= 0) or v[j] (k < 0): pad v to n, broadcast it
    const padded = ops.pad(v, [[0, n - len]], 0);
    const vals = ops.reshape(padded, k >= 0 ? [n, 1] : [1, n]);
    return ops.where(onDiag, vals, ops.scalar(0, v.dtype, "diag"));
  });
}

function arangeI64(n: number): Tensor {
  return arange(n, { dtype: "int64" });
}

/**
 * numpy `meshgrid(...xs, indexing)`: coordinate grids from 1-D tensors. With "xy" (default) the
 * first two dims are swapped (Cartesian, `[len(y), len(x)]`); with "ij" the dims follow the inputs.
 * Each grid is a contiguous copy.
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const [X, Y] = cb.meshgrid([cb.arange(3), cb.arange(2)]);
 * X.shape; // [2, 3]
 * Y.toArray(); // [[0, 0, 0], [1, 1, 1]]
 * ```
 */
export function meshgrid(xs: Tensor[], opts?: { indexing?: "xy" | "ij" | undefined }): Tensor[] {
  checkOptions(opts, ["indexing"], "meshgrid");
  const indexing = opts?.indexing ?? "xy";
  if (indexing !== "xy" && indexing !== "ij") {
    throw new TypeError(`meshgrid: indexing must be "xy" or "ij", got ${show(indexing)}`);
  }
  if (!Array.isArray(xs)) throw new TypeError(`meshgrid: expected a list of tensors, got ${show(xs)}`);
  for (const x of xs) {
    ops.asTensor(x, "meshgrid");
    if (x.ndim !== 1) {
      throw new CobaltError(
        "INVALID_ARGUMENT",
        `meshgrid: takes 1-D tensors, got shape ${fmtShape(x.shape)}`,
      );
    }
  }
  const n = xs.length;
  const pos = (i: number) => indexing === "xy" && n >= 2 && i < 2 ? 1 - i : i;
  const shape: number[] = new Array(n);
  xs.forEach((x, i) => (shape[pos(i)] = x.shape[0]!));
  return xs.map((x, i) =>
    scope(() => {
      const dims = new Array(n).fill(1);
      dims[pos(i)] = -1;
      return ops.expand(ops.reshape(x, dims), shape).contiguous();
    })
  );
}

// ---- boolean masks, one-hot, counting, unique ---------------------------------------------------------

/** The flat (row-major) indices of the non-zero elements of `a`, in order (int64, 1-D). */
function flatNonzero(a: Tensor): Tensor {
  return scope(() => {
    const flat = a.reshape(-1);
    const n = Number(countNonzero(flat, null, undefined).item());
    // a stable sort of "is zero" puts the non-zero positions first, in their order: native, no JS loop
    const order = ops.argsort(ops.binary(BINARY_OP.eq, flat, 0, false).astype("uint8"), -1);
    if (n === order.size) return order;
    return ops.slice(order, [[0, n]]).contiguous();
  });
}

/**
 * torch `nonzero` / numpy `argwhere`: the indices of the non-zero (true, NaN) elements, one row per
 * element in row-major order: int64 of shape `[n, ndim]`.
 */
export function nonzero(a: Tensor, name: string = "nonzero"): Tensor {
  ops.asTensor(a, name);
  return scope(() => {
    const idx = flatNonzero(a);
    const shape = a.shape;
    const n = idx.size;
    if (shape.length === 0) return empty([n, 0], { dtype: "int64" }); // numpy: one row of no coordinates
    let stride = 1;
    const cols: Tensor[] = new Array(shape.length);
    for (let d = shape.length - 1; d >= 0; d--) {
      const q = stride === 1 ? idx : ops.binary(BINARY_OP.floorDiv, idx, stride, false);
      cols[d] = ops.binary(BINARY_OP.mod, q, Math.max(shape[d]!, 1), false);
      stride *= shape[d]!;
    }
    return ops.stack(cols, 1);
  });
}

/**
 * numpy `argwhere(a)`: the indices of the non-zero elements, int64 `[n, ndim]` (torch `nonzero`).
 * @param a any tensor; NaN counts as non-zero
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.argwhere(cb.tensor([[0, 1], [2, 0]])).toArray(); // [[0, 1], [1, 0]]
 * ```
 */
export function argwhere(a: Tensor): Tensor {
  return nonzero(a, "argwhere");
}

function boolMask(a: Tensor, mask: Tensor, name: string): Tensor {
  ops.asTensor(a, name);
  ops.asTensor(mask, name);
  if (mask.dtype !== "bool") {
    throw new CobaltError("DTYPE", `${name}: the mask must be bool, got ${mask.dtype}`);
  }
  return mask.expand(a.shape); // the mask broadcasts to a, not the other way (SHAPE_MISMATCH if it cannot)
}

/** numpy `a[mask]`: the elements where `mask` (broadcast to `a`) is true, as a new 1-D tensor. */
export function maskedSelect(a: Tensor, mask: Tensor): Tensor {
  return scope(() => {
    const m = boolMask(a, mask, "maskedSelect");
    return ops.take(a.reshape(-1), flatNonzero(m));
  });
}

/**
 * numpy `a[mask] = values`, in place: `values` is a number, or a tensor of one element or of as many
 * elements as the mask has true entries (in row-major order). Returns `a`.
 */
export function maskedAssign(a: Tensor, mask: Tensor, values: Operand): Tensor {
  const name = "maskedAssign";
  scope(() => {
    const m = boolMask(a, mask, name);
    if (typeof values === "number") {
      ops.assign(a, ops.where(m, ops.scalar(values, a.dtype, name), a));
      return;
    }
    ops.asTensor(values, name);
    const v = values.reshape(-1);
    const n = Number(countNonzero(m, null, undefined).item());
    if (v.size !== n && v.size !== 1) {
      throw new CobaltError(
        "SHAPE_MISMATCH",
        `${name}: ${v.size} values for ${n} true mask entries (give one value or ${n})`,
      );
    }
    if (n === 0) return;
    // the k-th true position takes values[k]: its rank is the running count of true entries - 1
    const rank = ops.binary(BINARY_OP.sub, ops.scan(SCAN_OP.cumsum, name, m.reshape(-1), 0), 1, false);
    const idx = v.size === 1 ? ops.binary(BINARY_OP.mul, rank, 0, false) : ops.clamp(rank, 0, null);
    const spread = ops.reshape(ops.take(v, idx), a.shape.length ? a.shape : []);
    ops.assign(a, ops.where(m, spread, a));
  });
  return a;
}

/**
 * torch `one_hot`: int64 `[...indices.shape, n]` with 1 at each index. `n` defaults to the largest
 * index + 1; an index outside `[0, n)` is CobaltError "INDEX".
 * @param indices an integer tensor
 * @param n the number of classes
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.oneHot(cb.tensor([0, 2], { dtype: "int64" }), 3).toArray(); // [[1, 0, 0], [0, 0, 1]]
 * ```
 */
export function oneHot(indices: Tensor, n?: number): Tensor {
  ops.asTensor(indices, "oneHot");
  if (DTYPES[indices.dtype].kind !== "int") {
    throw new CobaltError("DTYPE", `oneHot: indices must be an integer tensor, got ${indices.dtype}`);
  }
  return scope(() => {
    const lo = indices.size ? Number(indices.min().item()) : 0;
    const hi = indices.size ? Number(indices.max().item()) : -1;
    const classes = n ?? hi + 1;
    if (!Number.isSafeInteger(classes) || classes < 0) {
      throw new TypeError(`oneHot: n must be a whole number >= 0, got ${show(n)}`);
    }
    if (lo < 0 || hi >= classes) {
      throw new CobaltError(
        "INDEX",
        `oneHot: index ${lo < 0 ? lo : hi} is out of range for ${classes} classes`,
      );
    }
    const eq = ops.binary(BINARY_OP.eq, indices.unsqueeze(-1), arange(classes, { dtype: "int64" }), false);
    return eq.astype("int64");
  });
}

/**
 * numpy `bincount`: how often each value `0..max` occurs in a 1-D tensor of non-negative integers
 * (int64), or the sum of `weights` at each (float64); at least `minlength` bins.
 * @param x a 1-D integer tensor
 * @param opts `weights` (a tensor of x's shape) and `minlength` (default 0)
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.bincount(cb.tensor([0, 1, 1, 3], { dtype: "int32" })).toArray(); // [1, 2, 0, 1]
 * ```
 */
export function bincount(
  x: Tensor,
  opts?: { weights?: Tensor | undefined; minlength?: number | undefined },
): Tensor {
  ops.asTensor(x, "bincount");
  checkOptions(opts, ["weights", "minlength"], "bincount");
  if (DTYPES[x.dtype].kind !== "int" || x.ndim !== 1) {
    throw new CobaltError(
      "DTYPE",
      `bincount: x must be a 1-D integer tensor, got ${x.dtype} ${fmtShape(x.shape)}`,
    );
  }
  const minlength = opts?.minlength ?? 0;
  if (!Number.isSafeInteger(minlength) || minlength < 0) {
    throw new TypeError(`bincount: minlength must be a whole number >= 0, got ${show(minlength)}`);
  }
  const w = opts?.weights;
  if (w !== undefined) {
    ops.asTensor(w, "bincount");
    if (w.ndim !== 1 || w.shape[0] !== x.shape[0]) {
      throw new CobaltError("SHAPE_MISMATCH", `bincount: weights must have x's shape ${fmtShape(x.shape)}`);
    }
  }
  return scope(() => {
    // one pass over the values in JS (a histogram has no vectorised native form here yet)
    // toArray copies out (a `data` view would hold a native reference until the GC finds it)
    const xs = x.toArray() as number[];
    let max = -1;
    for (let i = 0; i < xs.length; i++) {
      const v = xs[i]!;
      if (v < 0) throw new CobaltError("INVALID_ARGUMENT", `bincount: x must be non-negative, found ${v}`);
      if (v > max) max = v;
    }
    const len = Math.max(max + 1, minlength);
    const out = new Float64Array(len);
    if (w === undefined) { for (let i = 0; i < xs.length; i++) out[xs[i]!]!++; }
    else {
      const ws = w.toArray() as number[];
      for (let i = 0; i < xs.length; i++) out[xs[i]!]! += ws[i]!;
    }
    const r = tensor(out);
    return w === undefined ? r.astype("int64") : r;
  });
}

/** Options of `unique`. */
export interface UniqueOptions {
  /** Also return how often each value occurs (`counts`, int64). */
  returnCounts?: boolean | undefined;
  /**
   * Also return, for every element, the index of its value in `values` (`inverse`, int64: the
   * input's shape; with an `axis`, one index per slice along it).
   */
  returnInverse?: boolean | undefined;
  /**
   * The axis whose slices are compared whole (numpy's `axis`): the distinct subarrays along it, in
   * lexicographic order. Omitted or null: the flattened tensor's distinct values.
   */
  axis?: number | null | undefined;
}

/**
 * numpy `unique`: the sorted distinct values of the flattened tensor (NaNs collapse into one, last).
 * With `returnCounts` / `returnInverse`, an object `{ values, counts, inverse }` instead: `counts`
 * (int64) how often each value occurs, `inverse` (int64, the input's shape) where each element's
 * value is in `values`. With `axis`, the distinct slices along that axis instead, sorted
 * lexicographically (as numpy: rows holding NaN never compare equal), `values` keeping the other
 * dims, `counts` and `inverse` one per slice.
 * @param t any tensor
 * @param opts `returnCounts`, `returnInverse` (default false); `axis` (default null: flattened)
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.unique(cb.tensor([3, 1, 3, 2])).toArray(); // [1, 2, 3]
 * const u = cb.unique(cb.tensor([3, 1, 3]), { returnCounts: true, returnInverse: true }) as {
 *   values: cb.Tensor;
 *   counts: cb.Tensor;
 *   inverse: cb.Tensor;
 * };
 * u.counts.toArray();  // [1, 2]
 * u.inverse.toArray(); // [1, 0, 1]
 * cb.unique(cb.tensor([[1, 0], [2, 2], [1, 0]]), { axis: 0 }).toArray(); // [[1, 0], [2, 2]]
 * ```
 */
export function unique(t: Tensor): Tensor;
/**
 * numpy `unique`: the sorted distinct values of the flattened tensor (NaNs collapse into one, last).
 * With `returnCounts` / `returnInverse`, an object `{ values, counts, inverse }` instead: `counts`
 * (int64) how often each value occurs, `inverse` (int64, the input's shape) where each element's
 * value is in `values`. With `axis`, the distinct slices along that axis instead, sorted
 * lexicographically (as numpy: rows holding NaN never compare equal), `values` keeping the other
 * dims, `counts` and `inverse` one per slice.
 * @param t any tensor
 * @param opts `returnCounts`, `returnInverse` (default false); `axis` (default null: flattened)
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.unique(cb.tensor([3, 1, 3, 2])).toArray(); // [1, 2, 3]
 * const u = cb.unique(cb.tensor([3, 1, 3]), { returnCounts: true, returnInverse: true }) as {
 *   values: cb.Tensor;
 *   counts: cb.Tensor;
 *   inverse: cb.Tensor;
 * };
 * u.counts.toArray();  // [1, 2]
 * u.inverse.toArray(); // [1, 0, 1]
 * cb.unique(cb.tensor([[1, 0], [2, 2], [1, 0]]), { axis: 0 }).toArray(); // [[1, 0], [2, 2]]
 * ```
 */
export function unique(
  t: Tensor,
  opts: UniqueOptions & { returnCounts?: false | undefined; returnInverse?: false | undefined },
): Tensor;
/**
 * numpy `unique`: the sorted distinct values of the flattened tensor (NaNs collapse into one, last).
 * With `returnCounts` / `returnInverse`, an object `{ values, counts, inverse }` instead: `counts`
 * (int64) how often each value occurs, `inverse` (int64, the input's shape) where each element's
 * value is in `values`. With `axis`, the distinct slices along that axis instead, sorted
 * lexicographically (as numpy: rows holding NaN never compare equal), `values` keeping the other
 * dims, `counts` and `inverse` one per slice.
 * @param t any tensor
 * @param opts `returnCounts`, `returnInverse` (default false); `axis` (default null: flattened)
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.unique(cb.tensor([3, 1, 3, 2])).toArray(); // [1, 2, 3]
 * const u = cb.unique(cb.tensor([3, 1, 3]), { returnCounts: true, returnInverse: true }) as {
 *   values: cb.Tensor;
 *   counts: cb.Tensor;
 *   inverse: cb.Tensor;
 * };
 * u.counts.toArray();  // [1, 2]
 * u.inverse.toArray(); // [1, 0, 1]
 * cb.unique(cb.tensor([[1, 0], [2, 2], [1, 0]]), { axis: 0 }).toArray(); // [[1, 0], [2, 2]]
 * ```
 */
export function unique(
  t: Tensor,
  opts: UniqueOptions,
): Tensor | { values: Tensor; counts?: Tensor; inverse?: Tensor };
/**
 * numpy `unique`: the sorted distinct values of the flattened tensor (NaNs collapse into one, last).
 * With `returnCounts` / `returnInverse`, an object `{ values, counts, inverse }` instead: `counts`
 * (int64) how often each value occurs, `inverse` (int64, the input's shape) where each element's
 * value is in `values`. With `axis`, the distinct slices along that axis instead, sorted
 * lexicographically (as numpy: rows holding NaN never compare equal), `values` keeping the other
 * dims, `counts` and `inverse` one per slice.
 * @param t any tensor
 * @param opts `returnCounts`, `returnInverse` (default false); `axis` (default null: flattened)
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.unique(cb.tensor([3, 1, 3, 2])).toArray(); // [1, 2, 3]
 * const u = cb.unique(cb.tensor([3, 1, 3]), { returnCounts: true, returnInverse: true }) as {
 *   values: cb.Tensor;
 *   counts: cb.Tensor;
 *   inverse: cb.Tensor;
 * };
 * u.counts.toArray();  // [1, 2]
 * u.inverse.toArray(); // [1, 0, 1]
 * cb.unique(cb.tensor([[1, 0], [2, 2], [1, 0]]), { axis: 0 }).toArray(); // [[1, 0], [2, 2]]
 * ```
 */
export function unique(
  t: Tensor,
  opts?: UniqueOptions,
): Tensor | { values: Tensor; counts?: Tensor; inverse?: Tensor } {
  ops.asTensor(t, "unique");
  checkOptions(opts, ["returnCounts", "returnInverse", "axis"], "unique");
  const counts = boolOption(opts?.returnCounts, "unique", "returnCounts");
  const inverse = boolOption(opts?.returnInverse, "unique", "returnInverse");
  const axis = opts?.axis ?? null;
  const ax = axis === null ? null : axisIn(axis, t.ndim, "unique");
  return scope(() => {
    // the slices to compare as the rows of an [n, m] matrix (the flattened tensor: rows of one)
    const shape = t.shape;
    const n = ax === null ? t.size : shape[ax]!;
    const others = ax === null ? [] : shape.filter((_, i) => i !== ax);
    const m = others.reduce((p, q) => p * q, 1);
    const rows = ax === null ? t.reshape(n, 1) : t.moveaxis(ax, 0).reshape(n, m);
    // lexicographic order: stable sorts by each column, the last first (native argsorts, no JS loop)
    let order = arange(n, { dtype: "int64" });
    for (let c = m - 1; c >= 0; c--) {
      const key = ops.take(ops.slice(rows, [null, c]), order);
      order = ops.take(order, ops.argsort(key, 0));
    }
    const sorted = ops.indexSelect(rows, 0, order);
    let isStart: Tensor;
    if (n === 0) isStart = empty([0], { dtype: "bool" });
    else {
      const a = ops.slice(sorted, [[1, n]]), b = ops.slice(sorted, [[0, n - 1]]);
      let differs = ops.binary(BINARY_OP.ne, a, b, false);
      if (ax === null && isFloat(t)) { // NaN != NaN: keep one NaN, as numpy's equal_nan=True
        const bothNan = ops.binary(
          BINARY_OP.logicalAnd,
          ops.unary(UNARY_OP.isnan, a),
          ops.unary(UNARY_OP.isnan, b),
          false,
        );
        differs = ops.binary(BINARY_OP.logicalAnd, differs, ops.unary(UNARY_OP.logicalNot, bothNan), false);
      }
      // a row starts a new value when any column differs (rows of no columns are all equal)
      isStart = ops.concat([tensor([true]), ops.reduce(REDUCE_OP.any, "unique", differs, 1, undefined)], 0);
    }
    const starts = flatNonzero(isStart);
    const picked = ops.indexSelect(sorted, 0, starts);
    const values = ax === null
      ? picked.reshape(-1)
      : picked.reshape(starts.size, ...others).moveaxis(0, ax).contiguous();
    if (!counts && !inverse) return values;
    const out: { values: Tensor; counts?: Tensor; inverse?: Tensor } = { values };
    if (counts) {
      const ends = ops.concat([
        ops.slice(starts, [[1, starts.size]]),
        tensor(new Float64Array([n])).astype("int64"),
      ], 0);
      out.counts = ops.binary(BINARY_OP.sub, ends, starts, false);
    }
    if (inverse) {
      const rank = ops.binary(BINARY_OP.sub, ops.scan(SCAN_OP.cumsum, "unique", isStart, 0), 1, false);
      const back = ops.argsort(order, 0); // where each original slice went in the sort
      const inv = ops.take(rank, back);
      out.inverse = ax === null ? ops.reshape(inv, shape) : inv;
    }
    return out;
  });
}

// ---- normalisation ------------------------------------------------------------------------------------

/**
 * Layer normalisation over `axes` (default the last): `(x - mean) / sqrt(var + eps)`, with the
 * biased variance (torch's `layer_norm` without its affine weight and bias). Integers give float64.
 */
export function layerNorm(
  a: Tensor,
  axes: number | number[] = -1,
  opts?: { eps?: number | undefined },
): Tensor {
  ops.asTensor(a, "layerNorm");
  checkOptions(opts, ["eps"], "layerNorm");
  const eps = opts?.eps ?? 1e-5;
  if (typeof eps !== "number" || !(eps >= 0)) {
    throw new TypeError(`layerNorm: eps must be a number >= 0, got ${show(eps)}`);
  }
  return scope(() => {
    const x = isFloat(a) ? a : a.astype("float64");
    const keep = { keepdims: true };
    const centred = ops.binary(BINARY_OP.sub, x, red(REDUCE_OP.mean, "layerNorm", x, axes, keep), false);
    const variance = red(
      REDUCE_OP.mean,
      "layerNorm",
      ops.binary(BINARY_OP.mul, centred, centred, false),
      axes,
      keep,
    );
    const denom = ops.unary(UNARY_OP.sqrt, ops.binary(BINARY_OP.add, variance, eps, false));
    return ops.binary(BINARY_OP.div, centred, denom, false);
  });
}
