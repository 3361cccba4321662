/**
 * Shared by the bug-finding tools (`fuzz_test.ts`, `misuse_test.ts`): a seeded PRNG, child
 * processes of the running runtime, and the known-failures bookkeeping.
 * @module
 */
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { KNOWN_FAILURES, type KnownFailure } from "./known_failures.ts";

declare const Bun: unknown;

/**
 * The runtime these tools run in (detected here, not imported from harness.ts: the child processes
 * import this module outside any test runner, where `bun:test` is unavailable).
 */
export const runtime: "deno" | "bun" | "node" = typeof Bun !== "undefined"
  ? "bun"
  // deno-lint-ignore no-explicit-any
  : typeof (globalThis as any).Deno?.test === "function"
  ? "deno"
  : "node";

/**
 * Whether the module at `meta` is the program being run (`import.meta.main` in Deno and Bun; Node 20
 * lacks it, so there the entry script's path is compared).
 */
export function isMain(meta: ImportMeta): boolean {
  const main = (meta as { main?: boolean }).main;
  if (main !== undefined) return main;
  return process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === meta.url;
}

/** An integer environment variable, or `fallback`. */
export function envInt(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`${name} must be an integer, got ${v}`);
  return n;
}

/** A string environment variable. */
export function env(name: string): string | undefined {
  const v = process.env[name];
  return v === undefined || v === "" ? undefined : v;
}

/**
 * sfc32, seeded through splitmix32 from a seed and a stream number (a case index), so each case
 * can be replayed alone. The same numbers in Deno and Bun.
 */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  constructor(seed: number, stream = 0) {
    let s = (seed ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
    const mix = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#a = mix();
    this.#b = mix();
    this.#c = mix();
    this.#d = mix();
    for (let i = 0; i < 12; i++) this.u32();
  }
  /** A uniform uint32. */
  u32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** An integer in [lo, hi] (both included). */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** One element. */
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  /** One key of a weight table. */
  weighted<K extends string>(w: Readonly<Record<K, number>>): K {
    const keys = Object.keys(w) as K[];
    let total = 0;
    for (const k of keys) total += w[k];
    let r = this.next() * total;
    for (const k of keys) {
      r -= w[k];
      if (r < 0) return k;
    }
    return keys[keys.length - 1];
  }
  /** A random permutation of 0..n-1. */
  perm(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [p[i], p[j]] = [p[j], p[i]];
    }
    return p;
  }
}

/** How a child process ended. */
export interface ChildResult {
  status: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

// deno-lint-ignore no-explicit-any
const g = globalThis as any;

/** The command line that runs `script` in this runtime (with GC exposed). */
export function childCommand(script: string, args: string[]): { exe: string; argv: string[] } {
  if (runtime === "deno") {
    return {
      exe: g.Deno.execPath(),
      argv: ["run", "--allow-all", "--v8-flags=--expose-gc", "--quiet", script, ...args],
    };
  }
  if (runtime === "node") return { exe: process.execPath, argv: ["--expose-gc", script, ...args] };
  return { exe: process.execPath, argv: [script, ...args] };
}

/** Options of `runChild`. */
export interface ChildOptions {
  /** The working directory. */
  cwd?: string;
  /** A limit on writable memory (`ulimit -d`, KiB), so a call that allocates for real cannot take the machine. */
  dataLimitKb?: number;
}

/** Runs `script` (a path) in a child process of this runtime and waits for it. */
export function runChild(
  script: string,
  args: string[],
  timeoutMs: number,
  opts: ChildOptions = {},
): ChildResult {
  let { exe, argv } = childCommand(script, args);
  // NOTE: under qemu-user (the arm64 CI run) a data limit stops the emulated runtime from starting
  // (it reserves its guest address space up front), so the cross test turns the limit off.
  if (opts.dataLimitKb !== undefined && process.env.COBALT_CHILD_DATA_LIMIT !== "none") {
    argv = ["-c", `ulimit -d ${opts.dataLimitKb} && exec "$0" "$@"`, exe, ...argv];
    exe = "bash";
  }
  const t0 = performance.now();
  const r = spawnSync(exe, argv, {
    encoding: "utf8",
    timeout: timeoutMs,
    killSignal: "SIGKILL",
    maxBuffer: 256 * 1024 * 1024,
    cwd: opts.cwd,
    env: { ...process.env, NO_COLOR: "1" },
  });
  const ms = performance.now() - t0;
  const err = r.error as (Error & { code?: string }) | undefined;
  return {
    status: r.status,
    signal: r.signal,
    stdout: r.stdout ?? "",
    stderr: r.stderr ?? "",
    ms,
    timedOut: err?.code === "ETIMEDOUT" || (r.signal === "SIGKILL" && ms >= timeoutMs - 50),
  };
}

/**
 * A line-oriented log written with one `write(2)` per line, so what a child wrote before it
 * crashed is on disk whatever happens next.
 */
export class SyncLog {
  #fd: number;
  constructor(path: string) {
    this.#fd = openSync(path, "a");
  }
  /** Appends one line (no newline inside). */
  line(s: string): void {
    writeSync(this.#fd, s + "\n");
  }
  close(): void {
    closeSync(this.#fd);
  }
}

/** The lines of a file written by `SyncLog` (a missing file has none). */
export function readLines(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return [];
  }
  return text.split("\n").filter((l) => l.length > 0);
}

/** The last lines of a child's stderr, for a report. */
export function tail(s: string, n = 12): string {
  return s.trimEnd().split("\n").slice(-n).join("\n");
}

/** True when `sig` matches the glob `pattern` ("*" matches any run of characters). */
export function globMatch(pattern: string, sig: string): boolean {
  const re = new RegExp(
    "^" + pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*") + "$",
  );
  return re.test(sig);
}

/** The known failures of `tool` that apply to this runtime. */
export function knownFor(tool: KnownFailure["tool"]): KnownFailure[] {
  return KNOWN_FAILURES.filter((k) =>
    k.tool === tool && (k.runtimes ?? ["deno", "bun", "node"]).includes(runtime)
  );
}

/** The known failure a signature falls under, if any. */
export function knownMatch(list: KnownFailure[], sig: string): KnownFailure | undefined {
  return list.find((k) => globMatch(k.sig, sig));
}

/** A new temporary directory. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

// The elementwise Tensor methods the tools exercise: the op table's (generated, tests/op_table.ts).
export { BINARY, UNARY } from "./op_table.ts";

/**
 * The symbols `deno doc --json mod.ts` lists (run by `deno`, in `root`), for the tests that check
 * the public docs (docs_test.ts, types_test.ts).
 */
// deno-lint-ignore no-explicit-any
export function denoDocSymbols(deno: string, root: string): any[] {
  const r = spawnSync(deno, ["doc", "--json", "mod.ts"], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`deno doc failed (${r.status}): ${r.stderr}`);
  // deno-lint-ignore no-explicit-any
  return Object.values(JSON.parse(r.stdout).nodes as Record<string, any>).flatMap((n) => n.symbols);
}
