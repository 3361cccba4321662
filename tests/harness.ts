/**
 * One test API for both runners: `deno test` and `bun test` run the same files.
 * @module
 */
import assert from "node:assert/strict";
import { CobaltError } from "../ffi/errors.ts";

declare const Bun: { gc(force: boolean): void } | undefined;

type Fn = () => void | Promise<void>;

/** The runtime the tests run in. */
export const runtime: "deno" | "bun" = typeof Bun !== "undefined" ? "bun" : "deno";

// The specifier is computed so Deno never resolves it.
const bunTest = runtime === "bun" ? await import("bun:" + "test") : undefined;

/** Registers a test. */
export function test(name: string, fn: Fn, opts: { timeout?: number } = {}): void {
  if (bunTest) bunTest.test(name, fn, opts.timeout ?? 60_000);
  // deno-lint-ignore no-explicit-any
  else (globalThis as any).Deno.test({ name, fn, sanitizeOps: false, sanitizeResources: false });
}

/** Forces a full garbage collection (Deno needs --v8-flags=--expose-gc). */
export function gc(): void {
  if (runtime === "bun") Bun!.gc(true);
  else {
    // deno-lint-ignore no-explicit-any
    const g = (globalThis as any).gc;
    if (typeof g !== "function") throw new Error("run deno test with --v8-flags=--expose-gc");
    g();
  }
}

/** Lets pending finalization callbacks and timers run. */
export function tick(ms = 0): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * GC and wait until `done()` holds (finalizers run asynchronously after a collection), or give up
 * after `tries` rounds. Returns whether it held.
 */
export async function gcUntil(done: () => boolean, tries = 50): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    gc();
    await tick(i < 5 ? 0 : 20);
    if (done()) return true;
  }
  return false;
}

/** The live-memory counters of `cb.memory()` (without the reuse cache, which grows as tensors die). */
export function live(m: { tensors: number; bytes: number; externalBytes: number; cachedBytes?: number }) {
  return { tensors: m.tensors, bytes: m.bytes, externalBytes: m.externalBytes };
}

/** An assert.throws validator: exactly a CobaltError with `code`, its message matching `msg`. */
export function code(c: string, msg?: RegExp): (e: unknown) => true {
  return (e: unknown) => {
    assert.ok(e instanceof CobaltError, `expected a CobaltError, got ${e}`);
    assert.equal(e.code, c, e.message);
    if (msg) assert.match(e.message, msg);
    return true;
  };
}
