/**
 * Low-level access for tests, benchmarks and debugging: the raw library and a few probes.
 * Not needed for normal use.
 * @module
 */
import { lib } from "./load.ts";
import { check } from "./core.ts";
import { Tensor } from "./tensor.ts";

/** Probes into the native layer. */
export const native = {
  /** "deno", "bun", "node" or "browser". */
  runtime: lib.runtime as "deno" | "bun" | "node" | "browser",
  /** "native" (the shared library through FFI) or "wasm" (the WebAssembly build). */
  backend: lib.backend as "native" | "wasm",
  /** The path the library was loaded from. */
  path: lib.path as string,
  /** The ABI version of the loaded library. */
  abiVersion: (): number => lib.sym.cobalt_abi_version(),
  /** Calls a native function that does nothing (measures the FFI call cost). */
  noop: (): number => lib.sym.cobalt_noop(),
  /** Calls a native function that panics on purpose: throws CobaltError "PANIC". */
  panic: (): void => check(lib.sym.cobalt_debug_panic()),
  /** The native reference count of a tensor's handle. */
  refcount: (t: Tensor): number => {
    if (!(t instanceof Tensor)) throw new TypeError("native.refcount: expected a Tensor");
    return lib.sym.cobalt_refcount(t.handle);
  },
  /** The name of a native status code (`cobalt_status_str`). */
  statusName: (code: number): string => {
    if (!Number.isInteger(code) || code < -(2 ** 31) || code >= 2 ** 31) {
      throw new TypeError("native.statusName: expected an int32 status code");
    }
    return lib.cstring(lib.sym.cobalt_status_str(code));
  },
};
