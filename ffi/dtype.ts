/**
 * dtypes: names, native codes, element sizes, the TypedArray each one reads through, and the
 * conversions between JS values and elements.
 *
 * Adding a dtype touches more than this file. Here: the `DType` union, `DTYPES` and `DTYPE_BY_CODE`
 * (in code order), and, as the dtype needs them, `TypedArray` (a new view type), `INT_RANGE` (an
 * integer dtype), `reader` (elements that are not plain numbers in their view) and `dtypeOfArray`
 * (a TypedArray of its own). Elsewhere in ffi/: `sameBytes` in create.ts (adopting a TypedArray of
 * another type), the printed digits in tensor.ts's `format`, and the safetensors and npy name
 * tables in io.ts. Natively: the `COBALT_*` code in `rust/include/cobalt.h`; in `rust/src/dtype.rs`
 * the `DType` enum and `ALL`, `size`, `name`, `is_float`, `compute`, `float_result`,
 * `promote` and `rank`, a storage type with its `Elem` (and `Num`/`Float`) impls, and the
 * `dispatch*!` macros; then each match the compiler reports as non-exhaustive (e.g.
 * `dispatch_widen!` in `cpu/reduce.rs`, the epsilon table in `cpu/random.rs`). The numpy fixtures
 * list the dtypes too (`ALL` in tests/fixtures/gen.py).
 * @module
 */
import { CobaltError } from "./errors.ts";

/** The element types cobalt stores. */
export type DType = "float32" | "float64" | "int32" | "int64" | "uint8" | "bool" | "float16" | "bfloat16";

/**
 * The TypedArray views of the dtypes: float32 -> Float32Array, float64 -> Float64Array,
 * int32 -> Int32Array, int64 -> BigInt64Array, uint8 and bool -> Uint8Array, float16 ->
 * Float16Array (typed here as Uint16Array, which it is where Float16Array is missing), bfloat16 ->
 * Uint16Array (the raw bits). Narrow it with a cast: `t.data as Float32Array`.
 */
export type TypedArray =
  | Float32Array
  | Float64Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array;

// deno-lint-ignore no-explicit-any
type ArrayCtor = any;

interface DTypeInfo {
  readonly code: number;
  readonly size: number;
  readonly array: ArrayCtor;
  readonly kind: "float" | "int" | "bool";
}

// deno-lint-ignore no-explicit-any
const F16: ArrayCtor = (globalThis as any).Float16Array ?? Uint16Array;

/**
 * Per-dtype facts; the code is the native `COBALT_*` dtype value.
 * NOTE: a null-prototype object, so a user's dtype string never finds `Object.prototype` members
 * ("toString", "constructor", "__proto__"); test names with `isDType`, not `in`.
 */
export const DTYPES: Readonly<Record<DType, DTypeInfo>> = Object.freeze(Object.assign(Object.create(null), {
  float32: { code: 0, size: 4, array: Float32Array, kind: "float" },
  float64: { code: 1, size: 8, array: Float64Array, kind: "float" },
  int32: { code: 2, size: 4, array: Int32Array, kind: "int" },
  int64: { code: 3, size: 8, array: BigInt64Array, kind: "int" },
  uint8: { code: 4, size: 1, array: Uint8Array, kind: "int" },
  bool: { code: 5, size: 1, array: Uint8Array, kind: "bool" },
  float16: { code: 6, size: 2, array: F16, kind: "float" },
  bfloat16: { code: 7, size: 2, array: Uint16Array, kind: "float" },
}));

/** dtype names by native code. */
export const DTYPE_BY_CODE: readonly DType[] = [
  "float32",
  "float64",
  "int32",
  "int64",
  "uint8",
  "bool",
  "float16",
  "bfloat16",
];

/** The dtype used when none is given. */
export const DEFAULT_DTYPE: DType = "float32";

/** Whether `d` names a cobalt dtype (DTYPES has no prototype: no inherited key is found). */
export function isDType(d: unknown): d is DType {
  return typeof d === "string" && DTYPES[d as DType] !== undefined;
}

/** "(supported: float32, float64, ...)": the tail of every DTYPE message. */
export function supported(): string {
  return `(supported: ${DTYPE_BY_CODE.join(", ")})`;
}

/** Checks a user-supplied dtype name: a TypeError for a non-string, DTYPE listing the supported ones. */
export function checkDType(d: unknown, op: string): DType {
  if (typeof d !== "string") throw new TypeError(`${op}: dtype must be a string, got ${typeof d}`);
  if (!isDType(d)) {
    throw new CobaltError("DTYPE", `${op}: unsupported dtype ${JSON.stringify(d)} ${supported()}`);
  }
  return d;
}

/** The integer range of an int dtype, as numbers (int64's upper bound is exclusive: 2^63). */
const INT_RANGE: Readonly<Record<string, readonly [number, number]>> = Object.assign(Object.create(null), {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  int64: [-(2 ** 63), 2 ** 63],
  uint8: [0, 255],
});

/**
 * Why JS number `v` cannot be stored exactly in integer dtype `dtype` (numpy raises for a Python
 * int out of range), or undefined when it can, or when `dtype` is not an integer dtype.
 */
export function intProblem(v: number, dtype: DType): string | undefined {
  const r = INT_RANGE[dtype];
  if (r === undefined) return undefined;
  // numpy: a fraction converts toward zero (np.array([1.7], dtype=np.int32) is [1]); NaN, the
  // infinities and values out of range are refused
  if (!Number.isFinite(v)) return `${v} cannot be converted to ${dtype}`;
  const t = Math.trunc(v);
  if (t < r[0] || (dtype === "int64" ? t >= r[1] : t > r[1])) {
    const hi = dtype === "int64" ? "2^63 - 1" : String(r[1]);
    return `${v} is out of range for ${dtype} (${dtype === "int64" ? "-2^63" : r[0]}..${hi})`;
  }
  return undefined;
}

/** Throws CobaltError "INVALID_ARGUMENT" naming the op when `v` does not fit integer `dtype`. */
export function checkIntValue(v: number, dtype: DType, op: string): void {
  const p = intProblem(v, dtype);
  if (p !== undefined) throw new CobaltError("INVALID_ARGUMENT", `${op}: ${p}`);
}

/** Sets every non-zero byte of bool data to 1 in place (a bool element is the byte 0 or 1). */
export function normaliseBool(bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 1) bytes[i] = 1;
}

/** Whether bool data holds a byte other than 0 and 1. */
export function hasNonBoolBytes(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 1) return true;
  return false;
}

/** The dtype of a TypedArray, or undefined when cobalt has none for it. */
export function dtypeOfArray(a: ArrayBufferView): DType | undefined {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Int32Array) return "int32";
  if (a instanceof BigInt64Array) return "int64";
  if (a instanceof Uint8Array || a instanceof Uint8ClampedArray) return "uint8";
  if (F16 !== Uint16Array && a instanceof F16) return "float16";
  return undefined;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The number a bfloat16 bit pattern stands for. */
export function bf16ToNumber(bits: number): number {
  u32[0] = bits << 16;
  return f32[0]!;
}

/** Reads element `i` of a dtype's view as a JS number (int64 through Number: exact to 2^53). */
export function reader(dtype: DType): (a: TypedArray, i: number) => number {
  switch (dtype) {
    case "int64":
      return (a, i) => Number((a as BigInt64Array)[i]);
    case "bfloat16":
      return (a, i) => bf16ToNumber((a as Uint16Array)[i]!);
    case "float16":
      if (F16 === Uint16Array) return (a, i) => f16ToNumber((a as Uint16Array)[i]!);
      return (a, i) => (a as Float32Array)[i]!;
    default:
      return (a, i) => (a as Float32Array)[i]!;
  }
}

/** The number a float16 bit pattern stands for (for runtimes without Float16Array). */
export function f16ToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 0x1f) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}
