/**
 * numpy's random staples on cobalt's seeded native generator (`rand`/`randn`): `uniform`, `normal`,
 * `randint`, `permutation`, `choice`, and `Generator`, whose methods give reproducible streams. With
 * a seed, every function gives the same values in Deno, Bun, Node and on every platform (the values
 * are not numpy's: its generator is another algorithm).
 * @module
 */
import { CobaltError } from "./errors.ts";
import { type DType, DTYPES } from "./dtype.ts";
import { checkOptions } from "./options.ts";
import { MAX_DIM, show } from "./ints.ts";
import { scope } from "./scope.ts";
import { Tensor } from "./tensor.ts";
import { rand, randn } from "./create.ts";
import * as ops from "./ops.ts";
import { BINARY_OP, UNARY_OP } from "./opcodes.ts";

/** Options of the random functions. */
export interface RandomDrawOptions {
  /** A non-negative integer below 2^53: the same seed gives the same values everywhere. */
  seed?: number | undefined;
  /** The result's dtype: a float dtype (default "float32"); `randint`: an integer dtype (default "int64"). */
  dtype?: DType | undefined;
}
const KEYS = ["seed", "dtype"] as const;

function number(v: unknown, name: string, what: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new TypeError(`${name}: ${what} must be a finite number, got ${show(v)}`);
  }
  return v;
}
function seedOf(opts: RandomDrawOptions | undefined, name: string): { seed?: number } {
  checkOptions(opts, KEYS, name);
  return opts?.seed === undefined ? {} : { seed: opts.seed };
}
function floatDType(opts: RandomDrawOptions | undefined, name: string): DType {
  const d = opts?.dtype ?? "float32";
  if (!(d in DTYPES) || DTYPES[d].kind !== "float") {
    throw new CobaltError("DTYPE", `${name}: dtype must be a float dtype, got ${show(d)}`);
  }
  return d;
}

/**
 * numpy `uniform(low, high, size)`: floats in `[low, high)`.
 * @param low the lower bound (included)
 * @param high the upper bound (excluded)
 * @param shape the result's shape
 * @param opts `seed`, `dtype` (a float dtype, default "float32")
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.uniform(-1, 1, [2, 3], { seed: 7 }).shape; // [2, 3]
 * ```
 */
export function uniform(low: number, high: number, shape: number[], opts?: RandomDrawOptions): Tensor {
  const name = "uniform";
  number(low, name, "low");
  number(high, name, "high");
  const dtype = floatDType(opts, name);
  const seed = seedOf(opts, name);
  return scope(() => {
    const u = rand(shape, { ...seed, dtype: "float64" });
    return ops.binary(BINARY_OP.add, ops.binary(BINARY_OP.mul, u, high - low, false), low, false).astype(
      dtype,
    );
  });
}

/**
 * numpy `normal(loc, scale, size)`: floats from a normal distribution.
 * @param mean the mean
 * @param std the standard deviation (>= 0)
 * @param shape the result's shape
 * @param opts `seed`, `dtype` (a float dtype, default "float32")
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.normal(10, 2, [1000], { seed: 1 }).mean().item(); // about 10
 * ```
 */
export function normal(mean: number, std: number, shape: number[], opts?: RandomDrawOptions): Tensor {
  const name = "normal";
  number(mean, name, "mean");
  if (number(std, name, "std") < 0) {
    throw new CobaltError("INVALID_ARGUMENT", `normal: std must be >= 0, got ${std}`);
  }
  const dtype = floatDType(opts, name);
  const seed = seedOf(opts, name);
  return scope(() => {
    const z = randn(shape, { ...seed, dtype: "float64" });
    return ops.binary(BINARY_OP.add, ops.binary(BINARY_OP.mul, z, std, false), mean, false).astype(dtype);
  });
}

/**
 * numpy `randint(low, high, size)`: integers in `[low, high)`, uniformly.
 * @param low the lowest value (included)
 * @param high one past the highest value
 * @param shape the result's shape
 * @param opts `seed`, `dtype` ("int64" by default, or "int32", "uint8" when the range fits)
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.randint(0, 6, [4], { seed: 3 }).dtype; // "int64"
 * ```
 */
export function randint(low: number, high: number, shape: number[], opts?: RandomDrawOptions): Tensor {
  const name = "randint";
  for (const [v, w] of [[low, "low"], [high, "high"]] as const) {
    if (!Number.isSafeInteger(v)) throw new TypeError(`randint: ${w} must be an integer, got ${show(v)}`);
  }
  if (high <= low) {
    throw new CobaltError("INVALID_ARGUMENT", `randint: high (${high}) must be > low (${low})`);
  }
  const dtype = opts?.dtype ?? "int64";
  if (!(dtype in DTYPES) || DTYPES[dtype].kind !== "int") {
    throw new CobaltError("DTYPE", `randint: dtype must be an integer dtype, got ${show(dtype)}`);
  }
  const range: Record<string, [number, number]> = { int32: [-(2 ** 31), 2 ** 31 - 1], uint8: [0, 255] };
  const [lo, hi] = range[dtype] ?? [-MAX_DIM, MAX_DIM];
  if (low < lo || high - 1 > hi) {
    throw new CobaltError("INVALID_ARGUMENT", `randint: [${low}, ${high}) does not fit ${dtype}`);
  }
  const seed = seedOf(opts, name);
  return scope(() => {
    const u = rand(shape, { ...seed, dtype: "float64" });
    // floor(u * n) is in [0, n - 1]; the clamp guards the rounding of u * n up to n for huge n
    const k = ops.unary(UNARY_OP.floor, ops.binary(BINARY_OP.mul, u, high - low, false));
    return ops.binary(BINARY_OP.add, ops.clamp(k, null, high - low - 1), low, false).astype(dtype);
  });
}

/**
 * numpy `permutation`: a random order of `0..n-1` (int64), or the tensor with its first axis shuffled
 * (a copy).
 * @param x a count, or a tensor whose first axis is shuffled
 * @param opts `seed`
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.permutation(5, { seed: 1 }).sort().values.toArray(); // [0, 1, 2, 3, 4]
 * ```
 */
export function permutation(x: number | Tensor, opts?: { seed?: number | undefined }): Tensor {
  const name = "permutation";
  if (x instanceof Tensor && x.ndim === 0) {
    throw new CobaltError("INVALID_ARGUMENT", "permutation: a 0-d tensor has no axis to shuffle");
  }
  const n = x instanceof Tensor ? x.shape[0]! : x;
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new TypeError(`permutation: expected a count >= 0 or a tensor, got ${show(x)}`);
  }
  checkOptions(opts, ["seed"], name);
  return scope(() => {
    // the order that sorts n uniform keys is a uniformly random permutation (ties: probability ~0)
    const order = ops.argsort(rand([n], { ...seedOf(opts, name), dtype: "float64" }), 0);
    return x instanceof Tensor ? ops.take(x, order, 0) : order;
  });
}

/** Options of `choice`. */
export interface ChoiceOptions {
  /** Draw with replacement (default true, numpy's). */
  replace?: boolean | undefined;
  /** A non-negative integer below 2^53. */
  seed?: number | undefined;
}

/**
 * numpy `choice(a, size, replace)`: `shape` draws from `0..a-1` (int64) or from the elements of a
 * 1-D tensor, with or without replacement.
 * @param a a count, or a 1-D tensor to draw from
 * @param shape the result's shape
 * @param opts `replace` (default true), `seed`
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.choice(cb.tensor([10, 20, 30]), [2], { replace: false, seed: 4 }).shape; // [2]
 * ```
 */
export function choice(a: number | Tensor, shape: number[], opts?: ChoiceOptions): Tensor {
  const name = "choice";
  checkOptions(opts, ["replace", "seed"], name);
  if (a instanceof Tensor && a.ndim !== 1) {
    throw new CobaltError(
      "INVALID_ARGUMENT",
      `choice: a must be a count or a 1-D tensor, got ${a.ndim} dims`,
    );
  }
  const n = a instanceof Tensor ? a.shape[0]! : a;
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new TypeError(`choice: a must be a count >= 0 or a tensor, got ${show(a)}`);
  }
  if (!Array.isArray(shape)) throw new TypeError(`choice: shape must be an array, got ${show(shape)}`);
  const size = shape.reduce((p, d) => p * d, 1);
  const replace = opts?.replace ?? true;
  if (typeof replace !== "boolean") {
    throw new TypeError(`choice: replace must be a boolean, got ${show(replace)}`);
  }
  if (n === 0 && size > 0) {
    throw new CobaltError("INVALID_ARGUMENT", "choice: cannot draw from an empty population");
  }
  if (!replace && size > n) {
    throw new CobaltError("INVALID_ARGUMENT", `choice: cannot take ${size} without replacement from ${n}`);
  }
  const seed = opts?.seed === undefined ? {} : { seed: opts.seed };
  return scope(() => {
    const idx = replace
      ? randint(0, Math.max(n, 1), [size], seed)
      : ops.slice(permutation(n, seed), [[0, size]]);
    const picked = a instanceof Tensor ? ops.take(a, idx, 0) : idx.contiguous();
    return ops.reshape(picked, shape);
  });
}

// ---- Generator ----------------------------------------------------------------------------------------

const MASK64 = (1n << 64n) - 1n;

/**
 * A seeded stream of random draws (numpy's `Generator`): each call takes the next seed of a
 * SplitMix64 sequence, so a generator made with the same seed gives the same tensors, call after
 * call, in every runtime and on every platform.
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const g = cb.Generator(42);
 * const a = g.normal(0, 1, [3]);
 * const b = g.normal(0, 1, [3]);        // the next draw: other values
 * const c = cb.Generator(42).normal(0, 1, [3]);
 * cb.arrayEqual(a, c);                  // true
 * ```
 */
export class RandomGenerator {
  #state: bigint;

  /** @param seed a non-negative integer below 2^53 */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new TypeError(`Generator: seed must be an integer in 0..2^53-1, got ${show(seed)}`);
    }
    this.#state = BigInt(seed);
  }

  /** The next seed (SplitMix64, reduced to the 53 bits a seed holds). */
  #next(): number {
    this.#state = (this.#state + 0x9e3779b97f4a7c15n) & MASK64;
    let z = this.#state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
    z ^= z >> 31n;
    return Number(z >> 11n);
  }

  /**
   * Uniform floats in [0, 1) (`cb.rand`).
   * @param shape the result's shape
   * @param opts `dtype` (a float dtype, default "float32")
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.Generator(1).random([2, 2]).shape; // [2, 2]
   * ```
   */
  random(shape: number[], opts?: { dtype?: DType | undefined }): Tensor {
    checkOptions(opts, ["dtype"], "Generator.random");
    return rand(shape, { seed: this.#next(), ...(opts?.dtype ? { dtype: opts.dtype } : {}) });
  }
  /**
   * Standard normal floats (`cb.randn`).
   * @param shape the result's shape
   * @param opts `dtype` (a float dtype, default "float32")
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.Generator(1).standardNormal([3]).dtype; // "float32"
   * ```
   */
  standardNormal(shape: number[], opts?: { dtype?: DType | undefined }): Tensor {
    checkOptions(opts, ["dtype"], "Generator.standardNormal");
    return randn(shape, { seed: this.#next(), ...(opts?.dtype ? { dtype: opts.dtype } : {}) });
  }
  /**
   * `cb.uniform` from this stream.
   * @param low the lower bound
   * @param high the upper bound
   * @param shape the result's shape
   * @param opts `dtype`
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.Generator(1).uniform(-1, 1, [3]).max().item() < 1; // true
   * ```
   */
  uniform(low: number, high: number, shape: number[], opts?: { dtype?: DType | undefined }): Tensor {
    return uniform(low, high, shape, { ...dtypeOnly(opts, "Generator.uniform"), seed: this.#next() });
  }
  /**
   * `cb.normal` from this stream.
   * @param mean the mean
   * @param std the standard deviation
   * @param shape the result's shape
   * @param opts `dtype`
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.Generator(1).normal(5, 0, [2]).toArray(); // [5, 5]
   * ```
   */
  normal(mean: number, std: number, shape: number[], opts?: { dtype?: DType | undefined }): Tensor {
    return normal(mean, std, shape, { ...dtypeOnly(opts, "Generator.normal"), seed: this.#next() });
  }
  /**
   * `cb.randint` from this stream.
   * @param low the lowest value
   * @param high one past the highest value
   * @param shape the result's shape
   * @param opts `dtype`
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.Generator(1).integers(0, 2, [4]).max().item() <= 1; // true
   * ```
   */
  integers(low: number, high: number, shape: number[], opts?: { dtype?: DType | undefined }): Tensor {
    return randint(low, high, shape, { ...dtypeOnly(opts, "Generator.integers"), seed: this.#next() });
  }
  /**
   * `cb.permutation` from this stream.
   * @param x a count or a tensor
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.Generator(1).permutation(3).sort().values.toArray(); // [0, 1, 2]
   * ```
   */
  permutation(x: number | Tensor): Tensor {
    return permutation(x, { seed: this.#next() });
  }
  /**
   * `cb.choice` from this stream.
   * @param a a count or a 1-D tensor
   * @param shape the result's shape
   * @param opts `replace` (default true)
   * @example
   * ```ts
   * import * as cb from "@cobalt-tensor/cobalt";
   * cb.Generator(1).choice(cb.tensor([5, 6]), [3]).shape; // [3]
   * ```
   */
  choice(a: number | Tensor, shape: number[], opts?: { replace?: boolean | undefined }): Tensor {
    checkOptions(opts, ["replace"], "Generator.choice");
    return choice(a, shape, {
      ...(opts?.replace === undefined ? {} : { replace: opts.replace }),
      seed: this.#next(),
    });
  }
}

function dtypeOnly(opts: { dtype?: DType | undefined } | undefined, name: string): { dtype?: DType } {
  checkOptions(opts, ["dtype"], name);
  return opts?.dtype === undefined ? {} : { dtype: opts.dtype };
}

/**
 * A new `RandomGenerator` seeded with `seed` (numpy's `default_rng(seed)`): `cb.Generator(1)`,
 * with or without `new`.
 * @param seed a non-negative integer below 2^53
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const g = cb.Generator(7);
 * g.integers(0, 10, [5]).dtype; // "int64"
 * ```
 */
export function Generator(seed: number): RandomGenerator {
  return new RandomGenerator(seed);
}
