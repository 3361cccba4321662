/**
 * dtypes: names, native codes, element sizes and the TypedArray each one reads through.
 * Adding a dtype is one entry here plus one in `rust/src/dtype.rs`.
 * @module
 */
import { CobaltError } from "./errors.ts";

/** The element types cobalt stores. */
export type DType = "float32" | "float64";

/** A TypedArray of one of the supported dtypes. */
export type TypedArray = Float32Array | Float64Array;

interface DTypeInfo {
  readonly code: number;
  readonly size: number;
  readonly array: Float32ArrayConstructor | Float64ArrayConstructor;
}

/** Per-dtype facts; the code is the native `COBALT_*` dtype value. */
export const DTYPES: Readonly<Record<DType, DTypeInfo>> = {
  float32: { code: 0, size: 4, array: Float32Array },
  float64: { code: 1, size: 8, array: Float64Array },
};

/** dtype names by native code. */
export const DTYPE_BY_CODE: readonly DType[] = ["float32", "float64"];

/** The dtype used when none is given. */
export const DEFAULT_DTYPE: DType = "float32";

/** Checks a user-supplied dtype name. */
export function checkDType(d: unknown, op: string): DType {
  if (typeof d !== "string") throw new TypeError(`${op}: dtype must be a string, got ${typeof d}`);
  if (!(d in DTYPES)) {
    throw new CobaltError(
      "DTYPE",
      `${op}: unsupported dtype "${d}" (supported: ${Object.keys(DTYPES).join(", ")})`,
    );
  }
  return d as DType;
}

/** The dtype of a TypedArray, or undefined when cobalt has none for it. */
export function dtypeOfArray(a: ArrayBufferView): DType | undefined {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  return undefined;
}
