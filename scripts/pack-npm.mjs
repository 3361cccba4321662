#!/usr/bin/env node
// Builds the npm packages and the release assets from the prebuilt libraries in dist/lib/:
//
//   npm/cobalt-tensor/    the main package: compiled ESM + .d.ts (scripts/build-js.sh), no binaries,
//                         optionalDependencies pinning each platform package at this exact version,
//                         dist/ffi/binaries.js = the release manifest (sha256 of every library)
//   npm/<platform>/       @cobalt-tensor/<platform>: index.js (libPath, abiVersion, sha256),
//                         index.d.ts and the one library
//   npm/release/          GitHub-release assets cobalt-<version>-<platform>-<file> + SHA256SUMS
//   npm/jsr/              mod.ts + ffi/*.ts with the generated ffi/binaries.ts (what a URL/JSR import serves)
//   npm/tarballs/         the `npm pack` output of every package above
//
// usage: node scripts/pack-npm.mjs [--lib DIR] [--base-url URL] [--release] [--no-build] [--no-tarballs]
//   --lib DIR       where the libraries are (default dist/lib): DIR/<platform>/<file>
//   --base-url URL  where the release assets will be downloaded from by URL imports
//                   (default: ffi/binaries.ts's baseUrl with this version)
//   --release       require every platform (default: linux-x64-gnu, the host, at least)
//   --no-build      reuse npm/cobalt-tensor/dist from an earlier scripts/build-js.sh
//
// The committed ffi/binaries.ts is never modified: the release manifest goes into the compiled
// output (npm/cobalt-tensor/dist/ffi/binaries.js) and into npm/jsr/ffi/binaries.ts.
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const NPM = join(ROOT, "npm");
const SCOPE = "@cobalt-tensor";
const MAIN = "cobalt-tensor";

/** Every platform the project ships, with what npm needs to pick it and what the file must be. */
export const PLATFORMS = {
  "linux-x64-gnu": {
    os: "linux",
    cpu: "x64",
    libc: "glibc",
    file: "libcobalt.so",
    magic: "elf",
    machine: 62,
  },
  "linux-arm64-gnu": {
    os: "linux",
    cpu: "arm64",
    libc: "glibc",
    file: "libcobalt.so",
    magic: "elf",
    machine: 183,
  },
  "win32-x64": { os: "win32", cpu: "x64", file: "cobalt.dll", magic: "pe", machine: 0x8664 },
  "darwin-arm64": {
    os: "darwin",
    cpu: "arm64",
    file: "libcobalt.dylib",
    magic: "macho",
    machine: 0x0100000c,
  },
  "darwin-x64": { os: "darwin", cpu: "x64", file: "libcobalt.dylib", magic: "macho", machine: 0x01000007 },
};
const HOST = "linux-x64-gnu";

function die(msg) {
  console.error(`pack-npm: error: ${msg}`);
  process.exit(1);
}
const say = (msg) => console.error(`\x1b[1m==> ${msg}\x1b[0m`);

function args(argv) {
  const o = { lib: join(ROOT, "dist/lib"), baseUrl: undefined, release: false, build: true, tarballs: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--lib") o.lib = argv[++i];
    else if (a === "--base-url") o.baseUrl = argv[++i];
    else if (a === "--release") o.release = true;
    else if (a === "--no-build") o.build = false;
    else if (a === "--no-tarballs") o.tarballs = false;
    else if (a === "-h" || a === "--help") {
      console.log(readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").slice(1, 21).join("\n"));
      process.exit(0);
    } else die(`unknown argument ${a} (see --help)`);
  }
  if (!o.lib || !o.baseUrl && o.baseUrl !== undefined) die("--lib and --base-url need a value");
  return o;
}

const sha256 = (buf) => createHash("sha256").update(buf).digest("hex");

/** Checks the file format and the machine of a library, so a wrong build is never packed as another platform. */
function checkBinary(platform, buf) {
  const want = PLATFORMS[platform];
  let magic, machine;
  if (buf.length > 64 && buf.readUInt32BE(0) === 0x7f454c46) {
    magic = "elf";
    machine = buf.readUInt16LE(18); // e_machine (little-endian ELF: x86_64 and aarch64)
  } else if (buf.length > 64 && buf.readUInt16BE(0) === 0x4d5a) {
    magic = "pe";
    const pe = buf.readUInt32LE(0x3c);
    machine = buf.readUInt32BE(pe) === 0x50450000 ? buf.readUInt16LE(pe + 4) : -1;
  } else if (buf.length > 64 && buf.readUInt32LE(0) === 0xfeedfacf) {
    magic = "macho";
    machine = buf.readUInt32LE(4);
  } else magic = "unknown";
  if (magic !== want.magic || machine !== want.machine) {
    die(
      `${platform}/${want.file} is ${magic} machine 0x${(machine ?? 0).toString(16)}, ` +
        `expected ${want.magic} machine 0x${want.machine.toString(16)}: a library built for another target?`,
    );
  }
}

/** SHA256SUMS lines "<hex>  <path>" into a map path -> hex. */
function readSums(file) {
  const sums = new Map();
  if (!existsSync(file)) return sums;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /^([0-9a-f]{64}) [ *]?(.+)$/.exec(line.trim());
    if (m) sums.set(m[2].replace(/^\.\//, ""), m[1]);
  }
  return sums;
}

/** The ABI version this binding speaks, from ffi/load.ts, and the manifest fields from ffi/binaries.ts. */
function sourceFacts() {
  const load = readFileSync(join(ROOT, "ffi/load.ts"), "utf8");
  const abi = Number(/export const ABI_VERSION = (\d+)/.exec(load)?.[1]);
  if (!abi) die("cannot read ABI_VERSION from ffi/load.ts");
  const bin = readFileSync(join(ROOT, "ffi/binaries.ts"), "utf8");
  const binAbi = Number(/\babi: (\d+)/.exec(bin)?.[1]);
  if (binAbi !== abi) {
    die(`ffi/binaries.ts says abi ${binAbi}, ffi/load.ts ABI_VERSION is ${abi}: make them agree`);
  }
  const baseUrl = /\bbaseUrl: "([^"]*)"/.exec(bin)?.[1];
  if (baseUrl === undefined) die("cannot read baseUrl from ffi/binaries.ts");
  return { abi, baseUrl };
}

/** Asks the host library for its ABI version through koffi (the dev dependency), if it can. */
function hostAbi(path) {
  try {
    const out = execFileSync(process.execPath, [
      "--input-type=module",
      "-e",
      `import k from "koffi"; const l = k.load(${JSON.stringify(path)});` +
      `console.log(l.func("cobalt_abi_version", "uint32_t", [])());`,
    ], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return Number(out.trim());
  } catch (e) {
    console.error(
      `pack-npm: warning: could not ask ${path} for its ABI version (${
        String(e.stderr || e).split("\n")[0]
      })`,
    );
    return undefined;
  }
}

const json = (v) => JSON.stringify(v, null, 2) + "\n";

/**
 * The release version of ffi/binaries.ts: the source file with its manifest value replaced, so the
 * types and docs are written once (in the source).
 */
function manifestTs(m) {
  const src = readFileSync(join(ROOT, "ffi/binaries.ts"), "utf8");
  const at = src.lastIndexOf("} = {");
  if (at < 0 || !src.trimEnd().endsWith("};")) {
    throw new Error("ffi/binaries.ts: cannot find the manifest value");
  }
  return src.slice(0, at) + `} = ${JSON.stringify(m, null, 2)};\n`;
}

function manifestJs(m) {
  return `/**
 * The prebuilt libraries of this release, each pinned by SHA-256. GENERATED by scripts/pack-npm.mjs.
 * @module
 */
/** The release manifest. */
export const manifest = ${JSON.stringify(m, null, 2)};
`;
}

function platformIndexJs(platform, b, abi) {
  return `// ${SCOPE}/${platform}: the prebuilt cobalt library for ${platform}. GENERATED by scripts/pack-npm.mjs.
import { fileURLToPath } from "node:url";

/** The absolute path of the library in this package. */
export const libPath = fileURLToPath(new URL("./${b.file}", import.meta.url));
/** The cobalt C ABI version the library speaks (\`cobalt_abi_version()\`). */
export const abiVersion = ${abi};
/** The SHA-256 of the library, lowercase hex. */
export const sha256 = "${b.sha256}";
/** Its size in bytes. */
export const bytes = ${b.bytes};
`;
}

const PLATFORM_DTS = `/** The absolute path of the library in this package. */
export declare const libPath: string;
/** The cobalt C ABI version the library speaks (\`cobalt_abi_version()\`). */
export declare const abiVersion: number;
/** The SHA-256 of the library, lowercase hex. */
export declare const sha256: string;
/** Its size in bytes. */
export declare const bytes: number;
`;

function main() {
  const t0 = Date.now();
  const o = args(process.argv.slice(2));
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  const version = pkg.version;
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) {
    die(`package.json version ${version} is not semver`);
  }
  const { abi, baseUrl: srcBase } = sourceFacts();
  const baseUrl = o.baseUrl ?? srcBase.replace(/v\d+\.\d+\.\d+[^/]*\/$/, `v${version}/`);

  // 1. The libraries.
  if (!existsSync(o.lib)) die(`${o.lib} does not exist: build the libraries first (scripts/dist.sh)`);
  const sums = readSums(join(o.lib, "SHA256SUMS"));
  const files = {};
  const bufs = {};
  for (const [platform, p] of Object.entries(PLATFORMS)) {
    const path = join(o.lib, platform, p.file);
    if (!existsSync(path)) continue;
    const buf = readFileSync(path);
    checkBinary(platform, buf);
    const hex = sha256(buf);
    // SHA256SUMS paths are relative to DIR; a prefix (./, dist/lib/) is tolerated.
    const key = `${platform}/${p.file}`;
    const listed = sums.get(key) ?? [...sums].find(([k]) => k.endsWith(`/${key}`))?.[1];
    if (sums.size && !listed) die(`${relative(ROOT, path)} is not listed in ${o.lib}/SHA256SUMS`);
    if (listed && listed !== hex) die(`${relative(ROOT, path)}: sha256 ${hex} but SHA256SUMS says ${listed}`);
    files[platform] = { file: p.file, sha256: hex, bytes: buf.length };
    bufs[platform] = buf;
  }
  const present = Object.keys(files);
  const missing = Object.keys(PLATFORMS).filter((p) => !files[p]);
  if (!files[HOST]) {
    die(
      `${relative(ROOT, join(o.lib, HOST, PLATFORMS[HOST].file))} is missing: the host library is required ` +
        `(scripts/dist.sh builds it; for development: mkdir -p dist/lib/${HOST} && cp rust/target/release/libcobalt.so dist/lib/${HOST}/)`,
    );
  }
  if (missing.length) {
    if (o.release) die(`--release needs every platform; missing: ${missing.join(", ")}`);
    console.error(
      `pack-npm: warning: no library for ${missing.join(", ")}: those packages are not built ` +
        `and not listed in optionalDependencies (use --release to require all)`,
    );
  }
  const libAbi = hostAbi(join(o.lib, HOST, PLATFORMS[HOST].file));
  if (libAbi !== undefined && libAbi !== abi) {
    die(`the ${HOST} library speaks ABI ${libAbi}, ffi/load.ts needs ${abi}`);
  }
  const distManifest = join(o.lib, "manifest.json");
  if (existsSync(distManifest)) {
    const dm = JSON.parse(readFileSync(distManifest, "utf8"));
    if (dm.version !== undefined && dm.version !== version) {
      die(`${distManifest} is for version ${dm.version}, package.json says ${version}`);
    }
    if (dm.abi !== undefined && Number(dm.abi) !== abi) {
      die(`${distManifest} says abi ${dm.abi}, ffi/load.ts needs ${abi}`);
    }
  }
  const manifest = { version, abi, baseUrl, files };
  say(`cobalt-tensor ${version}, ABI ${abi}: ${present.join(", ")}`);

  // 2. The compiled JS (the manifest goes into the output, never into the source tree).
  const mainDir = join(NPM, MAIN);
  if (o.build) {
    rmSync(mainDir, { recursive: true, force: true });
    execFileSync("bash", [join(ROOT, "scripts/build-js.sh"), "--out", join(mainDir, "dist")], {
      stdio: "inherit",
    });
  } else if (!existsSync(join(mainDir, "dist/mod.js"))) {
    die("--no-build, but npm/cobalt-tensor/dist/mod.js does not exist");
  }
  for (const f of readdirSync(mainDir)) {
    if (f !== "dist") rmSync(join(mainDir, f), { recursive: true, force: true });
  }
  rmSync(join(mainDir, "dist/.cobalt-build"), { force: true }); // build-js's marker: not for the package
  writeFileSync(join(mainDir, "dist/ffi/binaries.js"), manifestJs(manifest));
  // The WebAssembly build: dist/cobalt.wasm (the fallback of dist/ffi/load.js, and the `/web` entry
  // under Deno, Bun and Node) and web/ (the browser bundle with its own copy beside it).
  const wasm = join(ROOT, "dist/wasm/cobalt.wasm"), bundle = join(ROOT, "dist/web/cobalt.js");
  const haveWasm = existsSync(wasm) && existsSync(bundle);
  if (haveWasm) {
    copyFileSync(wasm, join(mainDir, "dist/cobalt.wasm"));
    mkdirSync(join(mainDir, "web"), { recursive: true });
    copyFileSync(bundle, join(mainDir, "web/cobalt.js"));
    copyFileSync(wasm, join(mainDir, "web/cobalt.wasm"));
  } else if (o.release) {
    die("--release needs the WebAssembly build: npm run build:wasm && npm run build:web");
  } else {
    console.warn(
      "pack: no dist/wasm/cobalt.wasm or dist/web/cobalt.js: the package has no WebAssembly build",
    );
  }

  // 3. The main package.
  const optionalDependencies = Object.fromEntries(present.map((p) => [`${SCOPE}/${p}`, version]));
  const common = {
    version,
    license: pkg.license ?? "MIT",
    ...(pkg.repository ? { repository: pkg.repository } : {}),
    ...(pkg.homepage ? { homepage: pkg.homepage } : {}),
  };
  writeFileSync(
    join(mainDir, "package.json"),
    json({
      name: MAIN,
      ...common,
      description: pkg.description,
      keywords: ["tensor", "ndarray", "ffi", "deno", "bun", "node", "rust"],
      type: "module",
      exports: {
        ".": { types: "./dist/mod.d.ts", default: "./dist/mod.js" },
        ...(haveWasm
          ? { "./web": { types: "./dist/web.d.ts", browser: "./web/cobalt.js", default: "./dist/web.js" } }
          : {}),
        "./package.json": "./package.json",
      },
      types: "./dist/mod.d.ts",
      files: ["dist/", ...(haveWasm ? ["web/"] : []), "README.md", "LICENSE"],
      sideEffects: true, // importing it loads the native library
      engines: { node: ">=20", deno: ">=2", bun: ">=1.1" },
      optionalDependencies,
      peerDependencies: { koffi: "^3.3.0" },
      peerDependenciesMeta: { koffi: { optional: true } },
    }),
  );
  for (const f of ["README.md", "LICENSE"]) {
    if (!existsSync(join(ROOT, f))) die(`${f} is missing at the repository root`);
    copyFileSync(join(ROOT, f), join(mainDir, f));
  }

  // 4. The platform packages (stale ones from an earlier run are removed).
  for (const p of Object.keys(PLATFORMS)) rmSync(join(NPM, p), { recursive: true, force: true });
  for (const platform of present) {
    const p = PLATFORMS[platform];
    const dir = join(NPM, platform);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "package.json"),
      json({
        name: `${SCOPE}/${platform}`,
        ...common,
        description:
          `The prebuilt cobalt native library (${p.file}) for ${platform}; installed by cobalt-tensor`,
        type: "module",
        os: [p.os],
        cpu: [p.cpu],
        ...(p.libc ? { libc: [p.libc] } : {}),
        main: "./index.js",
        types: "./index.d.ts",
        exports: {
          ".": { types: "./index.d.ts", default: "./index.js" },
          "./package.json": "./package.json",
        },
        files: ["index.js", "index.d.ts", p.file],
        preferUnplugged: true, // Yarn PnP: dlopen needs a real file
      }),
    );
    writeFileSync(join(dir, "index.js"), platformIndexJs(platform, files[platform], abi));
    writeFileSync(join(dir, "index.d.ts"), PLATFORM_DTS);
    writeFileSync(join(dir, p.file), bufs[platform]);
    if (existsSync(join(ROOT, "LICENSE"))) copyFileSync(join(ROOT, "LICENSE"), join(dir, "LICENSE"));
  }

  // 5. The release assets for URL imports, and the source tree they are imported from.
  const rel = join(NPM, "release");
  rmSync(rel, { recursive: true, force: true });
  mkdirSync(rel, { recursive: true });
  const lines = [];
  for (const platform of present) {
    const asset = `cobalt-${version}-${platform}-${files[platform].file}`;
    writeFileSync(join(rel, asset), bufs[platform]);
    lines.push(`${files[platform].sha256}  ${asset}`);
  }
  writeFileSync(join(rel, "SHA256SUMS"), lines.join("\n") + "\n");
  writeFileSync(join(rel, "manifest.json"), json(manifest));
  const jsr = join(NPM, "jsr");
  rmSync(jsr, { recursive: true, force: true });
  mkdirSync(join(jsr, "ffi"), { recursive: true });
  for (const f of ["mod.ts", "web.ts", "deno.json", "README.md", "LICENSE"]) {
    if (existsSync(join(ROOT, f))) copyFileSync(join(ROOT, f), join(jsr, f));
  }
  cpSync(join(ROOT, "ffi"), join(jsr, "ffi"), {
    recursive: true,
    filter: (s) => statSync(s).isDirectory() || s.endsWith(".ts"),
  });
  writeFileSync(join(jsr, "ffi/binaries.ts"), manifestTs(manifest));
  if (haveWasm) copyFileSync(wasm, join(jsr, "cobalt.wasm")); // ffi/load.ts finds it at ../cobalt.wasm

  // 6. The tarballs.
  const tb = join(NPM, "tarballs");
  rmSync(tb, { recursive: true, force: true });
  mkdirSync(tb, { recursive: true });
  if (o.tarballs) {
    const dirs = [mainDir, ...present.map((p) => join(NPM, p))];
    const out = execFileSync("npm", ["pack", "--json", "--pack-destination", tb, ...dirs], {
      cwd: NPM,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false" },
    });
    const packed = JSON.parse(out);
    for (const p of packed) {
      const size = statSync(join(tb, p.filename)).size;
      console.log(
        `${p.filename.padEnd(44)} ${(size / 1024).toFixed(0).padStart(6)} KB packed, ` +
          `${
            (p.unpackedSize / 1024).toFixed(0).padStart(6)
          } KB unpacked, ${p.entryCount} files, ${p.integrity}`,
      );
    }
  }
  say(
    `packed in ${((Date.now() - t0) / 1000).toFixed(1)} s: npm/{${MAIN},${
      present.join(",")
    }}, npm/release, npm/jsr, npm/tarballs`,
  );
}

main();
