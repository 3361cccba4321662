/**
 * The import graph of `mod.ts` + `ffi/*.ts` is a DAG: no module imports one that imports it back,
 * directly or through others. A cycle works only as long as no module of it touches another's
 * exports while loading (ES modules evaluate a cycle in an order that depends on who is imported
 * first), so it is refused here, with the cycle printed.
 *
 * The edges are the static `import ... from "x"`, `import "x"` and `export ... from "x"` of each
 * file, type-only ones included (`import type`, `export type`, `import { type A }`): they cannot
 * change the load order, but the layering is about what a module knows, and a type-only cycle is
 * a runtime cycle the moment a type import becomes a value import. Dynamic `import()` is left out:
 * it loads later, on demand (load.ts picks its runtime adapter that way).
 *
 * The sources are read from the repository: Deno and Bun run the `.ts` files in place; Node runs
 * the tsc build (`out/tests/`), from where the repository is found by walking up to the directory
 * holding `mod.ts` and `ffi/`. A build outside the repository falls back to the compiled
 * `mod.js` + `ffi/*.js` beside it (tsc has erased the type-only imports there: the runtime graph).
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, posix, resolve } from "node:path";
import * as cb from "../mod.ts";
import { ext, root, skip, test } from "./harness.ts";

/** One import of a file: the specifier as written, and whether it imports types only. */
interface Import {
  spec: string;
  typeOnly: boolean;
}

/**
 * `src` with comments, and the contents of strings, template literals and regex literals, replaced
 * by spaces (line breaks kept): the same length, so an offset in it is an offset in `src`. What is
 * left is code, and the quotes around each string.
 */
export function mask(src: string): string {
  const out = src.split("");
  const n = src.length;
  const blank = (a: number, b: number) => {
    for (let k = a; k < b && k < n; k++) if (out[k] !== "\n") out[k] = " ";
  };
  // A `/` starts a regex after an operator or one of these words, else it divides.
  const regexAfterWord =
    /(?:^|[^\w$])(?:return|typeof|instanceof|in|of|new|delete|void|throw|case|do|else|yield|await)$/;
  let code = ""; // the code so far, for the regex-or-division decision (last 16 characters suffice)
  const note = (s: string) => (code = (code + s).slice(-16));

  // Skips a string from its opening quote at i; returns the index after the closing quote.
  const skipString = (i: number): number => {
    const q = src[i];
    let j = i + 1;
    while (j < n && src[j] !== q && src[j] !== "\n") j += src[j] === "\\" ? 2 : 1;
    return j + 1;
  };
  // Skips code until the `}` closing a `${`, at depth 0; returns the index of that `}`.
  const skipExpr = (i: number): number => {
    let depth = 0;
    let j = i;
    while (j < n) {
      const c = src[j];
      if (c === '"' || c === "'") j = skipString(j);
      else if (c === "`") j = skipTemplate(j);
      else if (c === "/" && src[j + 1] === "/") j = src.indexOf("\n", j) < 0 ? n : src.indexOf("\n", j);
      else if (c === "/" && src[j + 1] === "*") {
        j = src.indexOf("*/", j + 2) < 0 ? n : src.indexOf("*/", j + 2) + 2;
      } else if (c === "{") (depth++, j++);
      else if (c === "}") {
        if (depth === 0) return j;
        depth--;
        j++;
      } else j++;
    }
    return n;
  };
  // Skips a template literal from its backtick at i; returns the index after the closing one.
  const skipTemplate = (i: number): number => {
    let j = i + 1;
    while (j < n && src[j] !== "`") {
      if (src[j] === "\\") j += 2;
      else if (src[j] === "$" && src[j + 1] === "{") j = skipExpr(j + 2) + 1;
      else j++;
    }
    return j + 1;
  };

  let i = 0;
  while (i < n) {
    const c = src[i];
    if (c === "/" && src[i + 1] === "/") {
      const e = src.indexOf("\n", i);
      const end = e < 0 ? n : e;
      blank(i, end);
      i = end;
    } else if (c === "/" && src[i + 1] === "*") {
      const e = src.indexOf("*/", i + 2);
      const end = e < 0 ? n : e + 2;
      blank(i, end);
      i = end;
    } else if (c === '"' || c === "'") {
      const end = skipString(i);
      blank(i + 1, end - 1);
      note("0");
      i = end;
    } else if (c === "`") {
      const end = skipTemplate(i);
      blank(i + 1, end - 1);
      note("0");
      i = end;
    } else if (
      c === "/" &&
      (code.trimEnd() === "" || /[^\w$)\]\s]$/.test(code.trimEnd()) || regexAfterWord.test(code.trimEnd()))
    ) {
      let j = i + 1;
      let inClass = false;
      while (j < n && src[j] !== "\n") {
        if (src[j] === "\\") j++;
        else if (src[j] === "[") inClass = true;
        else if (src[j] === "]") inClass = false;
        else if (src[j] === "/" && !inClass) break;
        j++;
      }
      blank(i + 1, j);
      note("0");
      i = j + 1;
    } else {
      note(c);
      i++;
    }
  }
  return out.join("");
}

const IMPORT =
  /(?<![\w$.])import(?![\w$])\s*(?:(type)\s+)?(?:([\w$]+)\s*,?\s*)?(\*\s*as\s+[\w$]+|\{[^}]*\})?\s*(?:from\s*)?(["'])( *)\4/g;
const EXPORT =
  /(?<![\w$.])export(?![\w$])\s*(?:(type)\s+)?(\*(?:\s*as\s+[\w$]+)?|\{[^}]*\})\s*from\s*(["'])( *)\3/g;

/** Whether a `{ a, type b }` clause names types only (an empty one imports nothing at run time). */
function allTypes(clause: string | undefined): boolean {
  if (clause === undefined || !clause.startsWith("{")) return false;
  const names = clause.slice(1, -1).split(",").map((s) => s.trim()).filter((s) => s !== "");
  return names.every((s) => /^type\s/.test(s));
}

/** The static imports and re-exports of a module's source, in order. */
export function importsOf(src: string): Import[] {
  const m = mask(src);
  const found: [number, Import][] = [];
  for (const r of m.matchAll(IMPORT)) {
    const [, type, def, clause, , pad] = r;
    // `import x "y"` is not a statement: a clause needs `from`.
    const hasFrom = /\bfrom\s*["']\s*$/.test(r[0].slice(0, r[0].length - pad.length - 1));
    if ((def !== undefined || clause !== undefined || type !== undefined) && !hasFrom) continue;
    const start = r.index! + r[0].length - pad.length - 1;
    const typeOnly = type !== undefined || (def === undefined && allTypes(clause));
    found.push([r.index!, { spec: src.slice(start, start + pad.length), typeOnly }]);
  }
  for (const r of m.matchAll(EXPORT)) {
    const [, type, clause, , pad] = r;
    const start = r.index! + r[0].length - pad.length - 1;
    found.push([r.index!, {
      spec: src.slice(start, start + pad.length),
      typeOnly: type !== undefined || allTypes(clause),
    }]);
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, x]) => x);
}

/** An edge of the graph, `from -> to` (paths relative to the repository root). */
interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
}

/** The graph of `mod` + `ffi/*` under `dir`, files ending in `suffix` (".ts" or ".js"). */
function graphOf(dir: string, suffix: string): { files: string[]; edges: Edge[] } {
  const files = [
    `mod${suffix}`,
    ...readdirSync(join(dir, "ffi")).filter((f) => f.endsWith(suffix) && !f.endsWith(".d.ts")).sort()
      .map((f) => `ffi/${f}`),
  ];
  const known = new Set(files);
  const edges: Edge[] = [];
  for (const f of files) {
    for (const imp of importsOf(readFileSync(join(dir, f), "utf8"))) {
      if (!imp.spec.startsWith(".")) continue; // node:fs, bun:ffi...
      const to = posix.normalize(posix.join(posix.dirname(f), imp.spec));
      assert.ok(known.has(to), `${f} imports ${imp.spec}, which is not one of mod + ffi/*${suffix}`);
      edges.push({ from: f, to, typeOnly: imp.typeOnly });
    }
  }
  return { files, edges };
}

/**
 * The cycles of a graph: for each strongly connected component with more than one module (or a
 * module importing itself), the shortest cycle through each of its modules, without repeats.
 */
export function cyclesOf(nodes: string[], edges: { from: string; to: string }[]): string[][] {
  const next = new Map<string, string[]>(nodes.map((v) => [v, []]));
  for (const e of edges) next.get(e.from)!.push(e.to);
  // Tarjan's strongly connected components.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const sccs: string[][] = [];
  let counter = 0;
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      sccs.push(scc);
    }
  };
  for (const v of nodes) if (!index.has(v)) visit(v);

  const cycles: string[][] = [];
  const seen = new Set<string>();
  for (const scc of sccs) {
    const inside = new Set(scc);
    if (scc.length === 1 && !next.get(scc[0])!.includes(scc[0])) continue;
    for (const start of [...scc].sort()) {
      // the shortest path start -> ... -> start inside the component (breadth first)
      const prev = new Map<string, string>();
      let frontier = [start];
      let found = false;
      while (frontier.length > 0 && !found) {
        const after: string[] = [];
        for (const v of frontier) {
          for (const w of next.get(v)!) {
            if (!inside.has(w)) continue;
            if (w === start) {
              prev.set(start, v);
              found = true;
              break;
            }
            if (!prev.has(w)) {
              prev.set(w, v);
              after.push(w);
            }
          }
          if (found) break;
        }
        frontier = after;
      }
      const path = [start];
      for (let v = prev.get(start)!; v !== start; v = prev.get(v)!) path.unshift(v);
      path.unshift(start);
      // one rotation per cycle: start at its smallest module
      const ring = path.slice(1);
      const k = ring.indexOf([...ring].sort()[0]);
      const cycle = [...ring.slice(k), ...ring.slice(0, k), ring[k]];
      const key = cycle.join(" -> ");
      if (seen.has(key)) continue;
      seen.add(key);
      cycles.push(cycle);
    }
  }
  return cycles.sort((x, y) => (x.join() < y.join() ? -1 : 1));
}

/** The directory holding the `.ts` sources (`mod.ts` and `ffi/`), from `root` or above it. */
function sourceDir(): string | undefined {
  for (let d = resolve(root);; d = dirname(d)) {
    if (existsSync(join(d, "mod.ts")) && existsSync(join(d, "ffi", "tensor.ts"))) return d;
    if (dirname(d) === d) return undefined;
  }
}

test("graph: the import scanner reads static imports only, not comments, strings or import()", () => {
  const src = [
    `/** @example`,
    ` * import * as cb from "./in-a-comment.ts";`,
    ` */`,
    `// import { x } from "./line-comment.ts";`,
    `import { a, type B } from "./a.ts";`,
    `import type { C } from './c.ts';`,
    `import {`,
    `  type D,`,
    `  type E,`,
    `} from "./de.ts";`,
    `import * as f from "./f.ts";`,
    `import g, { h } from "./gh.ts";`,
    `import "./side-effect.ts";`,
    `export { i } from "./i.ts";`,
    `export type { J } from "./j.ts";`,
    `export * from "./star.ts";`,
    `export { k };`,
    `const s = "import { z } from './in-a-string.ts'";`,
    "const t = `import { z } from \"./in-a-template.ts\" ${s + `${'}'}`}`;",
    `const re = /import { z } from "[^"]*"/g, half = 1 / 2 / 3;`,
    `const later = await import("./dynamic.ts");`,
    `const url = import.meta.url;`,
    `export const m = "x"; import { n } from "./n.ts";`,
  ].join("\n");
  assert.deepEqual(importsOf(src), [
    { spec: "./a.ts", typeOnly: false },
    { spec: "./c.ts", typeOnly: true },
    { spec: "./de.ts", typeOnly: true },
    { spec: "./f.ts", typeOnly: false },
    { spec: "./gh.ts", typeOnly: false },
    { spec: "./side-effect.ts", typeOnly: false },
    { spec: "./i.ts", typeOnly: false },
    { spec: "./j.ts", typeOnly: true },
    { spec: "./star.ts", typeOnly: false },
    { spec: "./n.ts", typeOnly: false },
  ]);
  assert.equal(mask(src).length, src.length);
});

test("graph: the cycle finder prints each cycle once, from its smallest module", () => {
  const nodes = ["a", "b", "c", "d", "e"];
  const edge = (from: string, to: string) => ({ from, to });
  assert.deepEqual(cyclesOf(nodes, [edge("a", "b"), edge("b", "c"), edge("c", "d"), edge("a", "d")]), []);
  assert.deepEqual(
    cyclesOf(nodes, [edge("a", "b"), edge("b", "c"), edge("c", "a"), edge("c", "d"), edge("e", "e")]),
    [["a", "b", "c", "a"], ["e", "e"]],
  );
  // two cycles through one module, as today's tensor.ts <-> ops.ts, async.ts was
  assert.deepEqual(
    cyclesOf(nodes, [edge("a", "b"), edge("b", "a"), edge("a", "c"), edge("c", "a")]),
    [["a", "b", "a"], ["a", "c", "a"]],
  );
});

test("graph: mod.ts and ffi/*.ts import each other without a cycle", () => {
  const dir = sourceDir();
  const { files, edges } = dir !== undefined ? graphOf(dir, ".ts") : graphOf(root, ext);
  const suffix = dir !== undefined ? ".ts" : ext;
  // the scanner found the graph, not nothing
  assert.ok(files.length >= 15, `only ${files.length} modules found`);
  const fromMod = edges.filter((e) => e.from === `mod${suffix}`).length;
  assert.ok(fromMod >= 8 && edges.length >= 40, `only ${edges.length} imports found, ${fromMod} in mod`);
  const cycles = cyclesOf(files, edges);
  const typeOnly = new Set(edges.filter((e) => e.typeOnly).map((e) => `${e.from} -> ${e.to}`));
  const show = (c: string[]) =>
    c.map((v, i) => (i === 0 ? v : `${typeOnly.has(`${c[i - 1]} -> ${v}`) ? " -(type)-> " : " -> "}${v}`))
      .join("");
  assert.ok(
    cycles.length === 0,
    `the imports of mod + ffi/* have ${cycles.length} cycle(s):\n  ${cycles.map(show).join("\n  ")}`,
  );
});

// tensor.ts cannot import what its methods delegate to (that would close the cycles above): it
// declares them (`declare add: ...`, for their types and docs) and methods.ts installs them.
const sources = sourceDir();
const installed =
  "graph: every Tensor method tensor.ts declares is installed on the prototype, as a class would";
if (sources === undefined) skip(installed, "the .ts sources are not above this build");
else {
  test(installed, () => {
    const src = readFileSync(join(sources, "ffi", "tensor.ts"), "utf8");
    const declared = [...mask(src).matchAll(/^\s*declare\s+([\w$]+)\s*:/gm)].map((m) => m[1]);
    assert.ok(declared.length > 90, `only ${declared.length} declared members found`);
    const proto = cb.Tensor.prototype as unknown as Record<string, unknown>;
    const wrong = declared.filter((name) => {
      const d = Object.getOwnPropertyDescriptor(proto, name);
      return d === undefined || typeof d.value !== "function" || d.enumerable || !d.writable ||
        !d.configurable;
    });
    assert.deepEqual(wrong, [], "declared in tensor.ts but not installed (as a method) on Tensor.prototype");
    // and each is what its name says (not, say, a neighbour's implementation under the wrong key)
    for (const name of declared) assert.equal((proto[name] as { name: string }).name, name);
  });
}
