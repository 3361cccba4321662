/**
 * `cb.linalg`: numpy.linalg for float32 and float64 (integers and bool compute in float64), batched
 * over leading axes. The decompositions (`solve`, `inv`, `det`, `slogdet`, `cholesky`, `qr`, `svd`,
 * `eigh`) are native: blocked LU with partial pivoting on the packed GEMM, Householder QR,
 * Householder tridiagonalisation + implicit QL, one-sided Jacobi SVD (preconditioned). The rest (`norm`, `lstsq`,
 * `pinv`, `matrixRank`, `matrixPower`, `eigvalsh`) are short compositions whose intermediates are
 * freed before they return. A singular matrix (`solve`, `inv`), one that is not positive definite
 * (`cholesky`) or an iteration that does not converge throws `CobaltError` "LINALG".
 * @module
 */
import { CobaltError } from "./errors.ts";
import { DTYPES } from "./dtype.ts";
import { axisIn, integer, show } from "./ints.ts";
import { boolOption, checkOptions } from "./options.ts";
import { sym } from "./core.ts";
import { fmtShape, type Tensor, wrap } from "./tensor.ts";
import { scope } from "./scope.ts";
import { asTensor, matmul, where } from "./ops.ts";
import { eye, zeros } from "./create.ts";

// COBALT_LINALG_* (cobalt.h)
const SOLVE = 0, INV = 1, DET = 2, SLOGDET = 3, CHOLESKY = 4, QR = 5, SVD = 6, EIGH = 7;

/** One native decomposition: its `nout` outputs (the first returned, the others taken after). */
function native(op: number, a: Tensor, b: Tensor | null, flags: number, nout: number): Tensor[] {
  const first = wrap(sym.cobalt_linalg(op, a.handle, b === null ? null : b.handle, flags));
  const out = [first];
  for (let i = 1; i < nout; i++) out.push(wrap(sym.cobalt_linalg_output(i)));
  return out;
}

/** numpy's float result dtype for `t`: float32 stays, everything else is float64. */
const resultDtype = (t: Tensor) => t.dtype === "float32" ? "float32" : "float64";

function needMatrix(a: Tensor, op: string): void {
  if (a.ndim < 2) {
    throw new CobaltError(
      "SHAPE_MISMATCH",
      `${op}: needs a matrix (at least 2 dims), got shape ${fmtShape(a.shape)}`,
    );
  }
}

function needSquare(a: Tensor, op: string): void {
  needMatrix(a, op);
  if (a.shape.at(-1) !== a.shape.at(-2)) {
    throw new CobaltError(
      "SHAPE_MISMATCH",
      `${op}: the last 2 dims must be square, got shape ${fmtShape(a.shape)}`,
    );
  }
}

// ---- native decompositions ----------------------------------------------------------------------

/**
 * Solves `a @ x = b` (numpy `linalg.solve`): `a` (..., n, n); `b` (n,) is one vector (the result
 * is (..., n)), otherwise `b` is (..., n, k) and the batch dims broadcast. Throws "LINALG" when a
 * matrix is singular.
 * @param a square matrices (..., n, n)
 * @param b right-hand sides (n,) or (..., n, k)
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const x = cb.linalg.solve(cb.tensor([[3, 1], [1, 2]]), cb.tensor([9, 8]));
 * x.toArray(); // [2, 3]
 * ```
 */
export function solve(a: Tensor, b: Tensor): Tensor {
  asTensor(a, "solve");
  asTensor(b, "solve");
  needSquare(a, "solve");
  if (b.ndim === 0) {
    throw new CobaltError(
      "SHAPE_MISMATCH",
      `solve: b must have at least 1 dim, got shape ${fmtShape(b.shape)}`,
    );
  }
  if (b.ndim > 1) return native(SOLVE, a, b, 0, 1)[0]!;
  return scope(() => {
    const x = native(SOLVE, a, b.reshape(b.shape[0]!, 1), 0, 1)[0]!;
    return x.reshape(x.shape.slice(0, -1));
  });
}

/**
 * The inverse of each square matrix (numpy `linalg.inv`); throws "LINALG" when one is singular.
 * @param a square matrices (..., n, n)
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.linalg.inv(cb.tensor([[2, 0], [0, 4]])).toArray(); // [[0.5, 0], [0, 0.25]]
 * ```
 */
export function inv(a: Tensor): Tensor {
  asTensor(a, "inv");
  needSquare(a, "inv");
  return native(INV, a, null, 0, 1)[0]!;
}

/**
 * The determinant of each square matrix (numpy `linalg.det`), from an LU factorization; 0 for a
 * singular matrix, 1 for a 0 x 0 one.
 * @param a square matrices (..., n, n)
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.linalg.det(cb.tensor([[1, 2], [3, 4]])).item(); // -2 (within rounding)
 * ```
 */
export function det(a: Tensor): Tensor {
  asTensor(a, "det");
  needSquare(a, "det");
  return native(DET, a, null, 0, 1)[0]!;
}

/** The result of {@linkcode slogdet}: `det = sign * exp(logabsdet)`. */
export interface SlogdetResult {
  /** 1 or -1 (0 for a singular matrix). */
  sign: Tensor;
  /** log |det| (-Infinity for a singular matrix). */
  logabsdet: Tensor;
}

/**
 * The sign and the natural log of the absolute determinant (numpy `linalg.slogdet`), which does
 * not overflow where `det` would; a singular matrix gives sign 0 and logabsdet -Infinity.
 * @param a square matrices (..., n, n)
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const { sign, logabsdet } = cb.linalg.slogdet(cb.eye(3).mul(10));
 * sign.item(); // 1
 * logabsdet.item(); // 6.907755278982137 (3 * ln 10)
 * ```
 */
export function slogdet(a: Tensor): SlogdetResult {
  asTensor(a, "slogdet");
  needSquare(a, "slogdet");
  const [sign, logabsdet] = native(SLOGDET, a, null, 0, 2);
  return { sign: sign!, logabsdet: logabsdet! };
}

/** Options of {@linkcode cholesky}. */
export interface CholeskyOptions {
  /** Return the upper factor `U` (`a = U^T U`) instead of the lower one (default false). */
  upper?: boolean;
}

/**
 * The Cholesky factor of each symmetric positive-definite matrix (numpy `linalg.cholesky`): the
 * lower `L` with `a = L L^T` (only the lower triangle of `a` is read). Throws "LINALG" when a
 * matrix is not positive definite.
 * @param a symmetric positive-definite matrices (..., n, n)
 * @param opts `upper`: the upper factor instead (default false)
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.linalg.cholesky(cb.tensor([[4, 2], [2, 5]])).toArray(); // [[2, 0], [1, 2]]
 * ```
 */
export function cholesky(a: Tensor, opts?: CholeskyOptions): Tensor {
  asTensor(a, "cholesky");
  checkOptions(opts, ["upper"], "cholesky");
  const upper = boolOption(opts?.upper, "cholesky", "upper");
  needSquare(a, "cholesky");
  return native(CHOLESKY, a, null, upper ? 1 : 0, 1)[0]!;
}

/** The mode of {@linkcode qr}. */
export type QrMode = "reduced" | "complete" | "r";

/** Options of {@linkcode qr}. */
export interface QrOptions {
  /** "reduced": q (..., m, k), r (..., k, n) with k = min(m, n); "complete": q (..., m, m), r (..., m, n); "r": r only (default "reduced"). */
  mode?: QrMode;
}

/** The result of {@linkcode qr}: `a = q @ r`, q with orthonormal columns, r upper triangular. */
export interface QrResult {
  /** The orthonormal factor. */
  q: Tensor;
  /** The upper-triangular factor. */
  r: Tensor;
}

/**
 * The QR factorization of each matrix (numpy `linalg.qr`, Householder reflections as LAPACK's
 * `geqrf`, so the signs match numpy's): `{ q, r }`, or the tensor `r` alone with `mode: "r"`.
 * @param a matrices (..., m, n)
 * @param opts `mode`: "reduced", "complete" or "r" (default "reduced")
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const { q, r } = cb.linalg.qr(cb.tensor([[3, 1], [4, 2]]));
 * r.toArray(); // [[-5, -2.2], [0, -0.4]] (within rounding)
 * q.matmul(r).toArray(); // [[3, 1], [4, 2]] (within rounding)
 * ```
 */
export function qr(a: Tensor, opts: QrOptions & { mode: "r" }): Tensor;
export function qr(a: Tensor, opts?: QrOptions): QrResult;
export function qr(a: Tensor, opts?: QrOptions): QrResult | Tensor {
  asTensor(a, "qr");
  checkOptions(opts, ["mode"], "qr");
  const mode = opts?.mode ?? "reduced";
  const code = mode === "reduced" ? 0 : mode === "complete" ? 1 : mode === "r" ? 2 : undefined;
  if (code === undefined) {
    throw new TypeError(`qr: mode must be "reduced", "complete" or "r", got ${show(mode)}`);
  }
  needMatrix(a, "qr");
  if (code === 2) return native(QR, a, null, 2, 1)[0]!;
  const [q, r] = native(QR, a, null, code, 2);
  return { q: q!, r: r! };
}

/** Options of {@linkcode svd}. */
export interface SvdOptions {
  /** u (..., m, m) and vh (..., n, n) instead of (..., m, k) and (..., k, n), k = min(m, n) (default true). */
  fullMatrices?: boolean;
  /** Compute u and vh; false returns the singular values alone (default true). */
  computeUv?: boolean;
}

/** The result of {@linkcode svd}: `a = u @ diag(s) @ vh`. */
export interface SvdResult {
  /** The left singular vectors (columns). */
  u: Tensor;
  /** The singular values, descending (..., k). */
  s: Tensor;
  /** The right singular vectors (rows). */
  vh: Tensor;
}

/**
 * The singular value decomposition of each matrix (numpy `linalg.svd`; one-sided Jacobi sweeps
 * started from the eigenvectors of the Gram matrix): `{ u, s, vh }` with `s` descending, or the
 * tensor `s` alone with `computeUv: false`. Each singular vector pair is unique up to its sign only.
 * @param a matrices (..., m, n)
 * @param opts `fullMatrices` (default true), `computeUv` (default true)
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const a = cb.tensor([[3, 0], [0, -4]]);
 * cb.linalg.svd(a, { computeUv: false }).toArray(); // [4, 3]
 * const { u, s, vh } = cb.linalg.svd(a);
 * u.mul(s).matmul(vh).toArray(); // [[3, 0], [0, -4]] (within rounding)
 * ```
 */
export function svd(a: Tensor, opts: SvdOptions & { computeUv: false }): Tensor;
export function svd(a: Tensor, opts?: SvdOptions): SvdResult;
export function svd(a: Tensor, opts?: SvdOptions): SvdResult | Tensor {
  asTensor(a, "svd");
  checkOptions(opts, ["fullMatrices", "computeUv"], "svd");
  const full = boolOption(opts?.fullMatrices, "svd", "fullMatrices", true);
  const uv = boolOption(opts?.computeUv, "svd", "computeUv", true);
  needMatrix(a, "svd");
  if (!uv) return native(SVD, a, null, 0, 1)[0]!;
  const [u, s, vh] = native(SVD, a, null, 2 | (full ? 1 : 0), 3);
  return { u: u!, s: s!, vh: vh! };
}

/** Options of {@linkcode eigh} and {@linkcode eigvalsh}. */
export interface EighOptions {
  /** The triangle of `a` read: "L" (lower) or "U" (upper) (default "L"). */
  uplo?: "L" | "U";
}

/** The result of {@linkcode eigh}: `a = v @ diag(w) @ v^T`. */
export interface EighResult {
  /** The eigenvalues, ascending (..., n). */
  eigenvalues: Tensor;
  /** The unit eigenvectors, column j for eigenvalue j (..., n, n); each unique up to its sign. */
  eigenvectors: Tensor;
}

function uploFlag(opts: EighOptions | undefined, op: string): number {
  checkOptions(opts, ["uplo"], op);
  const u = opts?.uplo ?? "L";
  if (u !== "L" && u !== "U") throw new TypeError(`${op}: uplo must be "L" or "U", got ${show(u)}`);
  return u === "U" ? 1 : 0;
}

/**
 * Eigenvalues (ascending) and eigenvectors of each symmetric matrix (numpy `linalg.eigh`; only the
 * triangle `uplo` of `a` is read).
 * @param a symmetric matrices (..., n, n)
 * @param opts `uplo`: "L" or "U" (default "L")
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const { eigenvalues, eigenvectors } = cb.linalg.eigh(cb.tensor([[2, 1], [1, 2]]));
 * eigenvalues.toArray(); // [1, 3] (within rounding)
 * eigenvectors.shape; // [2, 2]
 * ```
 */
export function eigh(a: Tensor, opts?: EighOptions): EighResult {
  asTensor(a, "eigh");
  const flags = uploFlag(opts, "eigh");
  needSquare(a, "eigh");
  const [w, v] = native(EIGH, a, null, flags | 2, 2);
  return { eigenvalues: w!, eigenvectors: v! };
}

/**
 * The eigenvalues (ascending) of each symmetric matrix (numpy `linalg.eigvalsh`), without vectors.
 * @param a symmetric matrices (..., n, n)
 * @param opts `uplo`: "L" or "U" (default "L")
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.linalg.eigvalsh(cb.tensor([[2, 1], [1, 2]])).toArray(); // [1, 3] (within rounding)
 * ```
 */
export function eigvalsh(a: Tensor, opts?: EighOptions): Tensor {
  asTensor(a, "eigvalsh");
  const flags = uploFlag(opts, "eigvalsh");
  needSquare(a, "eigvalsh");
  return native(EIGH, a, null, flags, 1)[0]!;
}

// ---- compositions -------------------------------------------------------------------------------

const EPS: Record<string, number> = { float32: 1.1920928955078125e-7, float64: 2.220446049250313e-16 };

function numberOption(v: unknown, op: string, name: string, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "number" || Number.isNaN(v)) {
    throw new TypeError(`${op}: option ${name} must be a number, got ${show(v)}`);
  }
  return v;
}

/** Options of {@linkcode lstsq}. */
export interface LstsqOptions {
  /** Singular values at or below `rcond * largest` count as zero (default `eps * max(m, n)`). */
  rcond?: number;
}

/** The result of {@linkcode lstsq}. */
export interface LstsqResult {
  /** The minimum-norm least-squares solution (n,) or (n, k). */
  solution: Tensor;
  /** Squared residual norms per column (k,) ((1,) for a vector b) when rank = n < m; else empty (0,). */
  residuals: Tensor;
  /** The effective rank of `a`. */
  rank: number;
  /** The singular values of `a`, descending. */
  singularValues: Tensor;
}

/**
 * The least-squares solution of `a @ x = b` (numpy `linalg.lstsq`, through the SVD): the `x` of
 * smallest norm among those minimising `|b - a x|`. `a` is (m, n), `b` is (m,) or (m, k).
 * @param a the matrix (m, n)
 * @param b right-hand sides (m,) or (m, k)
 * @param opts `rcond`: relative cut-off of small singular values (default eps * max(m, n))
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const a = cb.tensor([[1, 0], [1, 1], [1, 2]]);
 * const { solution, rank } = cb.linalg.lstsq(a, cb.tensor([1, 2, 4]));
 * solution.toArray(); // [0.8333333333333334, 1.5] (within rounding)
 * rank; // 2
 * ```
 */
export function lstsq(a: Tensor, b: Tensor, opts?: LstsqOptions): LstsqResult {
  asTensor(a, "lstsq");
  asTensor(b, "lstsq");
  checkOptions(opts, ["rcond"], "lstsq");
  if (a.ndim !== 2 || (b.ndim !== 1 && b.ndim !== 2)) {
    throw new CobaltError(
      "SHAPE_MISMATCH",
      `lstsq: a must be 2-D and b 1-D or 2-D, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`,
    );
  }
  const [m, n] = a.shape as [number, number];
  if (b.shape[0] !== m) {
    throw new CobaltError(
      "SHAPE_MISMATCH",
      `lstsq: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} are not compatible`,
    );
  }
  const dtype = resultDtype(a) === "float64" || resultDtype(b) === "float64" ? "float64" : "float32";
  const rcond = numberOption(opts?.rcond, "lstsq", "rcond", EPS[dtype]! * Math.max(m, n));
  return scope(() => {
    const x = a.astype(dtype), y = b.astype(dtype);
    const b2 = y.ndim === 1 ? y.reshape(m, 1) : y;
    const { u, s, vh } = svd(x, { fullMatrices: false });
    const sv = s.toArray() as number[];
    const cutoff = (rcond < 0 ? EPS[dtype]! : rcond) * (sv[0] ?? 0);
    const rank = sv.filter((v) => v > cutoff).length;
    const k = b2.shape[1]!;
    let sol: Tensor;
    if (rank === 0) {
      sol = zeros([n, k], { dtype });
    } else {
      // x = V_r diag(1/s_r) U_r^T b
      const ur = u.slice(null, [0, rank]), sr = s.slice([0, rank]), vr = vh.slice([0, rank]);
      sol = vr.mT.matmul(ur.mT.matmul(b2).div(sr.reshape(rank, 1)));
    }
    let residuals: Tensor;
    if (rank === n && m > n) {
      const r = b2.sub(x.matmul(sol));
      residuals = r.mul(r).sum(0);
    } else {
      residuals = zeros([0], { dtype });
    }
    const solution = y.ndim === 1 ? sol.reshape(n) : sol;
    return { solution, residuals, rank, singularValues: s };
  });
}

/** Options of {@linkcode pinv}. */
export interface PinvOptions {
  /** Singular values at or below `rcond * largest` count as zero (default 1e-15, as numpy). */
  rcond?: number;
}

/**
 * The Moore-Penrose pseudo-inverse of each matrix (numpy `linalg.pinv`, through the SVD).
 * @param a matrices (..., m, n); the result is (..., n, m)
 * @param opts `rcond`: relative cut-off of small singular values (default 1e-15)
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.linalg.pinv(cb.tensor([[1, 2], [2, 4]])).toArray(); // [[0.04, 0.08], [0.08, 0.16]] (within rounding)
 * ```
 */
export function pinv(a: Tensor, opts?: PinvOptions): Tensor {
  asTensor(a, "pinv");
  checkOptions(opts, ["rcond"], "pinv");
  const rcond = numberOption(opts?.rcond, "pinv", "rcond", 1e-15);
  needMatrix(a, "pinv");
  const [m, n] = a.shape.slice(-2) as [number, number];
  if (m === 0 || n === 0) return zeros([...a.shape.slice(0, -2), n, m], { dtype: resultDtype(a) });
  return scope(() => {
    const { u, s, vh } = svd(a, { fullMatrices: false });
    const cutoff = s.max(-1, { keepdims: true }).mul(rcond);
    const large = s.gt(cutoff);
    const sinv = where(large, s.reciprocal(), 0).astype(s.dtype);
    return matmul(vh.mT, sinv.unsqueeze(-1).mul(u.mT));
  });
}

/** Options of {@linkcode matrixRank}. */
export interface MatrixRankOptions {
  /** Singular values at or below `tol` count as zero (default `largest * max(m, n) * eps`). */
  tol?: number;
  /** A relative tolerance instead: `rtol * largest` (default `max(m, n) * eps`). */
  rtol?: number;
}

/**
 * The rank of each matrix (numpy `linalg.matrix_rank`): how many singular values exceed the
 * tolerance; an int64 tensor of the batch shape. A vector or a scalar has rank 1 unless all zero.
 * @param a matrices (..., m, n)
 * @param opts `tol` (absolute) or `rtol` (relative) tolerance (default largest * max(m, n) * eps)
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.linalg.matrixRank(cb.tensor([[1, 2], [2, 4]])).item(); // 1
 * cb.linalg.matrixRank(cb.eye(3)).item(); // 3
 * ```
 */
export function matrixRank(a: Tensor, opts?: MatrixRankOptions): Tensor {
  asTensor(a, "matrixRank");
  checkOptions(opts, ["tol", "rtol"], "matrixRank");
  const tol = opts?.tol === undefined || opts.tol === null
    ? undefined
    : numberOption(opts.tol, "matrixRank", "tol", 0);
  const rtol = opts?.rtol === undefined || opts.rtol === null
    ? undefined
    : numberOption(opts.rtol, "matrixRank", "rtol", 0);
  if (a.ndim < 2) return scope(() => a.ne(0).any().astype("int64"));
  return scope(() => {
    const s = svd(a, { computeUv: false });
    const [m, n] = a.shape.slice(-2) as [number, number];
    let t: Tensor | number;
    if (tol !== undefined) t = tol;
    else if (s.shape.at(-1) === 0) t = 0;
    else t = s.max(-1, { keepdims: true }).mul(rtol ?? Math.max(m, n) * EPS[s.dtype]!);
    return s.gt(t).sum(-1).astype("int64");
  });
}

/**
 * `a` raised to the integer power `n` by repeated squaring (numpy `linalg.matrix_power`); `n = 0`
 * gives identities of `a`'s dtype, a negative `n` inverts first (float64 for integers).
 * @param a square matrices (..., m, m)
 * @param n the exponent, an integer
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.linalg.matrixPower(cb.tensor([[1, 1], [1, 0]], { dtype: "int32" }), 10).toArray(); // [[89, 55], [55, 34]]
 * cb.linalg.matrixPower(cb.tensor([[2, 0], [0, 4]]), -1).toArray(); // [[0.5, 0], [0, 0.25]]
 * ```
 */
export function matrixPower(a: Tensor, n: number): Tensor {
  asTensor(a, "matrixPower");
  let k = integer(n, "matrixPower", "n");
  if (Math.abs(k) > 2 ** 53 - 1) {
    throw new CobaltError("INVALID_ARGUMENT", `matrixPower: n ${k} is too large`);
  }
  needSquare(a, "matrixPower");
  const m = a.shape.at(-1)!;
  if (k === 0) return scope(() => eye(m, { dtype: a.dtype }).expand(a.shape).contiguous());
  return scope(() => {
    let x = a;
    if (k < 0) {
      x = inv(a);
      k = -k;
    }
    if (k === 1) return x.clone();
    if (k === 2) return matmul(x, x);
    if (k === 3) return matmul(matmul(x, x), x);
    let z: Tensor | undefined, result: Tensor | undefined;
    while (k > 0) {
      z = z === undefined ? x : matmul(z, z);
      const bit = k % 2;
      k = Math.floor(k / 2);
      if (bit) result = result === undefined ? z : matmul(result, z);
    }
    return result === x ? x.clone() : result!;
  });
}

/** The order of {@linkcode norm}: a number (including ±Infinity), "fro" (or "f") or "nuc". */
export type NormOrder = number | "fro" | "f" | "nuc";

/** Options of {@linkcode norm}. */
export interface NormOptions {
  /** The order (default: 2-norm of vectors, Frobenius of matrices). */
  ord?: NormOrder | null;
  /** One axis (vector norms), two (matrix norms), or all (default null: every axis). */
  axis?: number | [number, number] | null;
  /** Keep the reduced axes with size 1 (default false). */
  keepdims?: boolean;
}

/**
 * A vector or matrix norm (numpy `linalg.norm`). Vector orders: 2 (default), 1, Infinity,
 * -Infinity, 0 (count of non-zeros), any p; matrix orders: "fro" (default), "nuc", 1, -1, 2, -2,
 * Infinity, -Infinity. With no `axis`, a 1-D tensor takes a vector norm, a 2-D one a matrix norm, and
 * without `ord` any tensor the 2-norm of its flattened values. Integers compute in float64.
 * @param x the tensor
 * @param opts `ord` (default null), `axis` (default null), `keepdims` (default false)
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.linalg.norm(cb.tensor([3, 4])).item(); // 5
 * cb.linalg.norm(cb.tensor([[1, -2], [3, 4]]), { ord: Infinity }).item(); // 7
 * cb.linalg.norm(cb.tensor([[1, 2], [3, 4]]), { axis: 1, ord: 1 }).toArray(); // [3, 7]
 * ```
 */
export function norm(x: Tensor, opts?: NormOptions): Tensor {
  asTensor(x, "norm");
  checkOptions(opts, ["ord", "axis", "keepdims"], "norm");
  const keepdims = boolOption(opts?.keepdims, "norm", "keepdims");
  const ord = opts?.ord ?? null;
  if (ord !== null && typeof ord !== "number" && ord !== "fro" && ord !== "nuc" && ord !== "f") {
    throw new TypeError(`norm: ord must be a number, "fro" or "nuc", got ${show(ord)}`);
  }
  if (typeof ord === "number" && Number.isNaN(ord)) throw new TypeError("norm: ord must not be NaN");
  const rawAxis: unknown = opts?.axis ?? null;
  let axes: number[] | null = null;
  if (rawAxis !== null) {
    if (Array.isArray(rawAxis)) {
      if (rawAxis.length !== 1 && rawAxis.length !== 2) {
        throw new CobaltError("INVALID_ARGUMENT", `norm: axis must name 1 or 2 axes, got ${show(rawAxis)}`);
      }
      axes = rawAxis.map((a: unknown) => axisIn(a, x.ndim, "norm"));
    } else axes = [axisIn(rawAxis, x.ndim, "norm")];
  }
  const nd = x.ndim;
  return scope(() => {
    const t = DTYPES[x.dtype].kind === "float" ? x : x.astype("float64");
    if (
      axes === null &&
      (ord === null || ((ord === "fro" || ord === "f") && nd === 2) || (ord === 2 && nd === 1))
    ) {
      const r = t.mul(t).sum().sqrt();
      return keepdims ? r.reshape(Array(nd).fill(1)) : r;
    }
    if (axes === null) {
      if (nd !== 1 && nd !== 2) {
        throw new CobaltError(
          "INVALID_ARGUMENT",
          `norm: improper number of dimensions to norm (${nd}) for ord ${show(ord)}`,
        );
      }
      axes = nd === 1 ? [0] : [0, 1];
    }
    const kd = { keepdims };
    if (axes.length === 1) {
      const ax = axes[0]!;
      if (ord === Infinity) return t.abs().max(ax, kd);
      if (ord === -Infinity) return t.abs().min(ax, kd);
      if (ord === 0) return t.ne(0).astype(t.dtype).sum(ax, kd);
      if (ord === 1) return t.abs().sum(ax, kd);
      if (ord === null || ord === 2) return t.mul(t).sum(ax, kd).sqrt();
      if (typeof ord === "string") {
        throw new CobaltError("INVALID_ARGUMENT", `norm: invalid norm order ${show(ord)} for vectors`);
      }
      return t.abs().pow(ord).sum(ax, kd).pow(1 / ord);
    }
    let [row, col] = axes as [number, number];
    if (row === col) throw new CobaltError("AXIS", "norm: duplicate axes given");
    let r: Tensor;
    const svdNorm = (op: "max" | "min" | "sum") => {
      const s = svd(t.moveaxis([row, col], [-2, -1]), { computeUv: false });
      return op === "max" ? s.max(-1) : op === "min" ? s.min(-1) : s.sum(-1);
    };
    if (ord === 2) r = svdNorm("max");
    else if (ord === -2) r = svdNorm("min");
    else if (ord === "nuc") r = svdNorm("sum");
    else if (ord === 1 || ord === -1) {
      if (col > row) col -= 1;
      const s = t.abs().sum(row);
      r = ord === 1 ? s.max(col) : s.min(col);
    } else if (ord === Infinity || ord === -Infinity) {
      if (row > col) row -= 1;
      const s = t.abs().sum(col);
      r = ord === Infinity ? s.max(row) : s.min(row);
    } else if (ord === null || ord === "fro" || ord === "f") r = t.mul(t).sum(axes).sqrt();
    else throw new CobaltError("INVALID_ARGUMENT", `norm: invalid norm order ${show(ord)} for matrices`);
    if (keepdims) {
      const shape = [...x.shape];
      shape[axes[0]!] = 1;
      shape[axes[1]!] = 1;
      r = r.reshape(shape);
    }
    return r;
  });
}
