/**
 * Node adapter: the one symbol table through koffi (an optional peer dependency, loaded only here).
 * Pointers are plain numbers (as in Bun); `buffer` parameters take a TypedArray by address; the
 * non-blocking symbols run on koffi's worker threads and resolve Promises (as in Deno).
 * @module
 */
import { symbols } from "./symbols.ts";
import { CobaltError } from "./errors.ts";
import type { Native, Ptr, Sym } from "./native.ts";

// The subset of koffi's API used here (its own types are not a dependency of the Deno build).
interface KoffiFn {
  (...args: unknown[]): unknown;
  async(...args: unknown[]): void;
}
interface KoffiLib {
  func(name: string, result: string, params: string[]): KoffiFn;
  unload(): void;
}
interface Koffi {
  load(path: string): KoffiLib;
  decode(p: unknown, type: string, len: number): string;
  view(p: unknown, len: number): ArrayBuffer;
  address(v: unknown): bigint;
}

// Results typed "pointer" come back as uintptr_t: a number, 0 for NULL. Parameters are "void *",
// which takes a number (an address), null, or a TypedArray (its first byte, byteOffset included).
const RESULT: Record<string, string> = {
  i32: "int32_t",
  u32: "uint32_t",
  f64: "double",
  pointer: "uintptr_t",
  void: "void",
};
const PARAM: Record<string, string> = { ...RESULT, pointer: "void *", buffer: "void *" };

// Computed so that Deno and Bun never try to resolve it.
const KOFFI = "koff" + "i";

async function koffi(): Promise<Koffi> {
  try {
    const m = await import(KOFFI);
    return (m.default ?? m) as Koffi;
  } catch (e) {
    throw new CobaltError(
      "LOAD",
      "cobalt in Node calls its native library through koffi, which is not installed: " +
        "`npm install koffi` (an optional peer dependency of cobalt)",
      { cause: e },
    );
  }
}

/** koffi, once imported (the loader awaits `ready()` before `abiVersion`/`open`). */
let k: Koffi;

/** Imports koffi; throws CobaltError "LOAD" naming the package when it is missing. */
export async function ready(): Promise<void> {
  k ??= await koffi();
}

/** Reads `cobalt_abi_version()` of the library at `path` without binding anything else. */
export function abiVersion(path: string): number {
  const probe = k.load(path);
  try {
    return probe.func("cobalt_abi_version", "uint32_t", [])() as number;
  } finally {
    probe.unload();
  }
}

/** Opens the library at `path` through koffi. */
export function open(path: string): Native {
  const lib = k.load(path);
  const table: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(symbols)) {
    const fn = lib.func(name, RESULT[def.result], (def.parameters as readonly string[]).map((t) => PARAM[t]));
    table[name] = "nonblocking" in def && def.nonblocking
      ? (...args: unknown[]) =>
        new Promise((resolve, reject) =>
          fn.async(...args, (err: unknown, r: unknown) => err ? reject(err) : resolve(r))
        )
      : fn;
  }
  const sym = table as unknown as Sym;
  // koffi's views have no deallocator: the buffer holds a retain of its own, given back here when
  // the buffer is collected (as in Deno).
  const views = new FinalizationRegistry<Ptr>((h) => sym.cobalt_release(h));
  return {
    runtime: "node",
    backend: "native",
    adopt: true,
    pointerBytes: 8,
    path,
    sym,
    isNull: (p) => p === 0 || p === null || p === undefined,
    cstring: (p) => k.decode(p, "char", -1),
    external(p, byteLength, handle) {
      // NOTE: koffi.view of a zero-length region aborts the process (an assertion on NULL data).
      if (byteLength === 0) return new ArrayBuffer(0);
      sym.cobalt_retain(handle);
      const ab = k.view(p, byteLength);
      views.register(ab, handle);
      return ab;
    },
    address: (p) => p as number,
    pointer: (a) => a,
    addressOf: (v) => Number(k.address(v)),
    close: () => lib.unload(),
  };
}
