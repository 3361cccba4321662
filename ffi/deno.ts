/**
 * Deno adapter: `Deno.dlopen` of the symbol table as it is.
 * @module
 */
import { symbols } from "./symbols.ts";
import type { Native, Ptr, Sym } from "./native.ts";

/**
 * The part of Deno's FFI used here, typed locally: this file is part of every runtime's import graph,
 * so it must type-check without Deno's global types (under tsc with bun-types or @types/node too).
 */
interface DenoFfi {
  dlopen(
    path: string,
    symbols: object,
  ): { symbols: Record<string, (...args: unknown[]) => unknown>; close(): void };
  UnsafePointerView: {
    getCString(p: Ptr): string;
    getArrayBuffer(p: Ptr, byteLength: number): ArrayBuffer;
  };
  UnsafePointer: {
    value(p: Ptr): number | bigint;
    create(address: bigint): Ptr;
    of(view: ArrayBufferView): Ptr;
  };
}

/** The `Deno` global (only called into when running in Deno). */
function deno(): DenoFfi {
  return (globalThis as unknown as { Deno: DenoFfi }).Deno;
}

/** Reads `cobalt_abi_version()` of the library at `path` without binding anything else. */
export function abiVersion(path: string): number {
  const probe = deno().dlopen(path, { cobalt_abi_version: symbols.cobalt_abi_version });
  try {
    return probe.symbols.cobalt_abi_version!() as number;
  } finally {
    probe.close();
  }
}

/** Opens the library at `path` with Deno's FFI. */
export function open(path: string): Native {
  const D = deno();
  const lib = D.dlopen(path, symbols);
  const sym = lib.symbols as unknown as Sym;
  // Deno's getArrayBuffer has no deallocator: the buffer holds a retain of its own, given back here
  // when the buffer is collected.
  const views = new FinalizationRegistry<Ptr>((h) => sym.cobalt_release(h));
  return {
    runtime: "deno",
    backend: "native",
    adopt: true,
    pointerBytes: 8,
    path,
    sym,
    isNull: (p) => p === null,
    cstring: (p) => D.UnsafePointerView.getCString(p),
    external(p, byteLength, handle) {
      sym.cobalt_retain(handle);
      const ab = D.UnsafePointerView.getArrayBuffer(p, byteLength);
      views.register(ab, handle);
      return ab;
    },
    address: (p) => Number(D.UnsafePointer.value(p)),
    pointer: (a) => D.UnsafePointer.create(BigInt(a)),
    addressOf: (v) => Number(D.UnsafePointer.value(D.UnsafePointer.of(v))),
    close: () => lib.close(),
  };
}
