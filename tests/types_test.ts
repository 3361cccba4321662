/**
 * cobalt's types survive a user's tsconfig: a small user file importing `mod.ts` type-checks with 0
 * errors (in cobalt's own `.ts` sources too) under the strict settings of a `bun init` project plus
 * `exactOptionalPropertyTypes`, both with tsc (node_modules/typescript, bun-types) and with
 * `deno check` (a deno.json with the same compilerOptions). And `deno doc mod.ts` shows the public
 * API only: no internals, every parameter typed, every default value named in its JSDoc.
 *
 * Node runs the tsc build of this file: the `.ts` sources are found above it (as in graph_test.ts).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import process from "node:process";
import { exe, root, runtime, skip, test } from "./harness.ts";
import { denoDocSymbols } from "./tool_support.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

/** The directory holding the `.ts` sources (`mod.ts` and `ffi/`), from `root` or above it. */
function sourceDir(): string | undefined {
  for (let d = resolve(root);; d = dirname(d)) {
    if (existsSync(join(d, "mod.ts")) && existsSync(join(d, "ffi", "tensor.ts"))) return d;
    if (dirname(d) === d) return undefined;
  }
}

/**
 * The compilerOptions of `bun init` (Bun 1.4), with `exactOptionalPropertyTypes` added: the
 * strictest settings a user is likely to have. `skipLibCheck` skips `.d.ts` files only; cobalt's
 * `.ts` sources are always checked (the test asserts they are in the program).
 */
const STRICT = {
  lib: ["ESNext"],
  target: "ESNext",
  module: "Preserve",
  moduleDetection: "force",
  jsx: "react-jsx",
  allowJs: true,
  moduleResolution: "bundler",
  allowImportingTsExtensions: true,
  verbatimModuleSyntax: true,
  noEmit: true,
  strict: true,
  skipLibCheck: true,
  noFallthroughCasesInSwitch: true,
  noUncheckedIndexedAccess: true,
  noImplicitOverride: true,
  noUnusedLocals: false,
  noUnusedParameters: false,
  noPropertyAccessFromIndexSignature: false,
  exactOptionalPropertyTypes: true,
};

/** Options deno.json accepts (Deno sets lib, target, module and resolution itself). */
const DENO_KEYS = [
  "allowJs",
  "strict",
  "noFallthroughCasesInSwitch",
  "noUncheckedIndexedAccess",
  "noImplicitOverride",
  "noUnusedLocals",
  "noUnusedParameters",
  "noPropertyAccessFromIndexSignature",
  "exactOptionalPropertyTypes",
  "verbatimModuleSyntax",
] as const;

/** A user's file: imports values and (with `import type`) types, uses options objects. */
function userFile(mod: string): string {
  return [
    `import * as cb from "${mod}";`,
    `import type { DType, LoadOptions, ReduceOptions, Tensor } from "${mod}";`,
    `const dtype: DType = "float32";`,
    `const opts: ReduceOptions = { keepdims: true };`,
    `const load: LoadOptions = { format: "npy" };`,
    `using a = cb.tensor([[1, 2], [3, 4]], { dtype });`,
    `using b = a.matmul(a).add(1);`,
    `const s: Tensor = b.sum(0, opts);`,
    `const first: number | undefined = s.shape[0];`,
    `const parts: Tensor[] = cb.concat([a, b], 1).split(2, 1);`,
    `console.log(s.toArray(), first, parts.length, cb.memory().tensors, load, cb.native.runtime);`,
    ``,
  ].join("\n");
}

/** A specifier of `file` relative to `dir` ("./..." or "../..."), with forward slashes. */
function rel(dir: string, file: string): string {
  const r = relative(dir, file).replaceAll("\\", "/");
  return r.startsWith(".") ? r : `./${r}`;
}

function run(cmd: string, args: string[], cwd: string) {
  // NOTE: the output goes to a file, not a pipe: tsc ends with process.exit, and under Bun a child's
  // piped stdout past ~64 KB can lose its tail at exit (the end of --listFiles went missing).
  const log = join(cwd, "checker-output.txt");
  const fd = openSync(log, "w");
  let r;
  try {
    r = spawnSync(cmd, args, { cwd, stdio: ["ignore", fd, fd], env: { ...process.env, NO_COLOR: "1" } });
  } finally {
    closeSync(fd);
  }
  if (r.error) throw r.error;
  return { status: r.status, out: readFileSync(log, "utf8") };
}

/**
 * The errors in a checker's output: tsc's "file(l,c): error TS..." lines, deno's "TS... [ERROR]"
 * lines with the "at file:line:col" line that follows each.
 */
function errorLines(out: string): string[] {
  const lines = out.split("\n");
  return lines.flatMap((l, i) => {
    if (/error TS\d+/.test(l)) return [l];
    if (!/TS\d+ \[ERROR\]/.test(l)) return [];
    const at = lines.slice(i + 1, i + 6).find((x) => /^\s+at /.test(x));
    return [at === undefined ? l : `${l} ${at.trim()}`];
  });
}

const src = sourceDir();
const denoExe = runtime === "deno"
  ? exe
  : src && join(src, "node_modules", ".bin", process.platform === "win32" ? "deno.exe" : "deno");
const tscJs = src && join(src, "node_modules", "typescript", "bin", "tsc");
const missing = src === undefined
  ? "the .ts sources are not above this build"
  : !existsSync(tscJs!)
  ? "node_modules/typescript is not installed"
  : !existsSync(join(src, "node_modules", "bun-types"))
  ? "node_modules/bun-types is not installed"
  : !existsSync(denoExe!)
  ? "node_modules/.bin/deno is not installed"
  : undefined;

const TSC =
  "types: tsc (bun init's tsconfig + exactOptionalPropertyTypes) finds 0 errors, cobalt's sources included";
const DENO = "types: deno check (the same compilerOptions in deno.json) finds 0 errors";
const DOC = "types: deno doc shows no internals, types every parameter, and names every default";

if (missing !== undefined) {
  for (const name of [TSC, DENO, DOC]) skip(name, missing);
} else {
  const sources = src!;
  const mod = join(sources, "mod.ts");

  test(TSC, () => {
    const dir = mkdtempSync(join(tmpdir(), "cobalt-types-tsc-"));
    try {
      writeFileSync(join(dir, "user.ts"), userFile(rel(dir, mod)));
      const config = {
        compilerOptions: {
          ...STRICT,
          // bun init's project has node_modules/@types/bun (which is bun-types) beside it.
          types: ["bun-types"],
          typeRoots: [join(sources, "node_modules")],
        },
        files: ["user.ts"],
      };
      writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(config, null, 2));
      // Deno runs tsc's CommonJS entry like Node and Bun do.
      const args = runtime === "deno" ? ["run", "--allow-all", tscJs!] : [tscJs!];
      const r = run(exe, [...args, "-p", "tsconfig.json", "--listFiles", "--pretty", "false"], dir);
      const errors = errorLines(r.out);
      assert.deepEqual(errors.slice(0, 20), [], `${errors.length} type errors under the user's tsconfig`);
      assert.equal(r.status, 0, r.out.slice(-2000));
      const files = r.out.split("\n").map((l) => l.trim().replaceAll("\\", "/"));
      const s = sources.replaceAll("\\", "/");
      for (
        const f of ["mod.ts", "ffi/tensor.ts", "ffi/ops.ts", "ffi/io.ts", "ffi/deno.ts", "ffi/methods.ts"]
      ) {
        assert.ok(files.includes(`${s}/${f}`), `tsc did not check ${f}`);
      }
      assert.ok(files.some((f) => f.includes("/bun-types/")), "tsc did not load bun-types");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, { timeout: 120_000 });

  test(DENO, () => {
    const dir = mkdtempSync(join(tmpdir(), "cobalt-types-deno-"));
    try {
      writeFileSync(join(dir, "user.ts"), userFile(rel(dir, mod)));
      const compilerOptions = Object.fromEntries(DENO_KEYS.map((k) => [k, STRICT[k]]));
      writeFileSync(join(dir, "deno.json"), JSON.stringify({ compilerOptions, lock: false }, null, 2));
      const r = run(denoExe!, ["check", "--quiet", "user.ts"], dir);
      const errors = errorLines(r.out);
      assert.deepEqual(errors.slice(0, 20), [], `${errors.length} type errors under the user's deno.json`);
      assert.equal(r.status, 0, r.out.slice(-2000));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, { timeout: 120_000 });

  test(DOC, () => {
    const symbols: Any[] = denoDocSymbols(denoExe!, sources);
    const problems: string[] = [];
    const tags = (js: Any): Any[] => js?.tags ?? [];

    // Parameters: typed, and a default value is named in the JSDoc's @param.
    const params = (where: string, list: Any[], js: Any) => {
      for (const p of list ?? []) {
        if (p.kind === "assign") {
          const name = p.left?.name;
          if (!p.left?.tsType && !p.tsType) problems.push(`${where}(${name}): no type`);
          const tag = tags(js).find((t) => t.kind === "param" && t.name === name);
          if (!/default/i.test(tag?.doc ?? "")) {
            problems.push(`${where}(${name}): its default is not in a @param`);
          }
        } else if (p.kind === "rest") {
          if (!p.tsType && !p.arg?.tsType) problems.push(`${where}(...${p.arg?.name}): no type`);
        } else if (!p.tsType) problems.push(`${where}(${p.name ?? p.kind}): no type`);
      }
    };
    const fnType = (where: string, t: Any, js: Any) => {
      if (t?.kind === "fnOrConstructor") params(where, t.value.params, js);
    };
    const members = (where: string, props: Any[]) => {
      for (const p of props ?? []) {
        if (!p.tsType) problems.push(`${where}.${p.name}: no type`);
        else fnType(`${where}.${p.name}`, p.tsType, p.jsDoc);
      }
    };

    const names: string[] = [];
    for (const s of symbols) {
      names.push(s.name);
      for (const d of s.declarations) {
        const def = d.def ?? {};
        if (tags(d.jsDoc).some((t) => t.kind === "internal")) {
          problems.push(`${s.name}: @internal but listed`);
        }
        if (d.kind === "function") params(s.name, def.params, d.jsDoc);
        if (d.kind === "variable") {
          if (def.tsType?.kind === "typeLiteral") members(s.name, def.tsType.value.properties);
          else if (!def.tsType) problems.push(`${s.name}: no type`);
        }
        if (d.kind === "interface") {
          members(s.name, def.properties);
          for (const m of def.methods ?? []) params(`${s.name}.${m.name}`, m.params, m.jsDoc);
        }
        if (d.kind === "class") {
          for (const c of def.constructors ?? []) {
            if (s.name === "Tensor") {
              problems.push("Tensor.constructor: listed (tensors are not made with new)");
            }
            params(`${s.name}.constructor`, c.params, c.jsDoc);
          }
          for (const m of [...(def.methods ?? []), ...(def.properties ?? [])]) {
            const name = `${s.name}.${String(m.name)}`;
            names.push(name);
            if (m.accessibility === "private") problems.push(`${name}: private but listed`);
            if (tags(m.jsDoc).some((t) => t.kind === "internal")) {
              problems.push(`${name}: @internal but listed`);
            }
            if (m.functionDef) params(name, m.functionDef.params, m.jsDoc);
            else if (!m.tsType) problems.push(`${name}: no type`);
            else fnType(name, m.tsType, m.jsDoc);
          }
        }
      }
    }
    assert.ok(names.length > 150, `only ${names.length} names listed`);
    assert.ok(
      names.includes("Tensor.add") && names.includes("Tensor.dispose"),
      "Tensor's members are missing",
    );
    const internals = ["Tensor.keep", "Tensor.handle", "Tensor.register", "setTensorHooks", "lib", "sym"];
    assert.deepEqual(names.filter((n) => internals.includes(n)), [], "internals in deno doc");
    assert.deepEqual(problems, []);
  }, { timeout: 60_000 });
}
