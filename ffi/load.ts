/**
 * Finds and opens libcobalt, trying in order: `COBALT_LIB_PATH`; the source build
 * (`rust/target/release`, when running from the `.ts` sources of a clone); for a URL or JSR import,
 * the release library downloaded once and checked against the SHA-256 pinned in `binaries.ts`; the
 * platform's npm package (`@cobalt-tensor/linux-x64-gnu` and so on), whose file is checked against
 * its SHA-256. Refuses a library whose ABI version differs from the one this binding was written
 * for. Runs in Deno (`Deno.dlopen`), Bun (`bun:ffi`) and Node (koffi).
 * @module
 */
import { fileURLToPath } from "node:url";
import { CobaltError } from "./errors.ts";
import type { Native } from "./native.ts";
import * as denoAdapter from "./deno.ts";
import { manifest } from "./binaries.ts";
import { download, sha256File } from "./fetch.ts";
import { env, platform } from "./host.ts";
import { requested } from "./backend.ts";

export { platform };

/** The C ABI version this binding speaks (`COBALT_ABI_VERSION` in cobalt.h). */
export const ABI_VERSION = 6;

/** The platforms with a prebuilt library (npm package `@cobalt-tensor/<platform>`). */
export const PLATFORMS = [
  "linux-x64-gnu",
  "linux-arm64-gnu",
  "win32-x64",
  "darwin-arm64",
  "darwin-x64",
] as const;

// deno-lint-ignore no-explicit-any
const g = globalThis as any;

/** The JS runtimes cobalt binds to. */
export type RuntimeName = "deno" | "bun" | "node";

/**
 * The runtime `glob` (a global object) belongs to, or CobaltError "LOAD" when it is none of Deno,
 * Bun and Node (say, a browser: the WebAssembly build is planned for it).
 */
export function detectRuntime(
  glob: { Deno?: { dlopen?: unknown }; Bun?: unknown; process?: { versions?: { node?: string } } },
): RuntimeName {
  if (glob.Bun !== undefined) return "bun";
  if (typeof glob.Deno?.dlopen === "function") return "deno";
  if (typeof glob.process?.versions?.node === "string") return "node";
  throw new CobaltError(
    "LOAD",
    "cobalt runs in Deno, Bun and Node (through their FFI); this runtime is none of them",
  );
}

/** Deno, Bun or Node (which have FFI), else "browser" (any other host: WebAssembly only). */
const runtimeName: RuntimeName | "browser" =
  g.Bun !== undefined || typeof g.Deno?.dlopen === "function" || typeof g.process?.versions?.node === "string"
    ? detectRuntime(g)
    : "browser";

/** The prebuilt platform name for `os`/`arch` (`linux-x64-gnu`), or undefined when there is none. */
export function platformName(os: string, arch: string): string | undefined {
  const name = os === "linux" ? `linux-${arch}-gnu` : `${os}-${arch}`;
  return (PLATFORMS as readonly string[]).includes(name) ? name : undefined;
}

function libFile(os: string): string {
  return os === "win32" ? "cobalt.dll" : os === "darwin" ? "libcobalt.dylib" : "libcobalt.so";
}

/** The file path of `rel` beside this module: `C:\\...` on Windows, not `/C:/...` as `pathname` gives. */
export function filePath(rel: string, base: string = import.meta.url): string {
  return fileURLToPath(new URL(rel, base));
}

/** Where this module was loaded from: a clone's `.ts` sources, a compiled npm package, or a URL/JSR import. */
export function origin(url: string = import.meta.url): "source" | "package" | "url" {
  if (/^https?:/.test(url)) return "url";
  return url.endsWith(".ts") ? "source" : "package";
}

/** One library to try, and the SHA-256 it must have (if pinned). */
interface Candidate {
  path: string;
  sha256?: string | undefined;
}

/** The paths tried, in order, without fetching or importing anything (for messages and tests). */
export function candidates(): string[] {
  const { os } = platform();
  const list = [];
  const path = env("COBALT_LIB_PATH");
  if (path) list.push(path);
  if (origin() === "source") list.push(filePath(`../rust/target/release/${libFile(os)}`));
  return list;
}

function isPermissionError(e: unknown): boolean {
  const name = (e as Error)?.name;
  return name === "NotCapable" || name === "PermissionDenied";
}

/** The package that carries this platform's library (`@cobalt-tensor/linux-x64-gnu`). */
export function packageName(platform: string): string {
  return `@cobalt-tensor/${platform}`;
}

/**
 * The platform package's library, or a line saying why there is none. The specifier is computed,
 * so bundlers and `deno check` leave it alone.
 */
async function fromPackage(platform: string): Promise<Candidate | string> {
  const name = packageName(platform);
  let m: { libPath?: string; abiVersion?: number; sha256?: string };
  try {
    m = await import(name + "");
  } catch (e) {
    return `${name}@${manifest.version}: not installed (${(e as Error).message.split("\n")[0]})`;
  }
  if (typeof m.libPath !== "string") return `${name}: no libPath export (not a cobalt platform package)`;
  return { path: m.libPath, sha256: m.sha256 };
}

// The Bun and Node adapters are imported by computed specifiers so Deno never resolves "bun:ffi"
// or koffi; the Deno adapter is a static import (a dynamic one would need --allow-read in Deno).
const BUN_ADAPTER = "./bun" + ".ts";
const NODE_ADAPTER = "./node" + ".ts";

interface Adapter {
  ready?(): Promise<void>;
  abiVersion(path: string): number;
  open(path: string): Native;
}

async function adapter(): Promise<Adapter> {
  if (runtimeName === "browser") throw new CobaltError("LOAD", "no FFI in a browser");
  if (runtimeName === "deno") return denoAdapter;
  const a: Adapter = await import(runtimeName === "bun" ? BUN_ADAPTER : NODE_ADAPTER);
  await a.ready?.();
  return a;
}

/**
 * Throws CobaltError "LOAD" unless `glob` is the global object of Deno, Bun or Node (kept for
 * callers of 0.3; `detectRuntime` says which).
 */
export function checkRuntime(glob: Parameters<typeof detectRuntime>[0]): void {
  detectRuntime(glob);
}

const PERMISSION_HINT = "run Deno with --allow-ffi (and --allow-env=COBALT_LIB_PATH to honour that variable)";

/** The SHA-256 check of a platform package's library (skipped only where the file cannot be read). */
async function verify(c: Candidate): Promise<void> {
  if (!c.sha256) return;
  const actual = await sha256File(c.path);
  if (actual === undefined || actual === c.sha256) return;
  throw new CobaltError(
    "LOAD",
    `${c.path} has SHA-256 ${actual}, not the ${c.sha256} its package pins: the file was changed ` +
      `after installation; reinstall the package (rm -rf node_modules && npm install)`,
  );
}

/** Why nothing loaded, and what to do about it, for each way cobalt can be installed. */
function notFound(tried: string[], plat: string | undefined, os: string, arch: string): CobaltError {
  const list = tried.length ? `Tried:\n${tried.join("\n")}\n` : "";
  let hint: string;
  if (origin() === "source") {
    hint = "Build it with `npm run build` (cargo build --release in rust/) or set COBALT_LIB_PATH.";
  } else if (plat === undefined) {
    hint = `There is no prebuilt cobalt library for ${os}-${arch} (prebuilt: ${PLATFORMS.join(", ")}): ` +
      "build rust/ from the source repository (cargo build --release) and set COBALT_LIB_PATH to the library.";
  } else if (origin() === "url") {
    hint = `The release manifest has no library for ${plat}: set COBALT_LIB_PATH to a libcobalt you built.`;
  } else {
    const pkg = `${packageName(plat)}@${manifest.version}`;
    hint =
      `This platform's library comes in ${pkg}, an optional dependency of cobalt-tensor: it is missing ` +
      `when dependencies were installed with --omit=optional (or --no-optional, or a lockfile made on another ` +
      `platform). Install it with \`npm install ${pkg}\` (bun add / deno add npm:${pkg}), ` +
      "or set COBALT_LIB_PATH to a libcobalt you built.";
  }
  return new CobaltError("LOAD", `cannot find the cobalt native library. ${list}${hint}`);
}

/** Where `cobalt.wasm` is looked for: `COBALT_WASM_URL` (a global, then the environment), else beside the module. */
export function wasmLocation(url: string = import.meta.url): string {
  const set = g.COBALT_WASM_URL ?? env("COBALT_WASM_PATH");
  if (set !== undefined) return String(set);
  // A clone runs the sources (ffi/load.ts: the build is in dist/wasm/); a package or a bundle has it
  // one level up (dist/ffi/load.js beside dist/cobalt.wasm) or beside itself (a bundle).
  const rel = origin(url) === "source"
    ? "../dist/wasm/cobalt.wasm"
    : /\/ffi\/[^/]*$/.test(url)
    ? "../cobalt.wasm"
    : "./cobalt.wasm";
  const u = new URL(rel, url);
  return u.protocol === "file:" ? filePath(rel, url) : u.href;
}

/** The WebAssembly backend, from `where` (a file path, or a URL where there is no file system). */
async function loadWasm(where: string): Promise<Native> {
  const wasm = await import("./wasm.ts");
  let source: ArrayBuffer | ArrayBufferView | string = where;
  if (runtimeName !== "browser" && !/^(https?|data|blob):/.test(where)) {
    const { readFile } = await import("node:fs/promises");
    try {
      source = new Uint8Array(await readFile(where));
    } catch (e) {
      if (isPermissionError(e)) {
        throw new CobaltError(
          "PERMISSION",
          `cobalt needs read access to ${where}: run Deno with --allow-read`,
          {
            cause: e,
          },
        );
      }
      throw new CobaltError("LOAD", `cannot read the WebAssembly build ${where}: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }
  const module = await wasm.compile(source);
  return wasm.open(module, where, runtimeName);
}

/**
 * Loads the backend: the WebAssembly build where asked for (`/web`, `COBALT_BACKEND=wasm`) or where
 * there is no FFI; else the native library, falling back to WebAssembly (with a one-time notice)
 * on a platform cobalt has no prebuilt library for (an installed package or a URL import, not a
 * clone). Throws a CobaltError ("LOAD", "PERMISSION") that says what to do.
 */
export async function load(): Promise<Native> {
  const choice = requested.backend ?? env("COBALT_BACKEND");
  if (choice !== undefined && choice !== "native" && choice !== "wasm") {
    throw new CobaltError("LOAD", `COBALT_BACKEND must be "native" or "wasm", not ${JSON.stringify(choice)}`);
  }
  if (choice === "wasm" || runtimeName === "browser") return await loadWasm(wasmLocation());
  try {
    return await loadNative();
  } catch (e) {
    // Only a platform without a prebuilt library falls back: where one exists but is missing (an
    // install with --omit=optional, a clone without a build), the error says how to get it, which
    // beats running slower without a word.
    const { os, arch } = platform();
    const plat = platformName(os, arch);
    const prebuilt = plat !== undefined && (origin() !== "url" || manifest.files[plat] !== undefined);
    if (
      choice === "native" || prebuilt || origin() === "source" || !(e instanceof CobaltError) ||
      e.code !== "LOAD" || !/cannot find/.test(e.message)
    ) {
      throw e;
    }
    let n: Native;
    try {
      n = await loadWasm(wasmLocation());
    } catch {
      throw e; // no WebAssembly build either: the native error says what to install
    }
    console.warn(
      `cobalt: no native library for this platform, so the WebAssembly build runs (${n.path}; one thread, ` +
        "slower). Set COBALT_BACKEND=wasm to choose it and silence this notice.",
    );
    return n;
  }
}

/** The native library, or a CobaltError ("LOAD", "PERMISSION") that says what to do. */
async function loadNative(): Promise<Native> {
  const tried: string[] = [];
  const runtime = await adapter();
  const attempt = (c: Candidate): Native | undefined => {
    let version: number;
    try {
      // The version is read first, alone: a library of another ABI may lack symbols of this one.
      version = runtime.abiVersion(c.path);
    } catch (e) {
      if (isPermissionError(e)) {
        throw new CobaltError("PERMISSION", `cobalt needs FFI access to load ${c.path}: ${PERMISSION_HINT}`, {
          cause: e,
        });
      }
      tried.push(`  ${c.path}: ${(e as Error).message.split("\n")[0]}`);
      return undefined;
    }
    if (version !== ABI_VERSION) {
      throw new CobaltError(
        "LOAD",
        `${c.path} speaks cobalt ABI version ${version}, this binding needs version ${ABI_VERSION}: ` +
          (origin() === "source"
            ? "rebuild it (npm run build) or point COBALT_LIB_PATH at a matching library"
            : `install the platform package of the same version as cobalt-tensor (${manifest.version}) ` +
              "or point COBALT_LIB_PATH at a matching library"),
      );
    }
    return runtime.open(c.path);
  };
  for (const path of candidates()) {
    const n = attempt({ path });
    if (n) return n;
  }
  const { os, arch } = platform();
  const plat = platformName(os, arch);
  if (plat !== undefined && origin() === "url") {
    const bin = manifest.files[plat];
    if (bin) {
      const n = attempt({ path: await download(plat, bin) });
      if (n) return n;
    }
  } else if (plat !== undefined) {
    const c = await fromPackage(plat);
    if (typeof c === "string") tried.push(`  ${c}`);
    else {
      await verify(c);
      const n = attempt(c);
      if (n) return n;
    }
  }
  throw notFound(tried, plat, os, arch);
}

/** The loaded library, shared by every module. */
export const lib: Native = await load();
