/**
 * One test API for every runner: `deno test`, `bun test` and `node --test` (on the tsc build) run
 * the same files.
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { CobaltError } from "../ffi/errors.ts";
import { lib } from "../ffi/load.ts";

declare const Bun: { gc(force: boolean): void } | undefined;

type Fn = () => void | Promise<void>;

// deno-lint-ignore no-explicit-any
const g = globalThis as any;

/** The runtime the tests run in. */
export const runtime: "deno" | "bun" | "node" = typeof Bun !== "undefined"
  ? "bun"
  : typeof g.Deno?.test === "function"
  ? "deno"
  : "node";

// The specifiers are computed so Deno never resolves them.
const bunTest = runtime === "bun" ? await import("bun:" + "test") : undefined;
const nodeTest = runtime === "node" ? await import("node:" + "test") : undefined;

/** The extension of the test sources being run: ".ts", or ".js" for the tsc build Node runs. */
export const ext: ".ts" | ".js" = import.meta.url.endsWith(".js") ? ".js" : ".ts";

/** The repository root (or the root of the tsc build), with a trailing slash. */
export const root: string = fileURLToPath(new URL("..", import.meta.url));

/** The executable of this runtime. */
export const exe: string = runtime === "deno" ? g.Deno.execPath() : g.process.execPath;

/** The arguments that make this runtime evaluate `code` as an ES module (run with `cwd` at `root`). */
export function evalArgs(code: string): string[] {
  if (runtime === "deno") return ["eval", "--quiet", "--ext=ts", code];
  if (runtime === "bun") return ["-e", code];
  return ["--input-type=module", "-e", code];
}

/** Registers a test. */
export function test(name: string, fn: Fn, opts: { timeout?: number } = {}): void {
  if (bunTest) bunTest.test(name, fn, opts.timeout ?? 60_000);
  else if (nodeTest) nodeTest.test(name, { timeout: opts.timeout ?? 60_000 }, fn);
  else g.Deno.test({ name, fn, sanitizeOps: false, sanitizeResources: false });
}

/**
 * Registers a test that cannot run in this runtime, as skipped with the reason (never counted as
 * passed): e.g. Web Workers in Node 20, which has `worker_threads` instead.
 */
export function skip(name: string, reason: string): void {
  if (bunTest) bunTest.test.skip(`${name} (skipped: ${reason})`, () => {});
  else if (nodeTest) nodeTest.test(name, { skip: reason }, () => {});
  else g.Deno.test({ name: `${name} (skipped: ${reason})`, ignore: true, fn: () => {} });
}

/** "native" or "wasm": the backend the suite runs against (`COBALT_BACKEND`). */
export const backend: "native" | "wasm" = lib.backend;

/**
 * A test of behaviour only the native backend has (threads, adopting JS memory, mapped files,
 * tensors shared between Workers): registered as skipped, with `reason`, on the WebAssembly backend,
 * whose own behaviour there is checked by tests/wasm_smoke.ts.
 */
export function nativeTest(name: string, reason: string, fn: Fn, opts: { timeout?: number } = {}): void {
  if (backend === "wasm") skip(name, `WebAssembly backend: ${reason}`);
  else test(name, fn, opts);
}

/** Forces a full garbage collection (Deno needs --v8-flags=--expose-gc). */
export function gc(): void {
  if (runtime === "bun") Bun!.gc(true);
  else {
    if (typeof g.gc !== "function") {
      throw new Error(
        runtime === "deno" ? "run deno test with --v8-flags=--expose-gc" : "run node with --expose-gc",
      );
    }
    g.gc();
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
