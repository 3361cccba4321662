/**
 * Facts about the host every runtime answers differently: environment variables (read without
 * prompting in Deno) and the platform, named as npm names it. Used by the loader and the download.
 * @module
 */

// deno-lint-ignore no-explicit-any
const g = globalThis as any;

/**
 * An environment variable, or undefined when unset or empty. In Deno it is read only where
 * `--allow-env` grants it: never a prompt, never a failure for lack of the permission.
 */
export function env(name: string): string | undefined {
  const D = g.Deno;
  if (D?.permissions?.querySync) {
    const st = D.permissions.querySync({ name: "env", variable: name });
    return st.state === "granted" ? D.env.get(name) || undefined : undefined;
  }
  return g.process?.env?.[name] || undefined;
}

/** This machine's platform as npm names it: `{ os: "linux" | "darwin" | "win32" | ..., arch: "x64" | "arm64" | ... }`. */
export function platform(): { os: string; arch: string } {
  const D = g.Deno;
  if (!D?.build) return { os: g.process.platform, arch: g.process.arch };
  const os = D.build.os as string;
  const a = D.build.arch as string;
  return {
    os: os === "windows" ? "win32" : os,
    arch: a === "aarch64" ? "arm64" : a === "x86_64" ? "x64" : a,
  };
}

/** Whether `path` may be read without a prompt (always, except in Deno without `--allow-read` for it). */
export function mayRead(path: string): boolean {
  const D = g.Deno;
  return !D?.permissions?.querySync || D.permissions.querySync({ name: "read", path }).state === "granted";
}
