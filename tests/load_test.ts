/**
 * The loader, run in child processes: COBALT_LIB_PATH, a missing library, an ABI mismatch, a
 * platform package (found, and refused when its file does not match its SHA-256), and (Deno) a
 * missing --allow-ffi. Under Node the tsc build is tested, whose origin is "package".
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  appendFileSync,
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as cb from "../mod.ts";
import {
  candidates,
  detectRuntime,
  filePath,
  origin,
  packageName,
  platform,
  platformName,
} from "../ffi/load.ts";
import { manifest } from "../ffi/binaries.ts";
import { exe, ext, root, runtime, test } from "./harness.ts";

// deno-lint-ignore no-explicit-any
const g = globalThis as any;

const PROBE = `
try {
  const cb = await import("./mod${ext}");
  console.log(JSON.stringify({ ok: true, path: cb.native.path }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, code: e.code, message: e.message }));
}`;

/** Runs PROBE in `dir` (a checkout or a bare copy) and returns what it printed. */
function probe(dir: string, env: Record<string, string>, denoFlags = ["-A"]): Record<string, string> {
  const file = join(
    dir,
    `probe_${Math.random().toString(36).slice(2)}${runtime === "node" ? ".mjs" : ".ts"}`,
  );
  writeFileSync(file, PROBE);
  try {
    const args = runtime === "deno" ? ["run", ...denoFlags, file] : [file];
    const r = spawnSync(exe, args, {
      cwd: dir,
      env: { ...g.process.env, COBALT_BACKEND: "", COBALT_WASM_PATH: "", ...env },
      encoding: "utf8",
    });
    const line = r.stdout.trim().split("\n").pop() ?? "";
    assert.ok(line.startsWith("{"), `no result from the child: ${r.stdout}\n${r.stderr}`);
    return JSON.parse(line);
  } finally {
    rmSync(file);
  }
}

/** A copy of the library's sources (or of its tsc build, under Node) alone: no rust/target. */
function bareCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "cobalt-load-"));
  cpSync(join(root, "ffi"), join(dir, "ffi"), { recursive: true });
  copyFileSync(join(root, `mod${ext}`), join(dir, `mod${ext}`));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "probe", type: "module" }));
  if (runtime === "node") {
    // koffi and its prebuilt binary package, as `npm install koffi` lays them out
    for (const m of ["koffi", `@koromix/koffi-${platform().os}-${platform().arch}`]) {
      cpSync(join(root, "node_modules", m), join(dir, "node_modules", m), { recursive: true });
    }
  }
  return dir;
}

/** Installs a platform package (as npm lays it out) into `dir`, carrying `lib`, pinning `sha256`. */
function fakePackage(dir: string, lib: string, sha256: string): string {
  const { os, arch } = platform();
  const name = packageName(platformName(os, arch)!);
  const pkg = join(dir, "node_modules", name);
  mkdirSync(pkg, { recursive: true });
  const file = join(pkg, "libcobalt.so");
  copyFileSync(lib, file);
  writeFileSync(
    join(pkg, "package.json"),
    JSON.stringify({ name, version: manifest.version, type: "module", main: "index.js" }),
  );
  writeFileSync(
    join(pkg, "index.js"),
    `import { fileURLToPath } from "node:url";
export const libPath = fileURLToPath(new URL("./libcobalt.so", import.meta.url));
export const abiVersion = ${cb.ABI_VERSION};
export const sha256 = ${JSON.stringify(sha256)};\n`,
  );
  return file;
}

/** The native library of this run (on the WebAssembly backend, the release build of the clone). */
const nativeLib = cb.native.backend === "native"
  ? cb.native.path
  : g.process?.env?.COBALT_LIB_PATH || join(root, "rust/target/release/libcobalt.so"); // wasm runs are on Linux

function sha256Of(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

test("loader: COBALT_LIB_PATH is honoured first", () => {
  const dir = bareCopy();
  try {
    const lib = join(dir, "libcobalt-copy.so");
    copyFileSync(nativeLib, lib);
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
    if (ext === ".ts") {
      assert.match(r.message, /rust\/target\/release\/libcobalt\.so/);
      assert.match(r.message, /npm run build/);
    } else {
      // the tsc build (an npm install) points at the platform package npm left out
      assert.match(r.message, new RegExp(`@cobalt-tensor/linux-x64-gnu@${manifest.version}: not installed`));
      assert.match(r.message, /--omit=optional/);
      assert.match(r.message, /npm install @cobalt-tensor\/linux-x64-gnu@/);
    }
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("loader: the platform package is found, its library checked against its SHA-256", () => {
  const dir = bareCopy();
  try {
    const file = fakePackage(dir, nativeLib, sha256Of(nativeLib));
    const noEnv = { COBALT_LIB_PATH: "" }; // the package, not a library the test run points at
    const r = probe(dir, noEnv);
    assert.equal(r.ok, true, r.message);
    assert.equal(r.path, file);
    appendFileSync(file, "x"); // a library changed after installation
    const bad = probe(dir, noEnv);
    assert.equal(bad.ok, false);
    assert.equal(bad.code, "LOAD");
    assert.match(bad.message, /has SHA-256 [0-9a-f]{64}, not the [0-9a-f]{64} its package pins/);
    assert.match(bad.message, /reinstall/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("loader: runtimes, platforms and origins are named as npm names them", () => {
  assert.equal(detectRuntime({ Bun: {} }), "bun");
  assert.equal(detectRuntime({ Deno: { dlopen: () => {} } }), "deno");
  assert.equal(detectRuntime({ process: { versions: { node: "20.20.2" } } }), "node");
  assert.equal(detectRuntime(g), runtime);
  assert.equal(platformName("linux", "x64"), "linux-x64-gnu");
  assert.equal(platformName("linux", "arm64"), "linux-arm64-gnu");
  assert.equal(platformName("win32", "x64"), "win32-x64");
  assert.equal(platformName("darwin", "arm64"), "darwin-arm64");
  assert.equal(platformName("freebsd", "x64"), undefined);
  assert.equal(platformName("linux", "riscv64"), undefined);
  assert.deepEqual(platform(), { os: g.process.platform, arch: g.process.arch });
  assert.equal(origin("https://jsr.io/@cobalt/cobalt/0.3.0/ffi/load.ts"), "url");
  assert.equal(origin("file:///x/node_modules/cobalt-tensor/dist/ffi/load.js"), "package");
  assert.equal(origin("file:///x/cobalt/ffi/load.ts"), "source");
  assert.equal(origin(), ext === ".ts" ? "source" : "package");
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
