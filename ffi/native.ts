/**
 * The runtime-neutral view of the loaded library: typed symbols plus the few pointer services that
 * differ between Deno, Bun and Node. `deno.ts`, `bun.ts` and `node.ts` are the only files that implement it.
 * @module
 */
import type { Symbols } from "./symbols.ts";

/** An opaque native pointer: a `Deno.PointerObject` (or null) in Deno, a number (or null) in Bun and Node. */
export type Ptr = unknown;

type JsOf<T> = T extends "pointer" ? Ptr
  : T extends "buffer" ? ArrayBufferView | null
  : T extends "void" ? void
  : number;

type Params<P> = { -readonly [K in keyof P]: JsOf<P[K]> };

type Result<D> = D extends { nonblocking: true; result: infer R } ? Promise<JsOf<R>>
  : D extends { result: infer R } ? JsOf<R>
  : never;

/** The symbols of the library, typed from the one table (non-blocking ones return Promises). */
export type Sym = {
  [K in keyof Symbols]: (
    ...args: Params<Symbols[K]["parameters"]> extends infer A extends unknown[] ? A : never
  ) => Result<Symbols[K]>;
};

/** What a runtime adapter provides. */
export interface Native {
  /** The JS runtime: "deno", "bun", "node", or "browser" (the WebAssembly backend only). */
  readonly runtime: "deno" | "bun" | "node" | "browser";
  /** "native": the shared library through FFI; "wasm": the WebAssembly build (`wasm.ts`). */
  readonly backend: "native" | "wasm";
  /** Whether a tensor can be made over JS memory without copying (`copy: false`). */
  readonly adopt: boolean;
  /** sizeof(void*) of the library: 8 natively, 4 for wasm32 (pointer arrays such as concat's). */
  readonly pointerBytes: 4 | 8;
  /** The file the library was loaded from. */
  readonly path: string;
  /** The exported functions. */
  readonly sym: Sym;
  /** True for a NULL pointer. */
  isNull(p: Ptr): boolean;
  /** Reads a NUL-terminated UTF-8 string. */
  cstring(p: Ptr): string;
  /**
   * An ArrayBuffer over `byteLength` bytes at `p`, without copying, that owns one reference to
   * `handle` (taken here) and gives it back when the buffer is collected.
   */
  external(p: Ptr, byteLength: number, handle: Ptr): ArrayBuffer;
  /**
   * For a library whose memory is one JS-visible buffer (WebAssembly): `view(p)` gives that buffer
   * and `p`'s offset in it (used instead of `external`); `pin(view, handle)` keeps `handle`'s
   * storage alive as long as `view` lives; `stable` is false when memory growth detaches views.
   */
  readonly linear?: {
    view(p: Ptr): [ArrayBuffer, number];
    pin(view: object, handle: Ptr): void;
    readonly stable: boolean;
  };
  /** The numeric address of a pointer. */
  address(p: Ptr): number;
  /** The pointer at a numeric address (the inverse of `address`). */
  pointer(address: number): Ptr;
  /** The numeric address of a TypedArray's first byte. */
  addressOf(view: ArrayBufferView): number;
  /** Unloads the library. */
  close(): void;
}
