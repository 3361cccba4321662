/**
 * Integer arguments, checked before they cross the ABI. A JS number passed as an `int32_t` wraps
 * silently (`2 ** 32` arrives as 0) and one passed as a dim loses digits past 2^53, so every integer
 * a user gives is checked here first: a value that is not an integer number (NaN, 1.5, Infinity, a
 * string, a BigInt) is a TypeError; an integer outside the range its parameter allows is a
 * CobaltError naming the op.
 * @module
 */
import { CobaltError, type CobaltErrorCode } from "./errors.ts";

/** The int32 range of the ABI's `int32_t` parameters. */
export const INT32_MIN = -0x80000000;
/** The int32 range of the ABI's `int32_t` parameters. */
export const INT32_MAX = 0x7fffffff;
/** The largest dim (and element count) a JS number holds exactly: 2^53 - 1. */
export const MAX_DIM = Number.MAX_SAFE_INTEGER;

/** How a value is shown in a message. */
export function show(x: unknown): string {
  if (typeof x === "bigint") return `${x}n`;
  if (typeof x === "string") return JSON.stringify(x);
  if (Array.isArray(x)) return `[${x.map(show).join(", ")}]`;
  if (x !== null && typeof x === "object") return (x as object).constructor?.name ?? "object";
  return String(x);
}

/** `x` as an integer number, or a TypeError naming the op and what `x` is. */
export function integer(x: unknown, op: string, what: string): number {
  if (typeof x !== "number" || !Number.isInteger(x)) {
    throw new TypeError(`${op}: ${what} must be an integer, got ${show(x)}`);
  }
  return x;
}

/** An integer in `[lo, hi]`: a TypeError for a non-integer, CobaltError `code` outside the range. */
export function intIn(
  x: unknown,
  op: string,
  what: string,
  lo: number,
  hi: number,
  code: CobaltErrorCode = "INVALID_ARGUMENT",
): number {
  const v = integer(x, op, what);
  if (v < lo || v > hi) {
    if (code === "INDEX") throw new CobaltError(code, `${op}: ${what} ${v} is out of bounds`);
    throw new CobaltError(code, `${op}: ${what} must be in ${bound(lo)}..${bound(hi)}, got ${v}`);
  }
  return v;
}

function bound(v: number): string {
  return v === MAX_DIM ? "2^53-1" : v === -MAX_DIM ? "-(2^53-1)" : String(v);
}

/** A safe integer of any sign (slice bounds, diagonals): CobaltError `code` beyond ±(2^53 - 1). */
export function safeInt(x: unknown, op: string, what: string, code: CobaltErrorCode = "INVALID_ARGUMENT") {
  return intIn(x, op, what, -MAX_DIM, MAX_DIM, code);
}

/**
 * An axis passed to native code as an `int32_t`, which checks it against the tensor's ndim:
 * only the int32 range is checked here (CobaltError "AXIS" outside it).
 */
export function axis32(x: unknown, op: string): number {
  const v = integer(x, op, "axis");
  if (v < INT32_MIN || v > INT32_MAX) {
    throw new CobaltError("AXIS", `${op}: axis ${v} is out of bounds (an axis is in -ndim..ndim-1)`);
  }
  return v;
}

/** An axis normalised into `0..n-1`, or CobaltError "AXIS" naming the op. */
export function axisIn(x: unknown, n: number, op: string): number {
  const a = integer(x, op, "axis");
  if (a < -n || a >= n) {
    throw new CobaltError("AXIS", `${op}: axis ${a} is out of bounds for a tensor of dimension ${n}`);
  }
  return a < 0 ? a + n : a;
}

/**
 * A shape given by the user: an array of integers in `0..2^53-1`; with `infer`, one entry may be
 * -1 (reshape's inferred dim; expand's kept dim when `infer` is "each"). Non-arrays and
 * non-integers are TypeErrors (`example` completes the message, e.g. "cb.zeros([2, 3])");
 * negative or too large dims are CobaltError "INVALID_ARGUMENT".
 */
export function shapeArg(
  shape: unknown,
  op: string,
  example = "[2, 3]",
  infer: false | "one" | "each" = false,
): number[] {
  if (!Array.isArray(shape)) {
    throw new TypeError(`${op}: shape must be an array of integers, e.g. ${example}; got ${show(shape)}`);
  }
  let inferred = false;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d !== "number" || !Number.isInteger(d)) {
      throw new TypeError(`${op}: shape entries must be integers, got ${show(d)} in ${show(shape)}`);
    }
    if (d >= 0 && d <= MAX_DIM) continue;
    if (d === -1 && (infer === "each" || (infer === "one" && !inferred))) {
      inferred = true;
      continue;
    }
    if (d === -1 && infer === "one") {
      throw new CobaltError(
        "INVALID_ARGUMENT",
        `${op}: only one dim can be -1 (inferred), got ${show(shape)}`,
      );
    }
    throw new CobaltError(
      "INVALID_ARGUMENT",
      d < 0
        ? `${op}: negative dimension ${d} in shape ${show(shape)}`
        : `${op}: dimension ${d} in shape ${show(shape)} is larger than 2^53 - 1`,
    );
  }
  return shape;
}
