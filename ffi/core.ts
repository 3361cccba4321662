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
const I64 = new Uint32Array(2 * MAX_NDIM);
/** The int64 scratch `writeShape` fills, passed as `const int64_t*`. */
export const SHAPE = new Uint8Array(I64.buffer);
const I64B = new Uint32Array(2 * MAX_NDIM);
/** A second int64 scratch (strides for `as_strided`). */
export const STRIDES = new Uint8Array(I64B.buffer);
const I32 = new Int32Array(MAX_NDIM);
/** The int32 scratch `writeAxes` fills, passed as `const int32_t*`. */
export const AXES = new Uint8Array(I32.buffer);
const ERR = new Uint8Array(1024);
const decoder = new TextDecoder();

/** Throws the CobaltError for the last native failure on this thread. */
export function fail(): never {
  const status = sym.cobalt_last_status();
  let n = sym.cobalt_last_error(ERR, ERR.length);
  let buf = ERR;
  if (n > ERR.length) {
    buf = new Uint8Array(n + 1);
    n = sym.cobalt_last_error(buf, buf.length);
  }
  throw new CobaltError(codeOf(status), decoder.decode(buf.subarray(0, Math.min(n, buf.length))));
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
    putI64(I64, i, d);
  }
  return n;
}

/** Writes trusted integers (strides, possibly negative) to STRIDES. */
export function writeStrides(strides: readonly number[]): void {
  for (let i = 0; i < strides.length; i++) putI64(I64B, i, strides[i]);
}

/** Validates axes and writes them to AXES; returns how many. */
export function writeAxes(axes: readonly unknown[], op: string): number {
  if (axes.length > MAX_NDIM) throw new CobaltError("AXIS", `${op}: too many axes`);
  for (let i = 0; i < axes.length; i++) {
    const a = axes[i];
    if (typeof a !== "number" || !Number.isInteger(a)) {
      throw new TypeError(`${op}: axes must be integers, got ${String(a)}`);
    }
    I32[i] = a;
  }
  return axes.length;
}

/** Reads `nd` int64 values written by native code into SHAPE (signed). */
export function readI64(nd: number): number[] {
  const out = new Array<number>(nd);
  for (let i = 0; i < nd; i++) out[i] = I64[2 * i] + (I64[2 * i + 1] | 0) * 4294967296;
  return out;
}

// ---- lifetime --------------------------------------------------------------------------------

/** Something the registry can release: a tensor with `register()`. */
export interface Registrable {
  register(): void;
}

/** Releases a handle when its tensor is collected. */
export const registry = new FinalizationRegistry<Ptr>((h) => sym.cobalt_release(h));

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
  for (let i = 0; i < list.length; i++) list[i].register();
}

/** Queues a new tensor for registration. */
export function enqueue(t: Registrable): void {
  if (young.push(t) >= YOUNG_MAX) flushYoung();
  else if (!flushQueued) {
    flushQueued = true;
    queueMicrotask(flushYoung);
  }
}

/** Registers every pending tensor with the FinalizationRegistry now (tests and benchmarks). */
export function flushRegistrations(): void {
  flushYoung();
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

/** Fills the storage facts of `h`; returns the byte offset of its first element in the storage. */
export function storageOffset(h: Ptr): number {
  if (lib.isNull(sym.cobalt_storage(h, STORAGE_BYTES))) fail();
  return STORAGE[2] + STORAGE[3] * 4294967296;
}

/** The (shared, cached) ArrayBuffer over the storage behind `h`; call after `storageOffset(h)`. */
export function storageBuffer(h: Ptr): ArrayBuffer {
  const p = sym.cobalt_storage(h, STORAGE_BYTES);
  if (lib.isNull(p)) fail();
  const base = STORAGE[4] + STORAGE[5] * 4294967296;
  const cached = storages.get(base)?.deref();
  if (cached !== undefined) return cached;
  const buffer = lib.external(p, STORAGE[0] + STORAGE[1] * 4294967296, h);
  storages.set(base, new WeakRef(buffer));
  forget.register(buffer, base);
  return buffer;
}

// ---- memory ----------------------------------------------------------------------------------

const MEM = new Uint8Array(32);
const MEM64 = new BigInt64Array(MEM.buffer);

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
 * const before = cb.memory().tensors;
 * cb.zeros([10]).dispose();
 * cb.memory().tensors === before; // true
 * ```
 */
export function memory(): MemoryInfo {
  check(sym.cobalt_memory(MEM));
  return {
    tensors: Number(MEM64[0]),
    bytes: Number(MEM64[1]),
    externalBytes: Number(MEM64[2]),
    cachedBytes: Number(MEM64[3]),
  };
}

/**
 * Frees the large buffers cobalt keeps for reuse after tensors die (reuse saves page faults and
 * clearing when new tensors of the same size are made).
 * @example
 * ```ts
 * cb.emptyCache();
 * cb.memory().cachedBytes; // 0
 * ```
 */
export function emptyCache(): void {
  sym.cobalt_empty_cache();
}

/** Writes native handles into a pointer array (for calls taking `const cobalt_tensor* const*`). */
export function handleArray(hs: Ptr[]): Uint8Array {
  const out = new Uint32Array(2 * hs.length);
  for (let i = 0; i < hs.length; i++) putI64(out, i, lib.address(hs[i]));
  return new Uint8Array(out.buffer);
}
