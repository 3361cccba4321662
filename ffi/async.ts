/**
 * Off the JS thread: async ops run on the native pool and resolve to tensors; the pool's size;
 * and tensors handed to Workers without copying their data.
 *
 * Deno awaits a job with a `nonblocking` FFI call (Deno runs the blocking wait on its own thread
 * pool and resolves a Promise). bun:ffi has no non-blocking calls, so in Bun a job is polled:
 * on the next few event-loop turns (`setImmediate`, microseconds apart, so short jobs resolve
 * fast), then with timers backing off from 1 to 4 ms (so long jobs cost the JS thread almost
 * nothing). The JS thread is never blocked in either runtime.
 * @module
 */
import { lib } from "./load.ts";
import type { Ptr } from "./native.ts";
import { CobaltError } from "./errors.ts";
import { type DType, DTYPE_BY_CODE } from "./dtype.ts";
import { check, fail, sym } from "./core.ts";
import { Tensor, wrap } from "./tensor.ts";

const isDeno = lib.runtime === "deno";

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
  if (isDeno) {
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
 * Awaits a job started by an `*_async` call and wraps its result. `inputs` (with any adopted JS
 * memory they read) stay referenced until the job ends, whatever the caller disposes meanwhile.
 */
export async function run(job: Ptr, inputs: Tensor[], dtype?: DType): Promise<Tensor> {
  if (lib.isNull(job)) fail();
  const keep = inputs.map((t) => t.keep); // adopted JS buffers must outlive the native job
  try {
    await finished(job);
    return wrap(sym.cobalt_job_result(job), undefined, dtype);
  } finally {
    sym.cobalt_job_release(job);
    keep.length = 0;
  }
}

/**
 * The number of threads in the native pool that runs async ops and large kernels.
 * Set with `COBALT_NUM_THREADS` before start, or `setNumThreads`.
 * @example `cb.numThreads() // 2 on a 2-core machine`
 */
export function numThreads(): number {
  return sym.cobalt_num_threads();
}

/**
 * Resizes the native pool (1 to 1024 threads). The JS runtime's own threads (Deno's blocking pool
 * that awaits jobs, Bun's) are separate: the pool only runs cobalt's kernels.
 * @example `cb.setNumThreads(1)`
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
  /** The native handle's address, carrying one reference for the receiver. */
  readonly handle: number;
  /** The dtype (for the receiver's wrapper). */
  readonly dtype: DType;
}

/**
 * A reference to `t`'s native tensor for another thread: post it to a Worker and call
 * `cb.fromShared` there. No data is copied (native storage is shared through the atomic refcount),
 * except for tensors that adopted JS memory (`copy: false`), which are copied once into native
 * memory because a JS buffer cannot leave its thread. Each shared object carries one reference:
 * call `fromShared` on it exactly once (and dispose that tensor), or the memory is never freed.
 *
 * @example
 * ```ts
 * const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
 * worker.postMessage(cb.share(t)); // in the worker: const t = cb.fromShared(e.data)
 * ```
 */
export function share(t: Tensor): SharedTensor {
  if (!(t instanceof Tensor)) throw new TypeError("share: expected a Tensor");
  let h = t.handle;
  if (t.keep !== undefined) {
    h = sym.cobalt_clone(h); // +1 already: the receiver's reference
    if (lib.isNull(h)) fail();
  } else sym.cobalt_retain(h);
  const d = sym.cobalt_dtype(h);
  return { cobalt: "shared-tensor", handle: lib.address(h), dtype: DTYPE_BY_CODE[d] };
}

/**
 * Takes the reference a `share` call made (once) and wraps it as a Tensor of this thread.
 * @example `onmessage = (e) => { using t = cb.fromShared(e.data); postMessage(t.sum().item()); }`
 */
export function fromShared(s: SharedTensor): Tensor {
  if (s === null || typeof s !== "object" || s.cobalt !== "shared-tensor" || typeof s.handle !== "number") {
    throw new TypeError("fromShared: expected the object cb.share() returned");
  }
  if (!Number.isSafeInteger(s.handle) || s.handle === 0) {
    throw new CobaltError("INVALID_ARGUMENT", "fromShared: not a tensor handle");
  }
  return wrap(lib.pointer(s.handle), undefined, s.dtype);
}
