/**
 * The plumbing under `Tensor`: the loaded symbols, scratch buffers for shapes and axes (no
 * per-call allocation), native errors, and the FinalizationRegistry with deferred registration.
 * @module
 */
import { lib } from "./load.ts";
import type { Ptr } from "./native.ts";
import { CobaltError, codeOf } from "./errors.ts";

/** The library's functions. */
export const sym = lib.sym;

/** Largest ndim (COBALT_MAX_NDIM). */
export const MAX_NDIM = 32;

// int64 values as (lo, hi) uint32 pairs, little-endian: no BigInt on the way in or out.
const SHAPE_U32 = new Uint32Array(2 * MAX_NDIM);
/** The int64 scratch `writeShape` fills, passed as `const int64_t*`. */
export const SHAPE = new Uint8Array(SHAPE_U32.buffer);
const STRIDES_U32 = new Uint32Array(2 * MAX_NDIM);
/** A second int64 scratch (strides for `as_strided`). */
export const STRIDES = new Uint8Array(STRIDES_U32.buffer);
const AXES_I32 = new Int32Array(MAX_NDIM);
/** The int32 scratch `writeAxes` fills, passed as `const int32_t*`. */
export const AXES = new Uint8Array(AXES_I32.buffer);
const ERROR_TEXT = new Uint8Array(1024);
const decoder = new TextDecoder();

/** Throws the CobaltError for the last native failure on this thread. */
export function fail(): never {
  const status = sym.cobalt_last_status();
  let n = sym.cobalt_last_error(ERROR_TEXT, ERROR_TEXT.length);
  let buf = ERROR_TEXT;
  if (n > ERROR_TEXT.length) {
    buf = new Uint8Array(n + 1);
    n = sym.cobalt_last_error(buf, buf.length);
  }
  const code = codeOf(status);
  let msg = decoder.decode(buf.subarray(0, Math.min(n, buf.length)));
  if (code === "OUT_OF_MEMORY") msg += gcHint();
  throw new CobaltError(code, msg);
}

/** Throws unless `status` is 0. */
export function check(status: number): void {
  if (status !== 0) fail();
}

function putI64(arr: Uint32Array, i: number, v: number): void {
  arr[2 * i] = v >>> 0;
  arr[2 * i + 1] = Math.floor(v / 4294967296) >>> 0;
}

/** Validates a shape given by the user and writes it to SHAPE; returns ndim. */
export function writeShape(shape: unknown, op: string): number {
  if (!Array.isArray(shape)) throw new TypeError(`${op}: shape must be an array of integers`);
  const n = shape.length;
  if (n > MAX_NDIM) {
    throw new CobaltError("INVALID_ARGUMENT", `${op}: ${n} dimensions is more than ${MAX_NDIM}`);
  }
  for (let i = 0; i < n; i++) {
    const d = shape[i];
    if (typeof d !== "number" || !Number.isSafeInteger(d)) {
      throw new TypeError(`${op}: shape entries must be integers, got ${String(d)} in [${shape}]`);
    }
    putI64(SHAPE_U32, i, d);
  }
  return n;
}

/** Writes trusted integers (strides, possibly negative) to STRIDES. */
export function writeStrides(strides: readonly number[]): void {
  for (let i = 0; i < strides.length; i++) putI64(STRIDES_U32, i, strides[i]!);
}

/** Validates axes and writes them to AXES; returns how many. */
export function writeAxes(axes: readonly unknown[], op: string): number {
  if (axes.length > MAX_NDIM) throw new CobaltError("AXIS", `${op}: too many axes`);
  for (let i = 0; i < axes.length; i++) {
    const a = axes[i];
    if (typeof a !== "number" || !Number.isInteger(a)) {
      throw new TypeError(`${op}: axes must be integers, got ${String(a)}`);
    }
    AXES_I32[i] = a;
  }
  return axes.length;
}

/** Reads `nd` int64 values written by native code into SHAPE (signed). */
export function readI64(nd: number): number[] {
  const out = new Array<number>(nd);
  for (let i = 0; i < nd; i++) out[i] = SHAPE_U32[2 * i]! + (SHAPE_U32[2 * i + 1]! | 0) * 4294967296;
  return out;
}

// ---- lifetime --------------------------------------------------------------------------------

/** Something the registry can release: a tensor with `register()`. */
export interface Registrable {
  register(): void;
}

// ---- memory left to the garbage collector ---------------------------------------------------
// Tensors that outlive the job that made them without being disposed are handed to the
// FinalizationRegistry; their bytes are counted here so an OUT_OF_MEMORY error (and a one-time
// warning) can say how much memory only the GC can free. NOTE: FinalizationRegistry callbacks run
// only between tasks: in a synchronous loop nothing left to the GC is ever freed.
let gcTensors = 0;
let gcBytes = 0;
// Bytes left to the GC since the event loop last ran a task (reset by a timer).
let taskBytes = 0;
let taskTimer = false;
let warnAt: number | undefined; // undefined: the default, computed on first use
let warnSet = false; // set by setLeakWarning (then a new memory limit does not change it)
let warned = false;

function resetTask(): void {
  taskBytes = 0;
  taskTimer = false;
}

function leftToGc(bytes: number): void {
  gcTensors++;
  gcBytes += bytes;
  taskBytes += bytes;
  if (!taskTimer) {
    taskTimer = true;
    setTimeout(resetTask, 0);
  }
  if (!warned && taskBytes > leakWarningThreshold()) {
    warned = true;
    console.warn(
      `cobalt: ${fmtBytes(taskBytes)} of tensors were left to the garbage collector in one synchronous ` +
        `run. The GC frees them only after this code yields to the event loop, so a loop like this ` +
        `grows until it runs out of memory. Free tensors when done: t.dispose(), \`using t = ...\`, or ` +
        `cb.scope(() => ...). (Shown once; cb.setLeakWarning(false) turns it off.)`,
    );
  }
}

// NOTE: a terminated Worker never runs its FinalizationRegistry callbacks. In a Worker every
// tensor's reference is recorded natively as owned by this thread (`cobalt_thread_own`), and the
// native side releases what is left when the thread exits.
// deno-lint-ignore no-explicit-any
const g = globalThis as any;
/** True in a Deno or Bun Worker, or a Node `worker_threads` Worker. */
export const inWorker: boolean = lib.runtime === "bun"
  ? g.Bun?.isMainThread === false
  : lib.runtime === "node"
  ? !(await import("node:worker_threads")).isMainThread
  : typeof g.WorkerGlobalScope === "function" && g instanceof g.WorkerGlobalScope;

/** Records a new tensor's reference as owned by this thread (Workers only). */
export function own(h: Ptr): void {
  if (inWorker) sym.cobalt_thread_own(h);
}

/** Releases a tensor's own reference (the one `own` recorded, in a Worker). */
export function releaseHandle(h: Ptr): void {
  if (inWorker) sym.cobalt_thread_release(h);
  else sym.cobalt_release(h);
}

// The held value: the handle (null once dispose() released it) and the bytes counted for it.
// NOTE: registering with an unregister token costs ~1.3 µs in Deno and ~0.9 µs in Bun when many
// tensors are live (the engines keep a token map); without one, ~0.16 / 0.09 µs. So there is no
// token: dispose() empties the cell instead, and a finalizer that finds it empty does nothing.
// Exactly one of the two releases the handle: dispose() only while the cell holds it, the
// finalizer only after the tensor is unreachable (so dispose() can no longer run).
export interface Held {
  h: Ptr | null;
  bytes: number;
}

function releasedByGc(held: Held): void {
  const h = held.h;
  if (h === null) return; // disposed: released then
  held.h = null;
  gcBytes -= held.bytes;
  gcTensors--;
  releaseHandle(h);
  reapAdoptions();
}

const registry = new FinalizationRegistry<Held>(releasedByGc);

/**
 * Hands `t` (handle `h`) to the FinalizationRegistry; returns its cell. The bytes counted as waiting
 * for the GC are its storage's, when no other tensor shares that storage (a view of a live tensor,
 * or a broadcast, frees nothing when collected, so it counts 0).
 */
export function registered(t: object, h: Ptr): Held {
  const n = sym.cobalt_owned_bytes(h);
  const held: Held = { h, bytes: n > 0 ? n : 0 };
  registry.register(t, held);
  leftToGc(held.bytes);
  return held;
}

/** Takes back from the finalizer a tensor `dispose()` releases itself (its cell from `registered`). */
export function unregister(held: Held): void {
  held.h = null;
  gcTensors--;
  gcBytes -= held.bytes;
}

function leakWarningThreshold(): number {
  if (warnAt === undefined) {
    const limit = sym.cobalt_memory_limit();
    warnAt = Math.min(2 ** 30, limit / 4);
  }
  return warnAt;
}

/**
 * Sets when cobalt warns (once, with `console.warn`) that tensors pile up for the garbage
 * collector inside one synchronous run: a byte count, or `false` to turn the warning off. The
 * default is 1 GiB (or a quarter of the memory limit, if lower).
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.setLeakWarning(false);      // never warn
 * cb.setLeakWarning(256 * 2**20); // warn past 256 MiB
 * ```
 */
export function setLeakWarning(threshold: number | false): void {
  if (threshold === false) {
    warned = true;
    warnSet = true;
    return;
  }
  if (typeof threshold !== "number" || !(threshold >= 0)) {
    throw new TypeError("setLeakWarning: expected a byte count >= 0 or false");
  }
  warnAt = threshold;
  warnSet = true;
  warned = false;
}

function gcHint(): string {
  flushYoung();
  if (gcTensors <= 0) return "";
  return `; ${gcTensors} tensors (${fmtBytes(gcBytes)}) are not disposed and wait for the garbage ` +
    `collector (or are still in use), ${fmtBytes(taskBytes)} of them made since the event loop last ` +
    `ran, which the GC cannot free before this code yields: dispose() tensors when done, or use ` +
    `\`using\` or cb.scope()`;
}

/** `1.5 GiB`, `300 MiB`, `12 bytes`. */
export function fmtBytes(n: number): string {
  const units = ["KiB", "MiB", "GiB", "TiB", "PiB"];
  if (n < 1024) return `${n} bytes`;
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}

/**
 * Caps the bytes of live cobalt-owned tensor memory: an op that would pass it fails with
 * `CobaltError` "OUT_OF_MEMORY" (saying how much is live and how much waits for the GC) instead of
 * growing until the system kills the process. `Infinity` removes the cap. The default is
 * `COBALT_MEMORY_LIMIT` (e.g. `8G`, `50%`, `none`) or else 3/4 of the physical memory. Adopted JS
 * buffers and memory-mapped files do not count.
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.setMemoryLimit(2 * 2 ** 30); // 2 GiB
 * cb.memoryLimit();               // 2147483648
 * ```
 */
export function setMemoryLimit(bytes: number): void {
  if (typeof bytes !== "number") throw new TypeError("setMemoryLimit: expected a number of bytes");
  check(sym.cobalt_set_memory_limit(bytes));
  if (!warnSet) warnAt = undefined;
}

/**
 * The cap on live cobalt-owned tensor memory in bytes (`Infinity` when there is none).
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.memoryLimit(); // e.g. 18 GiB on a 24 GiB machine
 * ```
 */
export function memoryLimit(): number {
  return sym.cobalt_memory_limit();
}

// ---- adopted JS memory -------------------------------------------------------------------------
// A tensor made with `copy: false` reads a JS buffer. The buffer must live as long as *any* native
// user of that memory (views, results sharing the storage, data views): the native storage is
// tagged with an adoption id, and the buffer stays in `adopted` until the native side reports the
// storage dead (`cobalt_adoptions_released`). Every wrapped handle over adopted memory finds its
// buffer here (`adoptedMemory`), so no call site has to pass it along.
const adopted = new Map<number, ArrayBufferView>();
let nextAdoption = 1;
const RELEASED = new Uint32Array(256);

/** Registers `arr` for adoption; returns the id to pass to `cobalt_adopt`. */
export function adoptionId(arr: ArrayBufferView): number {
  reapAdoptions();
  let id = nextAdoption;
  while (adopted.has(id)) id = id >= 0xffffffff ? 1 : id + 1;
  nextAdoption = id >= 0xffffffff ? 1 : id + 1;
  adopted.set(id, arr);
  return id;
}

/** Forgets an id whose adoption failed. */
export function forgetAdoption(id: number): void {
  adopted.delete(id);
}

/** The JS buffer behind the storage of `h`, if it is adopted memory. */
export function adoptedMemory(h: Ptr): ArrayBufferView | undefined {
  if (adopted.size === 0) return undefined;
  const id = sym.cobalt_adoption(h);
  return id === 0 ? undefined : adopted.get(id);
}

/** Lets go of the JS buffers whose native storage has died. */
export function reapAdoptions(): void {
  if (adopted.size === 0) return;
  for (;;) {
    const n = sym.cobalt_adoptions_released(RELEASED, RELEASED.length);
    for (let i = 0; i < n; i++) adopted.delete(RELEASED[i]!);
    if (n < RELEASED.length) return;
  }
}

/** The number of JS buffers kept alive for native tensors (tests). */
export function adoptedCount(): number {
  reapAdoptions();
  return adopted.size;
}

// NOTE: FinalizationRegistry.register costs ~100 ns in Bun and ~230 ns in Deno (measured), more
// than a small op itself. New tensors wait in `young` until the current job ends (a microtask),
// and only those still alive then are registered. A tensor disposed in the same job (dispose(),
// `using`, scope) never touches the registry. Nothing is freed later than before: registry
// callbacks cannot run before the current job ends either.
let young: Registrable[] = [];
let flushQueued = false;
// A long synchronous loop flushes every YOUNG_MAX tensors so `young` stays small and disposed
// tensors can die young.
const YOUNG_MAX = 256;

function flushYoung(): void {
  flushQueued = false;
  const list = young;
  young = [];
  for (let i = 0; i < list.length; i++) list[i]!.register();
}

/** Queues a new tensor for registration. */
export function enqueue(t: Registrable): void {
  if (young.push(t) >= YOUNG_MAX) flushYoung();
  else if (!flushQueued) {
    flushQueued = true;
    queueMicrotask(flushYoung);
  }
}

// ---- zero-copy views -------------------------------------------------------------------------

// One external ArrayBuffer per native storage, shared by the `data` views of every tensor over it.
// NOTE: runtimes count external buffers as memory pressure (V8 and JSC schedule collections by
// it), so mapping a storage once instead of once per view keeps `data` cheap on views. A cached
// buffer holds a reference to its storage, so its address cannot be reused while it is cached.
const storages = new Map<number, WeakRef<ArrayBuffer>>();
const forget = new FinalizationRegistry<number>((addr) => {
  if (storages.get(addr)?.deref() === undefined) storages.delete(addr);
});
// cobalt_storage's out[3] as (lo, hi) pairs: [bytes, offset of the view, base address].
const STORAGE = new Uint32Array(6);
const STORAGE_BYTES = new Uint8Array(STORAGE.buffer);

/** The byte offset of `h`'s first element in its storage. */
export function storageOffset(h: Ptr): number {
  if (lib.isNull(sym.cobalt_storage(h, STORAGE_BYTES))) fail();
  return STORAGE[2]! + STORAGE[3]! * 4294967296;
}

/**
 * The ArrayBuffer over the storage behind `h`, and the byte offset of `h`'s first element in it.
 * A storage other tensors share (views) gets one cached buffer; one only `h` uses (a fresh op
 * result, the common case) is mapped for `h` alone, without the cache's WeakRef and finalizer
 * (~2 µs of the first `t.data` in Deno). A view made later maps it again: two buffers over the
 * same memory, each holding its own reference.
 */
export function storageView(h: Ptr): [ArrayBuffer, number] {
  const p = sym.cobalt_storage(h, STORAGE_BYTES);
  if (lib.isNull(p)) fail();
  const offset = STORAGE[2]! + STORAGE[3]! * 4294967296;
  if (lib.linear !== undefined) {
    const [buffer, at] = lib.linear.view(p);
    return [buffer, at + offset];
  }
  const base = STORAGE[4]! + STORAGE[5]! * 4294967296;
  const cached = storages.get(base)?.deref();
  if (cached !== undefined) return [cached, offset];
  const buffer = lib.external(p, STORAGE[0]! + STORAGE[1]! * 4294967296, h);
  if (sym.cobalt_owned_bytes(h) <= 0) {
    storages.set(base, new WeakRef(buffer));
    forget.register(buffer, base);
  }
  return [buffer, offset];
}

// ---- memory ----------------------------------------------------------------------------------

const MEMORY_BYTES = new Uint8Array(32);
const MEMORY_I64 = new BigInt64Array(MEMORY_BYTES.buffer);

/** Native memory counters. */
export interface MemoryInfo {
  /** Live native tensor handles (views and data views count as the references they hold). */
  tensors: number;
  /** Bytes of storage cobalt allocated and still holds. */
  bytes: number;
  /** Bytes of adopted JS memory (`copy: false`) and of mapped files still used by native tensors. */
  externalBytes: number;
  /** Bytes of freed large buffers kept for reuse (up to 1 GiB); `cb.emptyCache()` frees them. */
  cachedBytes: number;
}

/**
 * The native counters of live tensors and bytes.
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const before = cb.memory().tensors;
 * cb.zeros([10]).dispose();
 * cb.memory().tensors === before; // true
 * ```
 */
export function memory(): MemoryInfo {
  reapAdoptions();
  check(sym.cobalt_memory(MEMORY_BYTES));
  return {
    tensors: Number(MEMORY_I64[0]),
    bytes: Number(MEMORY_I64[1]),
    externalBytes: Number(MEMORY_I64[2]),
    cachedBytes: Number(MEMORY_I64[3]),
  };
}

/**
 * Frees the large buffers cobalt keeps for reuse after tensors die (reuse saves page faults and
 * clearing when new tensors of the same size are made).
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * cb.emptyCache();
 * cb.memory().cachedBytes; // 0
 * ```
 */
export function emptyCache(): void {
  sym.cobalt_empty_cache();
}

/** Writes native handles into a pointer array (for calls taking `const cobalt_tensor* const*`). */
export function handleArray(hs: Ptr[]): Uint8Array {
  if (lib.pointerBytes === 4) return new Uint8Array(Uint32Array.from(hs, (h) => lib.address(h)).buffer);
  const out = new Uint32Array(2 * hs.length);
  for (let i = 0; i < hs.length; i++) putI64(out, i, lib.address(hs[i]));
  return new Uint8Array(out.buffer);
}
