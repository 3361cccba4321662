/**
 * Finds and opens libcobalt: `COBALT_LIB_PATH`, then the local release build
 * (`rust/target/release`), then a prebuilt library shipped in `native/<os>-<arch>/`. Refuses a
 * library whose ABI version differs from the one this binding was written for.
 * @module
 */
import { fileURLToPath } from "node:url";
import { CobaltError } from "./errors.ts";
import type { Native } from "./native.ts";
import * as denoAdapter from "./deno.ts";

/** The C ABI version this binding speaks (`COBALT_ABI_VERSION` in cobalt.h). */
export const ABI_VERSION = 6;

declare const Bun: unknown;
const isBun = typeof Bun !== "undefined";

// deno-lint-ignore no-explicit-any
const g = globalThis as any;

function platform(): { os: string; arch: string } {
  if (isBun || !g.Deno) return { os: g.process.platform, arch: g.process.arch };
  const os = g.Deno.build.os as string;
  const arch = g.Deno.build.arch === "aarch64" ? "arm64" : "x64";
  return { os: os === "windows" ? "win32" : os, arch };
}

function libFile(os: string): string {
  return os === "win32" ? "cobalt.dll" : os === "darwin" ? "libcobalt.dylib" : "libcobalt.so";
}

function envPath(): string | undefined {
  if (isBun || !g.Deno) return g.process.env.COBALT_LIB_PATH || undefined;
  // Read the variable only if allowed: never prompt, never fail for lack of --allow-env.
  const st = g.Deno.permissions.querySync?.({ name: "env", variable: "COBALT_LIB_PATH" });
  return st?.state === "granted" ? g.Deno.env.get("COBALT_LIB_PATH") || undefined : undefined;
}

/** The file path of `rel` beside this module: `C:\\...` on Windows, not `/C:/...` as `pathname` gives. */
export function filePath(rel: string, base: string = import.meta.url): string {
  return fileURLToPath(new URL(rel, base));
}

/** The paths tried, in order. */
export function candidates(): string[] {
  const { os, arch } = platform();
  const file = libFile(os);
  const list = [];
  const env = envPath();
  if (env) list.push(env);
  list.push(filePath(`../rust/target/release/${file}`), filePath(`../native/${os}-${arch}/${file}`));
  return list;
}

function isPermissionError(e: unknown): boolean {
  const name = (e as Error)?.name;
  return name === "NotCapable" || name === "PermissionDenied";
}

// The Bun adapter is imported by a computed specifier so Deno never tries to resolve "bun:ffi";
// the Deno adapter is a static import (a dynamic one would need --allow-read in Deno).
const BUN_ADAPTER = "./bun" + ".ts";

interface Adapter {
  abiVersion(path: string): number;
  open(path: string): Native;
}

async function adapter(): Promise<Adapter> {
  return isBun ? await import(BUN_ADAPTER) : denoAdapter;
}

/**
 * Throws CobaltError "LOAD" unless `glob` is Deno's or Bun's global object: the FFI cobalt loads
 * through is theirs (Node's adapter is planned), and without this check Node fails with a
 * misleading "Deno is not defined".
 */
export function checkRuntime(glob: { Deno?: { dlopen?: unknown }; Bun?: unknown }): void {
  if (glob.Bun !== undefined || typeof glob.Deno?.dlopen === "function") return;
  throw new CobaltError(
    "LOAD",
    "cobalt runs in Deno and in Bun; this runtime is neither (Node support is coming: " +
      "until then run your code with `deno run --allow-ffi` or `bun`)",
  );
}

/** Loads the library, or throws a CobaltError ("LOAD", "PERMISSION") that says what to do. */
export async function load(): Promise<Native> {
  checkRuntime(g);
  const tried: string[] = [];
  const runtime = await adapter();
  for (const path of candidates()) {
    let version: number;
    try {
      // The version is read first, alone: a library of another ABI may lack symbols of this one.
      version = runtime.abiVersion(path);
    } catch (e) {
      if (isPermissionError(e)) {
        throw new CobaltError(
          "PERMISSION",
          `cobalt needs FFI access to load ${path}: run Deno with --allow-ffi ` +
            `(and --allow-env=COBALT_LIB_PATH to honour that variable)`,
          { cause: e },
        );
      }
      tried.push(`  ${path}: ${(e as Error).message.split("\n")[0]}`);
      continue;
    }
    if (version !== ABI_VERSION) {
      throw new CobaltError(
        "LOAD",
        `${path} speaks cobalt ABI version ${version}, this binding needs version ${ABI_VERSION}: ` +
          `rebuild it (npm run build) or point COBALT_LIB_PATH at a matching library`,
      );
    }
    return runtime.open(path);
  }
  throw new CobaltError(
    "LOAD",
    `cannot find the cobalt native library. Tried:\n${tried.join("\n")}\n` +
      `Build it with \`npm run build\` (cargo build --release in rust/) or set COBALT_LIB_PATH.`,
  );
}

/** The loaded library, shared by every module. */
export const lib: Native = await load();
