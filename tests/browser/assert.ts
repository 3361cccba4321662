/**
 * The part of `node:assert/strict` the browser bundle of tests/wasm_smoke.ts uses (a browser has
 * no node:assert); scripts/build-web.mjs substitutes it.
 */
export class AssertionError extends Error {
  override name = "AssertionError";
}

function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length &&
    ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
const show = (v: unknown) => {
  try {
    return JSON.stringify(v, (_, x) => typeof x === "bigint" ? `${x}n` : x);
  } catch {
    return String(v);
  }
};

const assert = {
  ok(v: unknown, msg?: string): void {
    if (!v) throw new AssertionError(msg ?? `expected a truthy value, got ${show(v)}`);
  },
  equal(a: unknown, b: unknown, msg?: string): void {
    if (!Object.is(a, b)) throw new AssertionError(msg ?? `${show(a)} !== ${show(b)}`);
  },
  deepEqual(a: unknown, b: unknown, msg?: string): void {
    if (!same(a, b)) throw new AssertionError(msg ?? `${show(a)} is not deep-equal to ${show(b)}`);
  },
  match(s: string, re: RegExp, msg?: string): void {
    if (!re.test(s)) throw new AssertionError(msg ?? `${show(s)} does not match ${re}`);
  },
  fail(msg?: string): never {
    throw new AssertionError(msg ?? "failed");
  },
  throws(f: () => unknown, check?: (e: unknown) => boolean): void {
    try {
      f();
    } catch (e) {
      if (check && check(e) !== true) throw new AssertionError(`the error did not pass the check: ${e}`);
      return;
    }
    throw new AssertionError("Missing expected exception.");
  },
};
export default assert;
