/**
 * Deno adapter: `Deno.dlopen` of the symbol table as it is.
 * @module
 */
import { symbols } from "./symbols.ts";
import type { Native, Ptr, Sym } from "./native.ts";

/** Reads `cobalt_abi_version()` of the library at `path` without binding anything else. */
export function abiVersion(path: string): number {
  const probe = Deno.dlopen(path, { cobalt_abi_version: symbols.cobalt_abi_version });
  try {
    return probe.symbols.cobalt_abi_version();
  } finally {
    probe.close();
  }
}

/** Opens the library at `path` with Deno's FFI. */
export function open(path: string): Native {
  const lib = Deno.dlopen(path, symbols);
  const sym = lib.symbols as unknown as Sym;
  // Deno's getArrayBuffer has no deallocator: the buffer holds a retain of its own, given back here
  // when the buffer is collected.
  const views = new FinalizationRegistry<Ptr>((h) => sym.cobalt_release(h));
  return {
    runtime: "deno",
    path,
    sym,
    isNull: (p) => p === null,
    cstring: (p) => Deno.UnsafePointerView.getCString(p as Deno.PointerObject),
    external(p, byteLength, handle) {
      sym.cobalt_retain(handle);
      const ab = Deno.UnsafePointerView.getArrayBuffer(p as Deno.PointerObject, byteLength);
      views.register(ab, handle);
      return ab;
    },
    address: (p) => Number(Deno.UnsafePointer.value(p as Deno.PointerValue)),
    pointer: (a) => Deno.UnsafePointer.create(BigInt(a)),
    addressOf: (v) => Number(Deno.UnsafePointer.value(Deno.UnsafePointer.of(v as Uint8Array))),
    close: () => lib.close(),
  };
}
