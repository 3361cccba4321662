/**
 * Bun adapter: translates the Deno-style symbol table for `bun:ffi`.
 * @module
 */
// @ts-ignore: resolved by Bun only
import { CString, dlopen, ptr, toArrayBuffer } from "bun:ffi";
import { symbols } from "./symbols.ts";
import type { Native, Sym } from "./native.ts";

const TYPES: Record<string, string> = {
  i32: "i32",
  u32: "u32",
  f64: "f64",
  pointer: "ptr",
  buffer: "ptr", // a TypedArray passed to a "ptr" argument is passed by address
  void: "void",
};

/** Reads `cobalt_abi_version()` of the library at `path` without binding anything else. */
export function abiVersion(path: string): number {
  const probe = dlopen(path, { cobalt_abi_version: { args: [], returns: "u32" } });
  try {
    return probe.symbols.cobalt_abi_version() as number;
  } finally {
    probe.close();
  }
}

/** Opens the library at `path` with Bun's FFI. */
export function open(path: string): Native {
  const table: Record<string, { args: string[]; returns: string }> = {};
  // NOTE: bun:ffi has no non-blocking calls; `nonblocking` symbols are bound as plain calls and
  // the async layer polls instead of calling them.
  for (const [name, def] of Object.entries(symbols)) {
    table[name] = {
      args: (def.parameters as readonly string[]).map((t) => TYPES[t]),
      returns: TYPES[def.result],
    };
  }
  const lib = dlopen(path, table);
  const sym = lib.symbols as unknown as Sym;
  // `void (*)(void* bytes, void* ctx)`: releases the handle passed as ctx when JSC frees the buffer.
  const deallocator = sym.cobalt_view_deallocator() as number;
  return {
    runtime: "bun",
    backend: "native",
    adopt: true,
    pointerBytes: 8,
    path,
    sym,
    isNull: (p) => p === null || p === 0 || p === undefined,
    cstring: (p) => new CString(p as number).toString(),
    external(p, byteLength, handle) {
      sym.cobalt_retain(handle);
      // NOTE: bun-types omits them, but Bun's toArrayBuffer takes (ptr, offset, length, ctx, deallocator).
      return (toArrayBuffer as (...a: unknown[]) => ArrayBuffer)(p, 0, byteLength, handle, deallocator);
    },
    address: (p) => p as number,
    pointer: (a) => a,
    addressOf: (v) => ptr(v) as number,
    close: () => lib.close(),
  };
}
