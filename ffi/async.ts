/**
 * Off the JS thread: async ops run on the native pool and resolve to tensors; the pool's size;
 * and tensors handed to Workers without copying their data.
 *
 * Deno and Node await a job with a non-blocking FFI call (Deno's `nonblocking` symbol, koffi's
 * `async` call: the blocking wait runs on the runtime's own thread pool and resolves a Promise).
 * bun:ffi has no non-blocking calls, so in Bun a job is polled:
 * on the next few event-loop turns (`setImmediate`, microseconds apart, so short jobs resolve
 * fast), then with timers backing off from 1 to 4 ms (so long jobs cost the JS thread almost
 * nothing). The JS thread is never blocked in any runtime, except by jobs too small to be worth a
 * thread: below ~16K elements (or multiply-adds, for matmul) the kernel runs when the job is started,
 * a few microseconds, and the Promise resolves on the next microtask.
 * @module
 */
import { lib } from "./load.ts";
import type { Ptr } from "./native.ts";
import type { DType } from "./dtype.ts";
import { CobaltError } from "./errors.ts";
import { check, fail, reapAdoptions, sym } from "./core.ts";
import { Tensor, wrap } from "./tensor.ts";

/** Deno and Node have a non-blocking wait; Bun polls. */
const waits = lib.runtime !== "bun";

// deno-lint-ignore no-explicit-any
const setImmediate_: (f: () => void) => void = (globalThis as any).setImmediate ??
  ((f: () => void) => setTimeout(f, 0));

function nextTurn(): Promise<void> {
  return new Promise((r) => setImmediate_(r));
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function finished(job: Ptr): Promise<void> {
  // A small job ran when it was started (the native side runs work under ~16K elements inline):
  // no wait, no thread hand-off.
  const s0 = sym.cobalt_job_poll(job);
  if (s0 < 0) check(-s0);
  if (s0 === 1) return;
  if (waits) {
    check(await sym.cobalt_job_wait(job));
    return;
  }
  let delay = 0;
  for (let turn = 0;; turn++) {
    const s = sym.cobalt_job_poll(job);
    if (s < 0) check(-s);
    if (s === 1) return;
    if (turn < 64) await nextTurn();
    else {
      delay = Math.min(delay * 2 || 1, 4);
      await sleep(delay);
    }
  }
}

/**
 * Starts a job on `inputs` with `start` (given their handles) and resolves to its result. The job
 * holds native references to what it reads, so disposing the inputs meanwhile is safe. An input
 * over adopted JS memory (`copy: false`) is copied first: the job runs on another thread while JS
 * runs, and the JS engine may take that memory back (a detached buffer) at any time. Argument
 * errors (a disposed input, a bad axis) throw synchronously, as before any job exists.
 */
export function runJob(inputs: Tensor[], start: (...handles: Ptr[]) => Ptr, dtype?: DType): Promise<Tensor> {
  const hs: Ptr[] = [];
  const copies: Ptr[] = [];
  let job: Ptr;
  try {
    for (const t of inputs) {
      let h = t.handle;
      if (t.keep !== undefined) {
        h = sym.cobalt_clone(h);
        if (lib.isNull(h)) fail();
        copies.push(h);
      }
      hs.push(h);
    }
    job = start(...hs);
  } finally {
    for (const h of copies) sym.cobalt_release(h); // the job holds its own references
  }
  return run(job, dtype);
}

async function run(job: Ptr, dtype?: DType): Promise<Tensor> {
  if (lib.isNull(job)) fail();
  try {
    await finished(job);
    return wrap(sym.cobalt_job_result(job), dtype);
  } finally {
    sym.cobalt_job_release(job);
    reapAdoptions();
  }
}

/**
 * The number of threads in the native pool that runs async ops and large kernels.
 * Set with `COBALT_NUM_THREADS` before start, or `setNumThreads`.
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.numThreads(); // 2 on a 2-core machine
 * ```
 */
export function numThreads(): number {
  return sym.cobalt_num_threads();
}

/**
 * Resizes the native pool (1 to 1024 threads). The JS runtime's own threads (Deno's blocking pool
 * that awaits jobs, Bun's) are separate: the pool only runs cobalt's kernels.
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.setNumThreads(1);
 * ```
 */
export function setNumThreads(n: number): void {
  if (typeof n !== "number" || !Number.isInteger(n)) {
    throw new TypeError(`setNumThreads: n must be an integer, got ${typeof n === "number" ? n : typeof n}`);
  }
  if (n < 1 || n > 1024) {
    throw new CobaltError("INVALID_ARGUMENT", `setNumThreads: n must be in 1..1024, got ${n}`);
  }
  check(sym.cobalt_set_num_threads(n));
}

/** A tensor reference that can be posted to a Worker (structured-clone safe): see `share`. */
export interface SharedTensor {
  /** Marks the object for `fromShared`. */
  readonly cobalt: "shared-tensor";
  /** The token `fromShared` redeems (once) for the native tensor's reference. */
  readonly token: number;
  /** The dtype, for information (`fromShared` reads the real one from the native tensor). */
  readonly dtype: DType;
}

/**
 * A reference to `t`'s native tensor for another thread: post it to a Worker and call
 * `cb.fromShared` there. No data is copied (native storage is shared through the atomic refcount),
 * except for tensors that adopted JS memory (`copy: false`), which are copied once into native
 * memory because a JS buffer cannot leave its thread. Each shared object carries one reference,
 * held natively under a token: `fromShared` redeems it once (a second claim throws); `cb.unshare`
 * drops one that will never be claimed (e.g. the Worker died).
 *
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const t = cb.ones([2, 2]);
 * const token = cb.share(t); // post it to a Worker: worker.postMessage(token)
 * cb.fromShared(token).sum().item(); // 4 (there: cb.fromShared(e.data); here for the example)
 * ```
 */
export function share(t: Tensor): SharedTensor {
  if (!(t instanceof Tensor)) throw new TypeError("share: expected a Tensor");
  const token = sym.cobalt_share(t.handle);
  if (token === 0) fail();
  return { cobalt: "shared-tensor", token, dtype: t.dtype };
}

function tokenOf(s: SharedTensor, op: string): number {
  if (s === null || typeof s !== "object" || s.cobalt !== "shared-tensor" || typeof s.token !== "number") {
    throw new TypeError(`${op}: expected the object cb.share() returned`);
  }
  return s.token;
}

/**
 * Redeems the reference a `share` call made and wraps it as a Tensor of this thread. The dtype and
 * shape come from the native tensor. Each shared object is redeemed once: a second `fromShared`
 * of it (here or in another Worker), or an object `share` did not make, throws `CobaltError`
 * "INVALID_ARGUMENT".
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * // in a Worker: self.onmessage = (e) => { using t = cb.fromShared(e.data); ... }
 * const token = cb.share(cb.arange(4));
 * using t = cb.fromShared(token);
 * t.sum().item(); // 6
 * ```
 */
export function fromShared(s: SharedTensor): Tensor {
  const token = tokenOf(s, "fromShared");
  return wrap(sym.cobalt_from_shared(token));
}

/**
 * Drops the reference a `share` call made, when it will never be redeemed (the Worker it was
 * posted to ended first). Returns true if it was still outstanding.
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const s = cb.share(cb.ones([2]));
 * // ... the Worker it was posted to ended before redeeming it:
 * cb.unshare(s); // true: it was never claimed
 * ```
 */
export function unshare(s: SharedTensor): boolean {
  return sym.cobalt_unshare(tokenOf(s, "unshare")) === 1;
}
