/**
 * `CobaltError`: every failure the native core reports, with a stable string `code`.
 * @module
 */

/** Status names by native code (`cobalt_status_str`); index = code. Append-only. */
export const STATUS_CODES = [
  "OK",
  "INVALID_ARGUMENT",
  "SHAPE_MISMATCH",
  "DTYPE",
  "OUT_OF_MEMORY",
  "PANIC",
  "AXIS",
  "INDEX",
  "BORROWED",
  "LINALG",
] as const;

/**
 * The stable error codes: the native ones plus those raised by the binding itself
 * (`DISPOSED` for a tensor used after `dispose()`, `DETACHED` for a tensor whose adopted
 * ArrayBuffer was detached, `FORMAT` for a file or buffer that is not what it
 * claims, `LOAD` and `PERMISSION` for loading the library or a file).
 */
export type CobaltErrorCode =
  | "INVALID_ARGUMENT"
  | "SHAPE_MISMATCH"
  | "DTYPE"
  | "OUT_OF_MEMORY"
  | "PANIC"
  | "AXIS"
  | "INDEX"
  | "BORROWED"
  | "LINALG"
  | "FORMAT"
  | "DISPOSED"
  | "DETACHED"
  | "LOAD"
  | "PERMISSION"
  | "UNKNOWN";

/**
 * An error reported by cobalt. `code` is stable; `message` names the op and the shapes involved.
 *
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * try {
 *   cb.tensor([1, 2, 3]).add(cb.tensor([1, 2]));
 * } catch (e) {
 *   if (e instanceof cb.CobaltError && e.code === "SHAPE_MISMATCH") console.log(e.message);
 * }
 * ```
 */
export class CobaltError extends Error {
  /**
   * The stable code, e.g. "SHAPE_MISMATCH".
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * const t = cb.ones([2]);
   * t.dispose();
   * try {
   *   t.sum();
   * } catch (e) {
   *   console.log((e as cb.CobaltError).code); // "DISPOSED"
   * }
   * ```
   */
  readonly code: CobaltErrorCode;

  /** An error with a stable `code`; `options.cause` chains the underlying error. */
  constructor(code: CobaltErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CobaltError";
    this.code = code;
  }
}

/** The code string for a native status number. */
export function codeOf(status: number): CobaltErrorCode {
  const c = STATUS_CODES[status];
  return c === undefined || c === "OK" ? "UNKNOWN" : (c as CobaltErrorCode);
}
