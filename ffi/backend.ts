/**
 * Which backend the loader picks, set before it runs: `web.ts` (the `/web` entry point) asks for
 * the WebAssembly build by importing `web_backend.ts` first. Otherwise `COBALT_BACKEND`
 * ("native" | "wasm") decides, and without it the native library is tried first, then WebAssembly.
 * @module
 */

/** The backend requested by an entry point (undefined: let the loader decide). */
export const requested: { backend?: "native" | "wasm" } = {};
