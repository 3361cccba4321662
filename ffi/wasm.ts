/**
 * WebAssembly adapter: the same symbol table over `cobalt.wasm` (the core built for
 * wasm32-unknown-unknown by scripts/wasm.sh), for browsers, and for Deno, Bun and Node where no
 * native library exists (or `COBALT_BACKEND=wasm`).
 *
 * What differs from the native adapters, and how it is bridged:
 * - Pointers are offsets into the instance's linear memory. JS memory is outside it, so every
 *   "buffer" argument is copied into a scratch block of linear memory for the call, and copied back
 *   after it when the function may write into it (`writes` in symbols.ts).
 * - `t.data` is a view onto linear memory (`linear`): zero-copy as natively. Where the runtime has
 *   `WebAssembly.Memory.prototype.toResizableBuffer` (Deno, Bun, Chromium) the views stay valid when
 *   memory grows; elsewhere (Node 20) growth detaches them, and `t.data` hands out a fresh view.
 * - JS memory cannot be adopted (`copy: false`): `adopt` is false and the binding refuses it.
 * - One thread: `*Async` ops have finished when they return (their Promise resolves at once).
 * - Panics are caught inside the module (the build unwinds with wasm exception handling), so they
 *   are `CobaltError("PANIC")` as natively. Any other trap (a stack overflow, an abort) throws
 *   `CobaltError("PANIC")` and rebuilds the instance from the same module; handles of the old
 *   instance then throw when used, and releasing them does nothing.
 * @module
 */
import { symbols, writes } from "./symbols.ts";
import { CobaltError } from "./errors.ts";
import { env } from "./host.ts";
import type { Native, Ptr, Sym } from "./native.ts";

/** Where `cobalt.wasm` comes from: its bytes, a compiled module, or a URL to fetch. */
export type WasmSource = ArrayBuffer | ArrayBufferView | WebAssembly.Module | URL | string;

/** Arguments up to this size go through the kept scratch block; larger ones get their own. */
const SCRATCH_KEEP = 1 << 20;
/** `n` rounded up to a multiple of 16 (arithmetic, not bitwise: sizes can pass 2^31). */
const pad16 = (n: number) => Math.ceil(n / 16) * 16;

// Pointers handed to JS carry the instance's generation above bit 32, so a handle that outlived a
// rebuilt instance is recognised instead of aliasing memory of the new one.
const TAG = 2 ** 32;

interface Exports {
  memory: WebAssembly.Memory;
  [name: string]: unknown;
}

/** Compiles `source` (bytes, a module, or a URL fetched with `fetch`). */
export async function compile(source: WasmSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (typeof source === "string" || source instanceof URL) {
    const res = await fetch(source);
    if (!res.ok) throw new CobaltError("LOAD", `cannot fetch ${source}: HTTP ${res.status}`);
    const ct = res.headers.get("content-type") ?? "";
    if (ct.startsWith("application/wasm") && typeof WebAssembly.compileStreaming === "function") {
      return await WebAssembly.compileStreaming(res);
    }
    return await WebAssembly.compile(await res.arrayBuffer());
  }
  return await WebAssembly.compile(source as Uint8Array<ArrayBuffer>);
}

/** The adapter over an instance of `module`; `path` names where it came from (for messages). */
export function open(module: WebAssembly.Module, path: string, runtime: Native["runtime"]): Native {
  let gen = 0;
  let ex!: Exports;
  let mem!: WebAssembly.Memory;
  let resizable = false;
  // The scratch block that buffer arguments are copied into (grown on demand).
  let scratch = 0;
  let scratchBytes = 0;

  function instantiate(): void {
    const inst = new WebAssembly.Instance(module, {});
    ex = inst.exports as unknown as Exports;
    mem = ex.memory;
    gen++;
    scratch = 0;
    scratchBytes = 0;
    // Views over a resizable buffer survive memory.grow; without it they are detached by growth.
    const m = mem as WebAssembly.Memory & { toResizableBuffer?: () => ArrayBuffer };
    applyEnv();
    resizable = false;
    try {
      m.toResizableBuffer?.(); // throws for a memory without a declared maximum
      resizable = typeof m.toResizableBuffer === "function";
    } catch { /* views are re-derived after growth instead */ }
  }
  // The module cannot read the environment: COBALT_MEMORY_LIMIT is applied from here, in its syntax.
  function applyEnv(): void {
    const limit = env("COBALT_MEMORY_LIMIT");
    if (limit === undefined) return;
    const text = new TextEncoder().encode(limit);
    const free = ex.cobalt_scratch_free as (p: number, b: number) => void;
    const set = ex.cobalt_set_memory_limit_text as (p: number, n: number) => number;
    const p = allocOwn(text.length);
    new Uint8Array(mem.buffer, p, text.length).set(text);
    const status = set(p, text.length);
    free(p, text.length);
    if (status !== 0) {
      console.warn(
        `cobalt: ignoring COBALT_MEMORY_LIMIT=${
          JSON.stringify(limit)
        } (expected bytes like 8G, 50%, or none)`,
      );
    }
  }
  instantiate();

  const tag = (p: number): Ptr => (p === 0 ? 0 : (p >>> 0) + gen * TAG);
  // NULL, or a pointer of the current instance.
  const isCurrent = (p: unknown) =>
    p === 0 || p === null || p === undefined || (p as number) >= TAG * gen && (p as number) < TAG * (gen + 1);
  function untag(p: Ptr, name: string): number {
    if (p === 0 || p === null || p === undefined) return 0;
    const n = p as number;
    if (!isCurrent(n)) {
      throw new CobaltError(
        "PANIC",
        `${name}: this handle belongs to a WebAssembly instance of cobalt that trapped and was ` +
          "replaced; tensors made before the trap are gone",
      );
    }
    return n - gen * TAG;
  }

  // A trap (or an exception that left the module) ends the instance: build a new one.
  function trapped(e: unknown, name: string): never {
    const W = WebAssembly as unknown as { Exception?: new () => unknown };
    const trap = e instanceof WebAssembly.RuntimeError ||
      (W.Exception !== undefined && e instanceof W.Exception) ||
      (e instanceof RangeError && /call stack/i.test(e.message));
    if (!trap) throw e;
    instantiate();
    throw new CobaltError(
      "PANIC",
      `${name}: the WebAssembly instance trapped (${(e as Error).message ?? e}); it was replaced by a ` +
        "new one, and tensors made before are gone",
      { cause: e },
    );
  }

  // A block of its own for bulk arguments (freed by the caller after the call).
  function allocOwn(bytes: number): number {
    const p = (ex.cobalt_scratch_alloc as (b: number) => number)(bytes) >>> 0;
    if (p === 0) {
      throw new CobaltError(
        "OUT_OF_MEMORY",
        `cannot allocate ${bytes} bytes of WebAssembly memory for arguments`,
      );
    }
    return p;
  }

  // A scratch block of at least `bytes` bytes (the old one is freed first: its contents are dead).
  function reserve(bytes: number): number {
    if (bytes <= scratchBytes) return scratch;
    const free = ex.cobalt_scratch_free as (p: number, b: number) => void;
    const alloc = ex.cobalt_scratch_alloc as (b: number) => number;
    if (scratch !== 0) free(scratch, scratchBytes);
    scratch = 0;
    scratchBytes = 0;
    const want = Math.max(65536, 2 ** Math.ceil(Math.log2(bytes)));
    const p = alloc(want) >>> 0;
    if (p === 0) {
      throw new CobaltError(
        "OUT_OF_MEMORY",
        `cannot allocate ${want} bytes of WebAssembly memory for arguments`,
      );
    }
    scratch = p;
    scratchBytes = want;
    return p;
  }

  const sym: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(symbols)) {
    const fn = ex[name] as ((...a: number[]) => number) | undefined;
    if (typeof fn !== "function") throw new CobaltError("LOAD", `${path} does not export ${name}`);
    const params = def.parameters as readonly string[];
    const out = new Set(writes[name as keyof typeof writes] ?? []);
    const ptrResult = def.result === "pointer";
    const nonblocking = "nonblocking" in def && def.nonblocking;
    const bufs = params.flatMap((t, i) => (t === "buffer" ? [i] : []));
    const ptrs = params.flatMap((t, i) => (t === "pointer" ? [i] : []));
    const lenient = name === "cobalt_release"; // a finalizer releasing a handle of a replaced instance
    let call: (...args: unknown[]) => unknown;
    if (bufs.length === 0) {
      call = (...args: unknown[]) => {
        for (const i of ptrs) {
          if (lenient && !isCurrent(args[i])) return undefined;
          args[i] = untag(args[i], name);
        }
        let r: number;
        try {
          r = (ex[name] as (...a: unknown[]) => number)(...args);
        } catch (e) {
          trapped(e, name);
        }
        return ptrResult ? tag(r) : r;
      };
    } else {
      call = (...args: unknown[]) => {
        for (const i of ptrs) args[i] = untag(args[i], name);
        // Lay the buffers out one after another (16-aligned) in the scratch block.
        let total = 0;
        const views: (ArrayBufferView | null)[] = [];
        for (const i of bufs) {
          const v = args[i] as ArrayBufferView | null | undefined;
          views.push(v ?? null);
          if (v) total += pad16(v.byteLength);
        }
        // Small arguments (shapes, axes, messages) share the kept scratch block; bulk data gets a
        // block of its own, freed after the call, so the kept one never grows to a tensor's size.
        const own = total > SCRATCH_KEEP;
        const base = total === 0 ? 0 : own ? allocOwn(total) : reserve(total);
        let at = base;
        for (let k = 0; k < bufs.length; k++) {
          const v = views[k];
          if (!v) {
            args[bufs[k]!] = 0;
            continue;
          }
          new Uint8Array(mem.buffer, at, v.byteLength).set(
            new Uint8Array(v.buffer, v.byteOffset, v.byteLength),
          );
          args[bufs[k]!] = at;
          at += pad16(v.byteLength);
        }
        let r: number;
        try {
          r = (ex[name] as (...a: unknown[]) => number)(...args);
        } catch (e) {
          trapped(e, name);
        }
        at = base;
        for (let k = 0; k < bufs.length; k++) {
          const v = views[k];
          if (!v) continue;
          if (out.has(bufs[k]!)) {
            new Uint8Array(v.buffer, v.byteOffset, v.byteLength).set(
              new Uint8Array(mem.buffer, at, v.byteLength),
            );
          }
          at += pad16(v.byteLength);
        }
        if (own) (ex.cobalt_scratch_free as (p: number, b: number) => void)(base, total);
        return ptrResult ? tag(r) : r;
      };
    }
    sym[name] = nonblocking ? (...args: unknown[]) => Promise.resolve(call(...args)) : call;
  }
  // The views of `t.data` hold a reference of their tensor, given back when the view is collected.
  const typed = sym as unknown as Sym;
  const views = new FinalizationRegistry<Ptr>((h) => typed.cobalt_release(h));
  const decoder = new TextDecoder();
  return {
    runtime,
    backend: "wasm",
    path,
    sym: typed,
    adopt: false,
    pointerBytes: 4,
    isNull: (p) => p === 0 || p === null || p === undefined,
    cstring(p) {
      const at = untag(p, "cstring");
      const bytes = new Uint8Array(mem.buffer);
      let end = at;
      while (bytes[end] !== 0) end++;
      return decoder.decode(bytes.subarray(at, end));
    },
    external() {
      throw new CobaltError("INVALID_ARGUMENT", "the WebAssembly backend maps storage through `linear`");
    },
    linear: {
      view(p) {
        return [mem.buffer as ArrayBuffer, untag(p, "data")];
      },
      pin(view, handle) {
        typed.cobalt_retain(handle);
        views.register(view, handle);
      },
      get stable() {
        return resizable;
      },
    },
    address: (p) => untag(p, "address"),
    pointer: (a) => tag(a),
    addressOf() {
      throw new CobaltError("INVALID_ARGUMENT", "JS memory has no address in WebAssembly memory");
    },
    close() {},
  };
}
