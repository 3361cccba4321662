/**
 * The ops behind `Tensor`'s methods and the module-level functions (`where`, `concat`, `stack`,
 * `dot`...). Primitive ops are one native call; composite ones (tile, tril, pad, topk...) are short
 * compositions of primitives, tinygrad-style.
 * @module
 */
import { CobaltError } from "./errors.ts";
import { checkIntValue, type DType, DTYPES } from "./dtype.ts";
import { axis32, axisIn, integer, intIn, MAX_DIM, safeInt, shapeArg, show } from "./ints.ts";
import { boolOption, checkOptions } from "./options.ts";
import {
  AXES,
  check,
  handleArray,
  MAX_NDIM,
  SHAPE,
  STRIDES,
  sym,
  writeAxes,
  writeShape,
  writeStrides,
} from "./core.ts";
import {
  type Axes,
  copied,
  fmtShape,
  type Operand,
  type PadMode,
  type PadOptions,
  type ReduceOptions,
  type SliceSpec,
  Tensor,
  wrap,
} from "./tensor.ts";

import { BINARY_OP, REDUCE_OP, SCAN_OP, UNARY_OP } from "./opcodes.ts";

export { BINARY_OP, REDUCE_OP, SCAN_OP, UNARY_OP };
export type { PadMode, PadOptions };
const BINARY_OP_NAMES = Object.keys(BINARY_OP);

function describe(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "an array (wrap it with cb.tensor())";
  if (typeof x === "object") return (x as object).constructor?.name ?? "object";
  return typeof x;
}

/** `x` if it is a Tensor, else a TypeError naming the op. */
export function asTensor(x: unknown, op: string): Tensor {
  if (x instanceof Tensor) return x;
  throw new TypeError(`${op}: expected a Tensor, got ${describe(x)}`);
}

/** Runs `f`, renaming native errors that start with `native:` to start with `op:`. */
function named<T>(op: string, native: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof CobaltError && e.message.startsWith(`${native}:`)) {
      throw new CobaltError(e.code, op + e.message.slice(native.length), { cause: e });
    }
    throw e;
  }
}

/** Disposes the intermediates of a composite op (never its inputs or its result). */
function drop(...ts: Tensor[]): void {
  for (const t of ts) t.dispose();
}

// ---- elementwise -----------------------------------------------------------------------------

/** `a op b` for a tensor or number `b` (`b op a` when `scalarFirst`). */
export function binary(op: number, a: Tensor, b: Operand, scalarFirst: boolean): Tensor {
  if (typeof b === "number") return wrap(sym.cobalt_binary_scalar(op, a.handle, b, scalarFirst ? 1 : 0));
  if (b instanceof Tensor) return wrap(sym.cobalt_binary(op, a.handle, b.handle));
  throw new TypeError(`${BINARY_OP_NAMES[op]}: expected a Tensor or a number, got ${describe(b)}`);
}

/** `op(a)`. */
export function unary(op: number, a: Tensor): Tensor {
  return wrap(sym.cobalt_unary(op, a.handle));
}

const GELU_KEYS = ["approximate"] as const;

/** GELU, exact or `{ approximate: "tanh" }`. */
export function gelu(a: Tensor, opts: { approximate?: "none" | "tanh" } | undefined): Tensor {
  checkOptions(opts, GELU_KEYS, "gelu");
  const approx = opts?.approximate;
  if (approx !== undefined && approx !== "none" && approx !== "tanh") {
    throw new TypeError(`gelu: approximate must be "none" or "tanh", got ${show(approx)}`);
  }
  return unary(approx === "tanh" ? UNARY_OP.geluTanh : UNARY_OP.gelu, a);
}

/** `min(max(a, lo), hi)`. */
export function clamp(a: Tensor, lo?: Operand | null, hi?: Operand | null): Tensor {
  if (lo == null && hi == null) throw new TypeError("clamp: give a min, a max or both");
  if (lo == null) return binary(BINARY_OP.minimum, a, hi!, false);
  const t = binary(BINARY_OP.maximum, a, lo, false);
  if (hi == null) return t;
  const r = binary(BINARY_OP.minimum, t, hi, false);
  drop(t);
  return r;
}

/** A 0-d tensor holding `v`, of `dtype` (an integer dtype must hold `v` exactly). */
export function scalar(v: number, dtype: DType, op: string): Tensor {
  checkIntValue(v, dtype, op);
  return wrap(sym.cobalt_full(DTYPES[dtype].code, SHAPE, 0, v), dtype); // ndim 0: no dims read
}

/** The dtype a JS number takes next to a tensor of `d` (numpy's weak scalars). */
function weakDType(v: number, d: DType): DType {
  const kind = DTYPES[d].kind;
  if (kind === "float") return d;
  if (!Number.isInteger(v)) return "float64";
  return kind === "bool" ? "int64" : d;
}

/**
 * `cond ? a : b` elementwise, with broadcasting of all three; `a` and `b` may be numbers.
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const x = cb.tensor([-1, 2, -3]);
 * cb.where(x.gt(0), x, 0).toArray(); // [0, 2, 0]
 * ```
 */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  const c = asTensor(cond, "where");
  const made: Tensor[] = [];
  const toT = (v: Operand, other: Operand): Tensor => {
    if (v instanceof Tensor) return v;
    if (typeof v !== "number") {
      throw new TypeError(`where: expected a Tensor or a number, got ${describe(v)}`);
    }
    const t = scalar(v, other instanceof Tensor ? weakDType(v, other.dtype) : "float32", "where");
    made.push(t);
    return t;
  };
  const x = toT(a, b), y = toT(b, a);
  try {
    return wrap(sym.cobalt_where(c.handle, x.handle, y.handle));
  } finally {
    drop(...made);
  }
}

// ---- reductions ------------------------------------------------------------------------------

const REDUCE_KEYS = ["keepdims"] as const;
const VAR_KEYS = ["keepdims", "ddof"] as const;

/** Checks a reduction's arguments; writes the axes to AXES. `naxes` is -1 for all axes. */
function reduceArgs(
  name: string,
  axis: Axes,
  opts: ReduceOptions | undefined,
  keys: readonly string[] = REDUCE_KEYS,
): { naxes: number; keep: number } {
  checkOptions(opts, keys, name);
  const keep = boolOption(opts?.keepdims, name, "keepdims") ? 1 : 0;
  if (axis === undefined || axis === null) return { naxes: -1, keep };
  const axes = typeof axis === "number" ? [axis] : axis;
  if (!Array.isArray(axes)) {
    throw new TypeError(`${name}: axis must be an integer or an array of integers, got ${show(axis)}`);
  }
  for (let i = 0; i < axes.length; i++) axis32(axes[i], name);
  return { naxes: writeAxes(axes, name), keep };
}

/** A reduction over `axis` (all axes when null/undefined). */
export function reduce(
  op: number,
  name: string,
  a: Tensor,
  axis: Axes,
  opts: ReduceOptions | undefined,
  ddof?: number,
): Tensor {
  const { naxes, keep } = reduceArgs(
    name,
    axis,
    opts,
    op === REDUCE_OP.var || op === REDUCE_OP.std ? VAR_KEYS : REDUCE_KEYS,
  );
  if (ddof !== undefined && typeof ddof !== "number") {
    throw new TypeError(`${name}: ddof must be a number, got ${show(ddof)}`);
  }
  if ((op === REDUCE_OP.argmax || op === REDUCE_OP.argmin) && Array.isArray(axis)) {
    throw new CobaltError(
      "AXIS",
      `${name}: takes one axis (or null for the flattened tensor), got [${axis}]`,
    );
  }
  return wrap(sym.cobalt_reduce(op, a.handle, naxes < 0 ? null : AXES, naxes, keep, ddof ?? 0));
}

/** Starts a reduction job (the async twin of `reduce`). */
export function reduceJob(op: number, name: string, h: unknown, axis: Axes, opts: ReduceOptions | undefined) {
  const { naxes, keep } = reduceArgs(name, axis, opts);
  return sym.cobalt_reduce_async(op, h, naxes < 0 ? null : AXES, naxes, keep, 0);
}

/** A scan along `axis` (flattened when null/undefined). */
export function scan(op: number, name: string, a: Tensor, axis: number | null | undefined): Tensor {
  if (axis === undefined || axis === null) return wrap(sym.cobalt_scan(op, a.handle, 0, 1));
  return wrap(sym.cobalt_scan(op, a.handle, axis32(axis, name), 0));
}

// ---- linear algebra --------------------------------------------------------------------------

/**
 * `a @ b` with numpy's rules (1-D operands, broadcast batch dims); the same as `a.matmul(b)`.
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.matmul(cb.ones([2, 3]), cb.ones([3, 4])).shape; // [2, 4]
 * ```
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const x = asTensor(a, "matmul"), y = asTensor(b, "matmul");
  return wrap(sym.cobalt_matmul(x.handle, y.handle));
}

/**
 * numpy `dot`: the inner product of vectors, a matrix product, or a sum over the last axis of `a`
 * and the second-to-last of `b`.
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.dot(cb.tensor([1, 2]), cb.tensor([3, 4])).item(); // 11
 * ```
 */
export function dot(a: Tensor, b: Tensor): Tensor {
  asTensor(a, "dot");
  asTensor(b, "dot");
  if (a.ndim === 0 || b.ndim === 0) return a.mul(b);
  if (b.ndim <= 2 || a.ndim === 1) return matmul(a, b);
  // a (..., k) . b (..., k, n): contract a's last axis with b's second-to-last
  const k = a.shape.at(-1)!;
  const bs = b.shape;
  const n = bs.at(-1)!;
  const nb = b.ndim;
  const perm = [nb - 2, ...Array.from({ length: nb - 2 }, (_, i) => i), nb - 1];
  const prod = (s: number[]) => s.reduce((p, q) => p * q, 1);
  // explicit sizes, not -1: with k = 0 there is nothing to infer -1 from
  const a2 = a.reshape(prod(a.shape.slice(0, -1)), k);
  const bp = b.permute(...perm);
  const b2 = bp.reshape(k, prod(bs.slice(0, -2)) * n);
  const m = matmul(a2, b2);
  const out = m.reshape([...a.shape.slice(0, -1), ...bs.slice(0, -2), n]);
  drop(a2, bp, b2, m);
  return out;
}

/**
 * Outer product of the flattened tensors.
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.outer(cb.tensor([1, 2]), cb.tensor([1, 10])).toArray(); // [[1, 10], [2, 20]]
 * ```
 */
export function outer(a: Tensor, b: Tensor): Tensor {
  const x = asTensor(a, "outer").reshape(-1, 1), y = asTensor(b, "outer").reshape(1, -1);
  const r = x.mul(y);
  drop(x, y);
  return r;
}

// ---- shape -----------------------------------------------------------------------------------

/** Another shape, -1 inferred. */
export function reshape(a: Tensor, shape: number[]): Tensor {
  const nd = writeShape(
    shapeArg(shape, "reshape", "t.reshape(2, 3) or t.reshape([2, -1])", "one"),
    "reshape",
  );
  return wrap(sym.cobalt_reshape(a.handle, SHAPE, nd));
}

/** Merges dims `start..end` into one. */
export function flatten(a: Tensor, start: number, end: number): Tensor {
  const s = a.shape;
  if (s.length === 0) return reshape(a, [1]);
  const i = axisIn(start, s.length, "flatten"), j = axisIn(end, s.length, "flatten");
  if (i > j) throw new CobaltError("AXIS", `flatten: start ${start} comes after end ${end}`);
  const merged = s.slice(i, j + 1).reduce((p, q) => p * q, 1);
  return reshape(a, [...s.slice(0, i), merged, ...s.slice(j + 1)]);
}

/** Dims reordered. */
export function permute(a: Tensor, axes: number[]): Tensor {
  for (let i = 0; i < axes.length; i++) axis32(axes[i], "permute");
  const n = writeAxes(axes, "permute");
  return wrap(sym.cobalt_permute(a.handle, AXES, n));
}

/** A strided view relative to `a`'s first element (bounds are checked natively). */
function strided(a: Tensor, shape: number[], strides: number[], offset: number): Tensor {
  const nd = writeShape(shape, "view");
  writeStrides(strides);
  return wrap(sym.cobalt_as_strided(a.handle, SHAPE, STRIDES, nd, offset));
}

/** A strided view from `a`'s first element (einsum's diagonals); bounds are checked natively. */
export function stridedView(a: Tensor, shape: number[], strides: number[]): Tensor {
  return strided(a, shape, strides, 0);
}

/** A view broadcast to `shape` (-1 keeps a dim). numpy calls it `broadcast_to`. */
export function expand(a: Tensor, shape: number[]): Tensor {
  shapeArg(shape, "expand", "[3, 2]", "each");
  const s = a.shape;
  const full = shape.map((d, i) => {
    const j = i - (shape.length - s.length);
    return d === -1 && j >= 0 ? s[j] : d;
  });
  const nd = writeShape(shapeArg(full, "expand"), "expand");
  return wrap(sym.cobalt_expand(a.handle, SHAPE, nd));
}

function parseSpec(spec: string, op: string): SliceSpec {
  const t = spec.trim();
  if (t === "...") return t;
  const bad = (): never => {
    let msg = `${op}: cannot parse ${JSON.stringify(spec)}`;
    if (spec.includes(",")) {
      // numpy's a[:, 1] is one string here: cobalt takes one spec per dim
      const parts = spec.split(",").map((p) => p.trim()).map((p) =>
        /^-?\d+$/.test(p) ? p : JSON.stringify(p)
      );
      msg += `: give one spec per dim, e.g. slice(${parts.join(", ")})`;
    } else msg += ` (a spec is an index like "2" or a range like "1:-1:2")`;
    throw new TypeError(msg);
  };
  const parts = t.split(":");
  const num = (p: string): number | null => {
    if (p.trim() === "") return null;
    const v = Number(p);
    if (!Number.isInteger(v)) bad();
    return v;
  };
  if (parts.length === 1) {
    const v = num(parts[0]!);
    if (v === null) bad();
    return v;
  }
  if (parts.length > 3) bad();
  return [num(parts[0]!), num(parts[1]!), parts.length === 3 ? num(parts[2]!) : null];
}

/** Python's `slice.indices`: the normalised start, step and length of `[start:stop:step]` over `n`. */
function sliceDim(n: number, start: number | null, stop: number | null, step: number | null, op: string) {
  const st = step ?? 1;
  if (st === 0) throw new CobaltError("INVALID_ARGUMENT", `${op}: slice step cannot be zero`);
  let b: number, e: number;
  if (st > 0) {
    b = start === null ? 0 : start < 0 ? Math.max(start + n, 0) : Math.min(start, n);
    e = stop === null ? n : stop < 0 ? Math.max(stop + n, 0) : Math.min(stop, n);
  } else {
    b = start === null ? n - 1 : start < 0 ? Math.max(start + n, -1) : Math.min(start, n - 1);
    e = stop === null ? -1 : stop < 0 ? Math.max(stop + n, -1) : Math.min(stop, n - 1);
  }
  const len = Math.max(0, Math.ceil((e - b) / st));
  return { b, st, len };
}

/** A view of sub-ranges, one spec per leading dim. */
export function slice(a: Tensor, specs: SliceSpec[]): Tensor {
  const op = "slice";
  const shape = a.shape, strides = a.strides;
  let list = specs.map((s) => (typeof s === "string" ? parseSpec(s, op) : s));
  const ell = list.indexOf("...");
  const real = list.filter((s) => s !== "...").length;
  if (ell >= 0) {
    if (list.lastIndexOf("...") !== ell) throw new CobaltError("INDEX", `${op}: only one "..." is allowed`);
    list = [
      ...list.slice(0, ell),
      ...Array(Math.max(0, shape.length - real)).fill(null),
      ...list.slice(ell + 1),
    ];
  }
  if (list.length > shape.length) {
    throw new CobaltError("INDEX", `${op}: ${list.length} indices for a tensor of dimension ${shape.length}`);
  }
  const outShape: number[] = [], outStrides: number[] = [];
  let offset = 0;
  for (let d = 0; d < shape.length; d++) {
    const s = d < list.length ? list[d] : null;
    const n = shape[d]!;
    if (typeof s === "number") {
      safeInt(s, op, "index", "INDEX");
      const i = s < 0 ? s + n : s;
      if (i < 0 || i >= n) {
        throw new CobaltError("INDEX", `${op}: index ${s} is out of bounds for dim ${d} of size ${n}`);
      }
      offset += i * strides[d]!;
    } else if (s === null || s === undefined) {
      outShape.push(n);
      outStrides.push(strides[d]!);
    } else if (Array.isArray(s)) {
      const [start, stop, step] = [s[0] ?? null, s[1] ?? null, s[2] ?? null];
      for (const v of [start, stop, step]) {
        if (v !== null) safeInt(v, op, "slice bound", "INDEX");
      }
      const { b, st, len } = sliceDim(n, start, stop, step, op);
      outShape.push(len);
      // a step past the dim's end leaves at most one element: its stride is then never used
      const sd = strides[d]! * st;
      outStrides.push(Number.isSafeInteger(sd) ? sd : strides[d]! * Math.sign(st));
      if (len > 0) offset += b * strides[d]!;
    } else {
      throw new TypeError(
        `${op}: a spec must be an index, null, [start, stop, step] or a string, got ${describe(s)}`,
      );
    }
  }
  return strided(a, outShape, outStrides, offset);
}

/** Drops dims of size 1. */
export function squeeze(a: Tensor, axis?: number | number[]): Tensor {
  const shape = a.shape, strides = a.strides, n = shape.length;
  let drops: Set<number>;
  if (axis === undefined) drops = new Set(shape.flatMap((d, i) => (d === 1 ? [i] : [])));
  else {
    const list = axisList(axis, "squeeze").map((x) => axisIn(x, n, "squeeze"));
    for (const i of list) {
      if (shape[i] !== 1) {
        throw new CobaltError(
          "AXIS",
          `squeeze: axis ${i} has size ${shape[i]}, not 1 (shape ${fmtShape(shape)})`,
        );
      }
    }
    drops = new Set(list);
  }
  const keep = shape.map((_, i) => i).filter((i) => !drops.has(i));
  return strided(a, keep.map((i) => shape[i]!), keep.map((i) => strides[i]!), 0);
}

/** Inserts a dim of size 1. */
export function unsqueeze(a: Tensor, axis: number): Tensor {
  const shape = a.shape, strides = a.strides, n = shape.length;
  if (n + 1 > MAX_NDIM) throw new CobaltError("INVALID_ARGUMENT", `unsqueeze: more than ${MAX_NDIM} dims`);
  const i = axisIn(axis, n + 1, "unsqueeze");
  const st = i < n ? shape[i]! * strides[i]! : 1;
  return strided(a, [...shape.slice(0, i), 1, ...shape.slice(i)], [
    ...strides.slice(0, i),
    st,
    ...strides.slice(i),
  ], 0);
}

/** One axis or an array of them, as an array (a TypeError for anything else). */
function axisList(axis: unknown, op: string): unknown[] {
  if (typeof axis === "number") return [axis];
  if (!Array.isArray(axis)) {
    throw new TypeError(`${op}: axis must be an integer or an array of integers, got ${show(axis)}`);
  }
  return axis;
}

/** Reverses the order along axes (all by default): a view with negative strides. */
export function flip(a: Tensor, axes?: number | number[]): Tensor {
  const shape = a.shape, strides = [...a.strides], n = shape.length;
  const list = axes === undefined ? shape.map((_, i) => i) : axisList(axes, "flip");
  let offset = 0;
  const seen = new Set<number>();
  for (const x of list) {
    const i = axisIn(x, n, "flip");
    if (seen.has(i)) throw new CobaltError("AXIS", `flip: axis ${x} is repeated`);
    seen.add(i);
    if (shape[i]! > 0) offset += (shape[i]! - 1) * strides[i]!;
    strides[i] = -strides[i]!;
  }
  return strided(a, shape, strides, offset);
}

function counts(x: number | number[], op: string, what: string): number[] {
  const list = typeof x === "number" ? [x] : x;
  if (!Array.isArray(list)) {
    throw new TypeError(`${op}: ${what} must be an integer or an array of integers, got ${show(x)}`);
  }
  return list.map((v) => intIn(v, op, what, 0, MAX_DIM));
}

const PAD_MODES: readonly PadMode[] = ["constant", "edge", "reflect", "symmetric", "wrap"];
const PAD_KEYS = ["mode", "value"] as const;

/** The source index of padded position `i` of an axis of length `n` padded by `before`. */
function padSource(i: number, n: number, before: number, mode: PadMode): number {
  const j = i - before;
  const mod = (x: number, m: number) => ((x % m) + m) % m;
  switch (mode) {
    case "edge":
      return Math.min(Math.max(j, 0), n - 1);
    case "wrap":
      return mod(j, n);
    case "reflect": {
      if (n === 1) return 0;
      const k = mod(j, 2 * (n - 1));
      return k < n ? k : 2 * (n - 1) - k;
    }
    default: { // symmetric
      const k = mod(j, 2 * n);
      return k < n ? k : 2 * n - 1 - k;
    }
  }
}

/** `pad` in an index mode: one gather per padded axis, with source indices computed here. */
function padIndexed(a: Tensor, pairs: [number, number][], mode: PadMode): Tensor {
  let cur = a;
  const made: Tensor[] = [];
  try {
    pairs.forEach(([before, after], axis) => {
      if (before === 0 && after === 0) return;
      const n = cur.shape[axis]!;
      if (n === 0) {
        throw new CobaltError("INVALID_ARGUMENT", `pad: mode "${mode}" cannot extend the empty axis ${axis}`);
      }
      const idx: number[] = new Array(n + before + after);
      for (let i = 0; i < idx.length; i++) idx[i] = padSource(i, n, before, mode);
      cur = indexSelect(cur, axis, idx, "pad");
      made.push(cur);
    });
    return cur === a ? a.clone() : made.pop()!;
  } finally {
    drop(...made);
  }
}

/** numpy `tile`. */
export function tile(a: Tensor, reps: number | number[]): Tensor {
  const r = counts(reps, "tile", "reps");
  const s = a.shape;
  const d = Math.max(s.length, r.length);
  if (d > MAX_NDIM) throw new CobaltError("INVALID_ARGUMENT", `tile: ${d} dims is more than ${MAX_NDIM}`);
  const shape = [...Array(d - s.length).fill(1), ...s];
  const rr = [...Array(d - r.length).fill(1), ...r];
  shapeArg(shape.map((n, i) => n * rr[i]), "tile");
  const base = reshape(a, shape.flatMap((n) => [1, n]));
  const big = expand(base, shape.flatMap((n, i) => [rr[i], n]));
  const out = reshape(big, shape.map((n, i) => n * rr[i]));
  drop(base, big);
  return out;
}

/** numpy `repeat` with one count. */
export function repeat(a: Tensor, n: number, axis?: number): Tensor {
  const k = counts(n, "repeat", "repeats")[0]!;
  if (axis === undefined) {
    const flat = reshape(a, [-1]);
    const r = repeat(flat, k, 0);
    drop(flat);
    return r;
  }
  const s = a.shape;
  const i = axisIn(axis, s.length, "repeat");
  shapeArg([s[i]! * k], "repeat");
  const u = unsqueeze(a, i + 1);
  const e = expand(u, [...s.slice(0, i + 1), k, ...s.slice(i + 1)]);
  const out = reshape(e, [...s.slice(0, i), s[i]! * k, ...s.slice(i + 1)]);
  drop(u, e);
  return out;
}

/** Zeroes the elements above (`lower`) or below diagonal `k` of the last two dims. */
export function tri(a: Tensor, k: number, lower: boolean): Tensor {
  const op = lower ? "tril" : "triu";
  safeInt(k, op, "k");
  const s = a.shape;
  if (s.length < 2) {
    throw new CobaltError("INVALID_ARGUMENT", `${op}: needs at least 2 dims, got shape ${fmtShape(s)}`);
  }
  const n = s[s.length - 2]!, m = s[s.length - 1]!;
  k = Math.min(Math.max(k, -n - 1), m + 1); // a diagonal past either edge: all or nothing
  const mk = (len: number, shape: number[]) => {
    const t = wrap(sym.cobalt_arange(DTYPES.int64.code, 0, len, 1));
    const r = reshape(t, shape);
    drop(t);
    return r;
  };
  const rows = mk(n, [n, 1]), cols = mk(m, [1, m]);
  const diff = cols.sub(rows);
  const mask = lower ? diff.le(k) : diff.ge(k);
  const zero = scalar(0, a.dtype, lower ? "tril" : "triu"); // of a's dtype: a bare 0 would promote bool to int64
  const out = where(mask, a, zero);
  drop(rows, cols, diff, mask, zero);
  return out;
}

/** Constant padding. */
export function pad(
  a: Tensor,
  widths: number | [number, number] | [number, number][],
  options: number | PadOptions = 0,
): Tensor {
  const s = a.shape;
  let value = 0, mode: PadMode = "constant";
  if (typeof options === "number") value = options;
  else {
    checkOptions(options, PAD_KEYS, "pad");
    value = options?.value ?? 0;
    mode = options?.mode ?? "constant";
    if (!PAD_MODES.includes(mode)) {
      throw new TypeError(
        `pad: mode must be one of ${PAD_MODES.map((m) => `"${m}"`).join(", ")}, got ${show(mode)}`,
      );
    }
    if (mode !== "constant" && options?.value !== undefined) {
      throw new TypeError(`pad: value is only for mode "constant", not "${mode}"`);
    }
  }
  if (typeof value !== "number") throw new TypeError(`pad: value must be a number, got ${show(value)}`);
  if (typeof widths !== "number" && !Array.isArray(widths)) {
    throw new TypeError(
      `pad: widths must be a number, a [before, after] pair or one pair per dim, got ${show(widths)}`,
    );
  }
  let pairs: [number, number][];
  if (typeof widths === "number") pairs = s.map(() => [widths, widths]);
  else if (Array.isArray(widths) && widths.length === 2 && typeof widths[0] === "number") {
    pairs = s.map(() => widths as [number, number]);
  } else if (Array.isArray(widths) && widths.length === s.length) pairs = widths as [number, number][];
  else {
    throw new CobaltError(
      "SHAPE_MISMATCH",
      `pad: widths must give one [before, after] pair per dim (${s.length}), one pair, or one number`,
    );
  }
  for (const p of pairs) {
    if (!Array.isArray(p) || p.length !== 2) {
      throw new TypeError(`pad: each entry of widths must be a [before, after] pair, got ${show(p)}`);
    }
    counts(p, "pad", "widths");
  }
  if (mode !== "constant") return padIndexed(a, pairs as [number, number][], mode);
  const shape = s.map((n, i) => n + pairs[i]![0] + pairs[i]![1]);
  checkIntValue(value, a.dtype, "pad");
  const nd = writeShape(shapeArg(shape, "pad"), "pad");
  const out = wrap(sym.cobalt_full(DTYPES[a.dtype].code, SHAPE, nd, value), a.dtype);
  const inner = slice(out, s.map((n, i) => [pairs[i]![0], pairs[i]![0] + n] as [number, number]));
  check(sym.cobalt_copy_into(inner.handle, a.handle));
  drop(inner);
  return out;
}

function narrow(a: Tensor, axis: number, start: number, len: number): Tensor {
  const specs: SliceSpec[] = a.shape.map(() => null);
  specs[axis] = [start, start + len];
  return slice(a, specs);
}

/** numpy `split`. */
export function split(a: Tensor, sections: number | number[], axis: number): Tensor[] {
  const s = a.shape;
  const i = axisIn(axis, s.length, "split");
  const n = s[i]!;
  let cuts: number[];
  if (typeof sections === "number") {
    const k = intIn(sections, "split", "sections", 1, MAX_DIM);
    // NOTE: every part is a tensor: refuse more parts than could ever be useful (a dim of 0 splits
    // into any number of empty parts, and 2^31 of them exhausts the JS heap).
    if (k > Math.max(n, SPLIT_MAX)) {
      throw new CobaltError(
        "INVALID_ARGUMENT",
        `split: ${k} parts of a dim of ${n} is more than ${Math.max(n, SPLIT_MAX)} tensors`,
      );
    }
    if (n % k !== 0) {
      throw new CobaltError("INVALID_ARGUMENT", `split: a dim of ${n} does not split into ${k} equal parts`);
    }
    cuts = Array.from({ length: k - 1 }, (_, j) => ((j + 1) * n) / k);
  } else if (Array.isArray(sections)) {
    cuts = sections.map((c) => safeInt(c, "split", "index", "INDEX"));
  } else throw new TypeError("split: sections must be a number or an array of indices");
  const bounds = [0, ...cuts.map((c) => Math.min(Math.max(c < 0 ? c + n : c, 0), n)), n];
  const out: Tensor[] = [];
  for (let j = 0; j + 1 < bounds.length; j++) {
    const b = bounds[j]!, e = Math.max(bounds[j + 1]!, b);
    out.push(narrow(a, i, b, e - b));
  }
  return out;
}

const SPLIT_MAX = 1 << 16;

/** torch `chunk`. */
export function chunk(a: Tensor, k: number, axis: number): Tensor[] {
  const n = intIn(k, "chunk", "chunks", 1, 2 ** 31 - 1);
  const s = a.shape;
  const i = axisIn(axis, s.length, "chunk");
  const size = Math.ceil(s[i]! / n);
  const out: Tensor[] = [];
  for (let b = 0; b < s[i]! || (s[i] === 0 && out.length === 0); b += size || 1) {
    out.push(narrow(a, i, b, Math.min(size, s[i]! - b)));
    if (size === 0) break;
  }
  return out;
}

// ---- indexing --------------------------------------------------------------------------------

/**
 * An integer index tensor from a Tensor or a JS array of integers or BigInts (int32, or int64 when
 * needed). An index no tensor can have (beyond ±(2^53 - 1), or a BigInt beyond int64) is INDEX.
 */
function indexTensor(x: Tensor | (number | bigint)[], op: string): { t: Tensor; made: boolean } {
  if (x instanceof Tensor) return { t: x, made: false };
  if (!Array.isArray(x)) {
    throw new TypeError(`${op}: indices must be a Tensor or an array of integers, got ${show(x)}`);
  }
  const small = x.every((v) => typeof v === "number" && Number.isInteger(v) && Math.abs(v) < 2 ** 31);
  let data: Int32Array | BigInt64Array;
  if (small) data = Int32Array.from(x as number[]);
  else {
    data = new BigInt64Array(x.length);
    x.forEach((v, i) => {
      if (typeof v === "bigint") {
        if (v < -(2n ** 63n) || v >= 2n ** 63n) {
          throw new CobaltError("INDEX", `${op}: index ${v}n is out of bounds (beyond int64)`);
        }
        data[i] = v;
      } else data[i] = BigInt(safeInt(v, op, "index", "INDEX"));
    });
  }
  const dtype = small ? "int32" : "int64";
  const nd = writeShape([x.length], op);
  return { t: copied(data, dtype, nd), made: true };
}

/** numpy `take` along an axis (`op` names the public method in errors). */
export function indexSelect(
  a: Tensor,
  axis: number,
  indices: Tensor | (number | bigint)[],
  op = "indexSelect",
): Tensor {
  const ax = axis32(axis, op);
  const { t, made } = indexTensor(indices, op);
  try {
    return named(op, "index_select", () => wrap(sym.cobalt_index_select(a.handle, ax, t.handle)));
  } finally {
    if (made) drop(t);
  }
}

/** numpy `take`: flattened, or along an axis. */
export function take(a: Tensor, indices: Tensor | (number | bigint)[], axis?: number): Tensor {
  if (axis !== undefined) return indexSelect(a, axis, indices, "take");
  const flat = reshape(a, [-1]);
  try {
    return indexSelect(flat, 0, indices, "take");
  } finally {
    drop(flat);
  }
}

/** torch `gather`. */
export function gather(a: Tensor, axis: number, index: Tensor): Tensor {
  const idx = asTensor(index, "gather");
  return wrap(sym.cobalt_gather(a.handle, axis32(axis, "gather"), idx.handle));
}

/** torch `scatter` / `scatter_add`, out of place; a number `src` fills every indexed position. */
export function scatter(a: Tensor, axis: number, index: Tensor, src: Tensor | number, add: boolean): Tensor {
  const op = add ? "scatterAdd" : "scatter";
  asTensor(a, op);
  const idx = asTensor(index, op);
  const ax = axis32(axis, op);
  if (typeof src !== "number" && !(src instanceof Tensor)) {
    throw new TypeError(`${op}: src must be a Tensor or a number, got ${describe(src)}`);
  }
  const s = typeof src === "number" ? scalar(src, a.dtype, op) : src;
  try {
    return named(
      op,
      add ? "scatter_add" : "scatter",
      () => wrap(sym.cobalt_scatter(a.handle, ax, idx.handle, s.handle, add ? 1 : 0)),
    );
  } finally {
    if (s !== src) drop(s);
  }
}

const SORT_KEYS = ["descending"] as const;
const TOPK_KEYS = ["largest"] as const;

function argsortRaw(a: Tensor, axis: number, descending: boolean, op: string): Tensor {
  const ax = axis32(axis, op);
  // torch: a 0-d tensor sorts along dim 0 or -1, nothing else
  if (ax !== 0 && ax !== -1 && a.ndim === 0) {
    throw new CobaltError("AXIS", `${op}: axis ${ax} is out of range for a 0-d tensor (0 or -1)`);
  }
  return named(op, "argsort", () => wrap(sym.cobalt_argsort(a.handle, ax, descending ? 1 : 0)));
}

/** Sorting indices; `opts.descending` flips the order. */
export function argsort(a: Tensor, axis: number, opts?: { descending?: boolean }): Tensor {
  checkOptions(opts, SORT_KEYS, "argsort");
  return argsortRaw(a, axis, boolOption(opts?.descending, "argsort", "descending"), "argsort");
}

/** Sorted values and their indices. */
export function sort(
  a: Tensor,
  axis: number,
  opts?: { descending?: boolean },
): { values: Tensor; indices: Tensor } {
  checkOptions(opts, SORT_KEYS, "sort");
  const descending = boolOption(opts?.descending, "sort", "descending");
  if (a.ndim === 0) {
    const indices = argsortRaw(a, axis, descending, "sort"); // checks the axis (0 or -1)
    return { values: a.contiguous(), indices };
  }
  const indices = argsortRaw(a, axis, descending, "sort");
  return { values: gather(a, axis, indices), indices };
}

/** The k largest (smallest with `{ largest: false }`) values along an axis, sorted. */
export function topk(
  a: Tensor,
  k: number,
  axis: number,
  opts?: { largest?: boolean },
): { values: Tensor; indices: Tensor } {
  checkOptions(opts, TOPK_KEYS, "topk");
  const largest = boolOption(opts?.largest, "topk", "largest", true);
  const s = a.shape;
  const i = axisIn(axis, Math.max(s.length, 1), "topk");
  const kk = integer(k, "topk", "k");
  if (kk < 0 || kk > (s[i] ?? 1)) {
    throw new CobaltError(
      "INVALID_ARGUMENT",
      `topk: k = ${kk} is out of range for a dim of size ${s[i] ?? 1}`,
    );
  }
  // torch: a 0-d tensor is one element along axis 0 or -1; for k = 0 or 1 its topk is itself, at index 0
  // torch (topk_meta keeps a 0-d tensor's empty sizes): for k = 0 or 1 the topk of a 0-d tensor
  // is itself, at index 0
  if (s.length === 0) return { values: a.contiguous(), indices: argsortRaw(a, 0, largest, "topk") };
  const all = argsortRaw(a, i, largest, "topk");
  const indices = narrow(all, i, 0, kk);
  drop(all);
  return { values: gather(a, i, indices), indices };
}

/** Writes `value` into the elements of `a` (in place). */
export function assign(a: Tensor, value: Operand): void {
  if (typeof value === "number") {
    const s = scalar(value, a.dtype, "assign");
    try {
      check(sym.cobalt_copy_into(a.handle, s.handle));
    } finally {
      drop(s);
    }
    return;
  }
  check(sym.cobalt_copy_into(a.handle, asTensor(value, "assign").handle));
}

// ---- joining ---------------------------------------------------------------------------------

function tensorList(ts: unknown, op: string): Tensor[] {
  if (!Array.isArray(ts) || ts.length === 0) {
    throw new TypeError(`${op}: expected a non-empty array of tensors`);
  }
  return ts.map((t) => asTensor(t, op));
}

/**
 * Joins tensors along an existing axis; dtypes promote.
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.concat([cb.zeros([2, 2]), cb.ones([1, 2])]).shape; // [3, 2]
 * ```
 * @param ts The tensors (at least one), of equal shapes but along `axis`.
 * @param axis The axis to join along, negative from the end (default 0).
 */
export function concat(ts: Tensor[], axis: number = 0): Tensor {
  const list = tensorList(ts, "concat");
  const hs = handleArray(list.map((t) => t.handle));
  return wrap(sym.cobalt_concat(hs, list.length, axis32(axis, "concat")));
}

/**
 * Joins same-shaped tensors along a new axis.
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.stack([cb.zeros([2]), cb.ones([2])], 1).toArray(); // [[0, 1], [0, 1]]
 * ```
 * @param ts The tensors (at least one), all of one shape.
 * @param axis Where the new axis goes, negative from the end (default 0).
 */
export function stack(ts: Tensor[], axis: number = 0): Tensor {
  const list = tensorList(ts, "stack");
  const s = list[0]!.shape;
  for (const t of list) {
    const ts2 = t.shape;
    if (ts2.length !== s.length || ts2.some((d, i) => d !== s[i])) {
      throw new CobaltError("SHAPE_MISMATCH", `stack: shapes ${fmtShape(s)} and ${fmtShape(ts2)} differ`);
    }
  }
  const i = axisIn(axis, s.length + 1, "stack");
  const parts = list.map((t) => unsqueeze(t, i));
  try {
    return concat(parts, i);
  } finally {
    drop(...parts);
  }
}
