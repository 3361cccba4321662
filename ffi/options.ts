/**
 * Options objects: every public function's options reject unknown keys with a TypeError that names
 * the op, the key, the keys it takes and the closest one (edit distance), plus targeted hints for
 * the spellings of other libraries (tfjs's `keepDims`, torch's `keepdim` and `correction`...).
 * @module
 */
import { show } from "./ints.ts";

/** What to tell a user who passed `key`: `to` is the option meant (when `op` takes it). */
interface Hint {
  readonly to?: string;
  readonly ops?: readonly string[];
  readonly note: string;
}

const RANDN = ["randn", "randnLike"];
const AXIS_OPS = [
  ...["sum", "mean", "max", "min", "prod", "argmax", "argmin", "any", "all", "logsumexp", "var", "std"],
  ...["sumAsync", "meanAsync", "maxAsync", "sort", "argsort", "topk"],
];
const AXIS_NOTE = "the axis is an argument, not an option: e.g. t.sum(0, { keepdims: true })";

// A null-prototype table: a key like "constructor" or "__proto__" must not find Object's members.
const HINTS: Readonly<Record<string, Hint>> = Object.assign(Object.create(null), {
  keepDims: { to: "keepdims", note: "tfjs spells it keepDims; cobalt follows numpy" },
  keepdim: { to: "keepdims", note: "torch spells it keepdim; cobalt follows numpy" },
  keep_dims: { to: "keepdims", note: "cobalt follows numpy's keepdims" },
  correction: { to: "ddof", note: "torch's correction is numpy's ddof" },
  unbiased: { to: "ddof", note: "torch's unbiased: true is { ddof: 1 }" },
  mean: { ops: RANDN, note: "cb.normal is not there yet: use cb.randn(shape).mul(std).add(mean)" },
  std: { ops: RANDN, note: "cb.normal is not there yet: use cb.randn(shape).mul(std).add(mean)" },
  descending: { to: "largest", note: "topk takes { largest: false } for the smallest values" },
  largest: { to: "descending", note: "sort and argsort take { descending: true }" },
  stable: { ops: ["sort", "argsort"], note: "cobalt's sort is always stable" },
  axis: { ops: AXIS_OPS, note: AXIS_NOTE },
  dim: { ops: AXIS_OPS, note: AXIS_NOTE },
  device: { note: "cobalt computes on the CPU; there is no device option" },
});

/** Levenshtein distance (case-insensitive: "keepDims" is 0 from "keepdims"). */
function distance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** The allowed key closest to `key`, if it is close enough to be a typo. */
export function closest(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined, bestD = Infinity;
  for (const k of allowed) {
    const d = distance(key, k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return bestD <= Math.max(1, Math.floor(key.length / 3)) ? best : undefined;
}

function unknownKey(key: string, allowed: readonly string[], op: string): never {
  const hint = HINTS[key];
  const applies = hint !== undefined && (hint.ops === undefined || hint.ops.includes(op)) &&
    (hint.to === undefined || allowed.includes(hint.to));
  const to = applies ? hint.to : closest(key, allowed);
  let msg = `${op}: unknown option ${JSON.stringify(key)}`;
  if (to !== undefined) msg += `; did you mean ${JSON.stringify(to)}?`;
  if (applies) msg += ` (${hint.note})`;
  msg += msg.endsWith("?") ? " " : ". ";
  msg += `Options of ${op}: ${allowed.map((k) => JSON.stringify(k)).join(", ")}`;
  throw new TypeError(msg);
}

/**
 * Checks an options argument: `undefined` passes (at no cost); anything but an object (null, a
 * number, a string, an array) is a TypeError, and so is an own key not in `allowed` — unless its
 * value is `undefined`, which every option reads as "not given" (so forwarding `{ ddof: o.ddof }`
 * to any reduction stays valid).
 * @example
 * ```ts
 * import { checkOptions } from "./options.ts";
 * checkOptions({ keepdims: true }, ["keepdims"], "sum"); // fine
 * try {
 *   checkOptions({ keepDims: true }, ["keepdims"], "sum");
 * } catch (e) {
 *   console.log((e as Error).message); // sum: unknown option "keepDims"; did you mean "keepdims"? ...
 * }
 * ```
 */
export function checkOptions(opts: unknown, allowed: readonly string[], op: string): void {
  if (opts === undefined) return;
  // an object made by Object (a literal, of any realm, or Object.create of one): not an array, a
  // tensor, a Map or another class instance, whose own keys say nothing about what was meant
  const ctor = opts === null || typeof opts !== "object"
    ? undefined
    : (opts as { constructor?: unknown }).constructor;
  const classInstance = typeof ctor === "function" && ctor.name !== "Object";
  if (opts === null || typeof opts !== "object" || Array.isArray(opts) || classInstance) {
    throw new TypeError(
      `${op}: options must be an object like { ${allowed.join(", ")} }, got ${show(opts)}`,
    );
  }
  // for-in allocates no key array; inherited keys are skipped with the own-property test
  for (const k in opts) {
    if (allowed.includes(k) || !Object.hasOwn(opts, k)) continue;
    if ((opts as Record<string, unknown>)[k] !== undefined) unknownKey(k, allowed, op);
  }
}

/** A boolean option: `undefined` gives `fallback`; anything but a boolean is a TypeError. */
export function boolOption(v: unknown, op: string, name: string, fallback = false): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== "boolean") throw new TypeError(`${op}: option ${name} must be a boolean, got ${show(v)}`);
  return v;
}
