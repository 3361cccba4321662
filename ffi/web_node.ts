/**
 * What the browser bundle (scripts/build-web.mjs) puts in place of the `node:*` modules the
 * sources import. Nothing here runs in Deno, Bun or Node. Files: there is no file system in a
 * browser, so every file function throws a CobaltError that says what to do instead (fetch the
 * bytes and decode them). Scopes: `AsyncLocalStorage` becomes a synchronous stack, so an async
 * `cb.scope` tracks the tensors made before its first `await` (later ones are left to the GC).
 * @module
 */
import { CobaltError } from "./errors.ts";

function noFiles(name: string): never {
  throw new CobaltError(
    "INVALID_ARGUMENT",
    `${name}: a browser has no file system: fetch the bytes and decode them ` +
      "(cb.decodeSafetensors(new Uint8Array(await (await fetch(url)).arrayBuffer())), decodeNpy, decodeNpz)",
  );
}
const files = (name: string) => (..._: unknown[]): never => noFiles(name);

export const readFileSync = files("readFileSync");
export const writeFileSync = files("writeFileSync");
export const renameSync = files("renameSync");
export const statSync = files("statSync");
export const unlinkSync = files("unlinkSync");
export const readFile = files("readFile");
export const writeFile = files("writeFile");
export const rename = files("rename");
export const stat = files("stat");
export const unlink = files("unlink");
export const chmod = files("chmod");
export const mkdir = files("mkdir");
export const rm = files("rm");
export const homedir = files("homedir");
export const join = (...parts: string[]): string => parts.join("/");
export const fileURLToPath = (u: string | URL): string => new URL(u).pathname;
export const isMainThread = true;

/** A synchronous stand-in: the store is visible while `fn` runs, up to its first `await`. */
export class AsyncLocalStorage<T> {
  #store: T | undefined;
  getStore(): T | undefined {
    return this.#store;
  }
  run<R>(store: T, fn: () => R): R {
    const prev = this.#store;
    this.#store = store;
    try {
      return fn();
    } finally {
      this.#store = prev;
    }
  }
}
