/**
 * The loader, run in child processes: COBALT_LIB_PATH, a missing library, an ABI mismatch, and
 * (Deno) a missing --allow-ffi.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as cb from "../mod.ts";
import { candidates, filePath } from "../ffi/load.ts";
import { runtime, test } from "./harness.ts";

// deno-lint-ignore no-explicit-any
const g = globalThis as any;
const exe: string = runtime === "deno" ? g.Deno.execPath() : g.process.execPath;
const root = decodeURIComponent(new URL("..", import.meta.url).pathname);

const PROBE = `
try {
  const cb = await import("./mod.ts");
  console.log(JSON.stringify({ ok: true, path: cb.native.path }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, code: e.code, message: e.message }));
}`;

/** Runs PROBE in `dir` (a checkout or a bare copy) and returns what it printed. */
function probe(dir: string, env: Record<string, string>, denoFlags = ["-A"]): Record<string, string> {
  const file = join(dir, `probe_${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(file, PROBE);
  try {
    const args = runtime === "deno" ? ["run", ...denoFlags, file] : [file];
    const r = spawnSync(exe, args, { cwd: dir, env: { ...g.process.env, ...env }, encoding: "utf8" });
    const line = r.stdout.trim().split("\n").pop() ?? "";
    assert.ok(line.startsWith("{"), `no result from the child: ${r.stdout}\n${r.stderr}`);
    return JSON.parse(line);
  } finally {
    rmSync(file);
  }
}

/** A copy of the TypeScript library alone: no rust/target, no native/. */
function bareCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "cobalt-load-"));
  cpSync(join(root, "ffi"), join(dir, "ffi"), { recursive: true });
  copyFileSync(join(root, "mod.ts"), join(dir, "mod.ts"));
  return dir;
}

test("loader: COBALT_LIB_PATH is honoured first", () => {
  const dir = bareCopy();
  try {
    const lib = join(dir, "libcobalt-copy.so");
    copyFileSync(cb.native.path, lib);
    const r = probe(dir, { COBALT_LIB_PATH: lib });
    assert.equal(r.ok, true, r.message);
    assert.equal(r.path, lib);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("loader: a missing library lists every path tried and how to build", () => {
  const dir = bareCopy();
  try {
    const r = probe(dir, { COBALT_LIB_PATH: "/nonexistent/libcobalt.so" });
    assert.equal(r.ok, false);
    assert.equal(r.code, "LOAD");
    assert.match(r.message, /cannot find the cobalt native library/);
    assert.match(r.message, /\/nonexistent\/libcobalt\.so/);
    assert.match(r.message, /rust\/target\/release\/libcobalt\.so/);
    assert.match(r.message, /native\/linux-x64\/libcobalt\.so/);
    assert.match(r.message, /npm run build/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("loader: a library of another ABI version is refused", () => {
  const dir = bareCopy();
  try {
    writeFileSync(join(dir, "old.c"), "unsigned cobalt_abi_version(void) { return 999; }\n");
    const cc = spawnSync("cc", ["-shared", "-fPIC", "-o", join(dir, "old.so"), join(dir, "old.c")], {
      encoding: "utf8",
    });
    assert.equal(cc.status, 0, cc.stderr);
    const r = probe(dir, { COBALT_LIB_PATH: join(dir, "old.so") });
    assert.equal(r.ok, false);
    assert.equal(r.code, "LOAD");
    assert.match(r.message, new RegExp(`ABI version 999, this binding needs version ${cb.ABI_VERSION}`));
  } finally {
    rmSync(dir, { recursive: true });
  }
});

if (runtime === "deno") {
  test("loader: without --allow-ffi Deno gets an actionable message", () => {
    const r = probe(root, {}, ["--allow-read", "--allow-env"]);
    assert.equal(r.ok, false);
    assert.equal(r.code, "PERMISSION");
    assert.match(r.message, /--allow-ffi/);
  });
}

test("loader: library paths come from fileURLToPath (percent-decoded; native separators)", () => {
  assert.equal(
    filePath("../a b/libcobalt.so", "file:///work/m%20x/ffi/load.ts"),
    "/work/m x/a b/libcobalt.so",
  );
  assert.equal(filePath("../rust/x.so", "file:///w/ffi/load.ts"), "/w/rust/x.so");
  assert.ok(candidates().every((p) => !p.startsWith("file:") && !p.includes("%")));
});
