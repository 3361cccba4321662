/**
 * The native library for a URL or JSR import (no npm, no node_modules): downloaded once from the
 * release assets, checked against the SHA-256 pinned in `binaries.ts`, and cached under
 * `COBALT_CACHE_DIR`, else `$XDG_CACHE_HOME/cobalt` or `~/.cache/cobalt` (Linux),
 * `~/Library/Caches/cobalt` (macOS), `%LOCALAPPDATA%\cobalt` (Windows). The cache path contains the
 * hash, so versions never collide and a cached file is never stale; a cached file is hashed again
 * before use. A file with another hash is refused and never cached.
 * @module
 */
import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { CobaltError } from "./errors.ts";
import { type Binary, manifest } from "./binaries.ts";
import { env, mayRead, platform } from "./host.ts";

/** The directory cached libraries live in (see the module doc). */
export function cacheDir(): string {
  const own = env("COBALT_CACHE_DIR");
  if (own) return own;
  const o = platform().os;
  if (o === "win32") {
    const local = env("LOCALAPPDATA");
    if (local) return join(local, "cobalt");
  }
  const home = env("HOME") ?? env("USERPROFILE") ?? homedir();
  if (o === "darwin") return join(home, "Library", "Caches", "cobalt");
  const xdg = env("XDG_CACHE_HOME");
  return join(xdg ?? join(home, ".cache"), "cobalt");
}

function hex(b: ArrayBuffer): string {
  return Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, "0")).join("");
}

/** SHA-256 (hex) of bytes. */
export async function sha256(bytes: Uint8Array): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
}

/**
 * SHA-256 (hex) of the file at `path`, or undefined where it may not be read (Deno without
 * --allow-read for it: the package manager checked the tarball's integrity at install time).
 */
export async function sha256File(path: string): Promise<string | undefined> {
  return mayRead(path) ? await sha256(await readFile(path)) : undefined;
}

function isPermission(e: unknown): boolean {
  const name = (e as Error)?.name;
  return name === "NotCapable" || name === "PermissionDenied" || /Requires \w+ access/.test(String(e));
}

/** The release asset name of a platform's library: `cobalt-0.3.0-linux-x64-gnu-libcobalt.so`. */
export function assetName(platform: string, bin: Binary, version: string = manifest.version): string {
  return `cobalt-${version}-${platform}-${bin.file}`;
}

/**
 * The path of `platform`'s library, verified against `bin.sha256`: from the cache, or downloaded
 * from `baseUrl` (the release) into it. Throws CobaltError "LOAD" for a failed download or a hash
 * mismatch, "PERMISSION" when Deno withholds what the download needs.
 */
export async function download(
  platform: string,
  bin: Binary,
  baseUrl: string = manifest.baseUrl,
): Promise<string> {
  const url = new URL(assetName(platform, bin), baseUrl).href;
  let dir = "";
  try {
    dir = join(cacheDir(), bin.sha256.slice(0, 16));
    const path = join(dir, bin.file);
    const cached = await readFile(path).catch((e) => {
      if (isPermission(e)) throw e;
      return undefined;
    });
    if (cached && await sha256(cached) === bin.sha256) return path;
    const res = await fetch(url);
    if (!res.ok) {
      await res.body?.cancel();
      throw new CobaltError("LOAD", `downloading cobalt's native library ${url} failed: HTTP ${res.status}`);
    }
    const bytes = new Uint8Array(await res.arrayBuffer());
    const actual = await sha256(bytes);
    if (actual !== bin.sha256) {
      throw new CobaltError(
        "LOAD",
        `${url} has SHA-256 ${actual}, not the ${bin.sha256} this release pins: refusing to load it ` +
          "(nothing was cached). The download was altered on the way or the release asset was replaced.",
      );
    }
    await mkdir(dir, { recursive: true });
    // A private name, then an atomic rename: a concurrent process never sees half a file.
    const tmp = join(dir, `${bin.file}.${crypto.randomUUID()}.tmp`);
    await writeFile(tmp, bytes);
    try {
      await chmod(tmp, 0o755);
      await rename(tmp, path);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    return path;
  } catch (e) {
    if (e instanceof CobaltError) throw e;
    if (isPermission(e)) {
      const host = new URL(url).host;
      const cache = dir || "<cache dir>";
      throw new CobaltError(
        "PERMISSION",
        `cobalt imported from a URL downloads its native library once (${url}) into ${cache}: run Deno ` +
          `with --allow-net=${host} --allow-read=${cache} --allow-write=${cache} --allow-env --allow-ffi ` +
          `(or set COBALT_LIB_PATH to a local library). ${(e as Error).message}`,
        { cause: e },
      );
    }
    throw new CobaltError(
      "LOAD",
      `downloading cobalt's native library ${url} failed: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
}
