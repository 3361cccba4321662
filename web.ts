/**
 * cobalt for the browser (and any runtime): the same API as `mod.ts`, computed by the Rust core
 * compiled to WebAssembly (`cobalt.wasm`, found beside this module, or at the URL in
 * `globalThis.COBALT_WASM_URL` when that is set before the import).
 *
 * @example
 * ```ts
 * import * as cb from "./web.ts";
 * using a = cb.tensor([[1, 2], [3, 4]]);
 * console.log(a.matmul(a).toArray(), cb.native.backend); // [[7, 10], [15, 22]] "wasm"
 * ```
 * @module
 */
import "./ffi/web_backend.ts";
export * from "./mod.ts";
