/**
 * Imported first by `web.ts`: requests the WebAssembly backend before the loader runs.
 * @module
 */
import { requested } from "./backend.ts";

requested.backend = "wasm";
