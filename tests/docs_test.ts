/**
 * The public API is documented: every exported function and every public Tensor member has JSDoc
 * with an example (checked on `deno doc --json mod.ts`; Deno only, the docs are the same for Bun).
 */
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { runtime, test } from "./harness.ts";
import { denoDocSymbols } from "./tool_support.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

if (runtime === "deno") {
  test("docs: every public function and Tensor member has JSDoc with an example, a ts block", () => {
    const root = fileURLToPath(new URL("..", import.meta.url));
    const symbols: Any[] = denoDocSymbols((globalThis as Any).Deno.execPath(), root);
    const missing: string[] = [];
    const hasExample = (js: Any) => (js?.tags ?? []).some((t: Any) => t.kind === "example");
    // `deno test --doc` (npm run lint) type-checks and runs fenced ts blocks only
    const unrun = (js: Any) =>
      (js?.tags ?? []).some((t: Any) => t.kind === "example" && !/```ts\n/.test(t.doc ?? ""));
    const internal = (js: Any) => (js?.tags ?? []).some((t: Any) => t.kind === "internal");
    let checked = 0;
    for (const s of symbols) {
      for (const d of s.declarations) {
        if (d.kind === "function" || d.kind === "variable") {
          checked++;
          if (!d.jsDoc?.doc) missing.push(`${s.name}: no doc`);
          else if (d.kind === "function" && !hasExample(d.jsDoc)) missing.push(`${s.name}: no example`);
          if (unrun(d.jsDoc)) missing.push(`${s.name}: an example that is not a ts block`);
        }
        if (d.kind === "class") {
          for (const m of [...(d.def.methods ?? []), ...(d.def.properties ?? [])]) {
            if (
              m.accessibility === "private" || internal(m.jsDoc) || m.computed ||
              String(m.name).startsWith("[")
            ) continue;
            checked++;
            if (!m.jsDoc?.doc) missing.push(`${s.name}.${m.name}: no doc`);
            else if (!hasExample(m.jsDoc) && !["toString", "disposed", "contiguous"].includes(m.name)) {
              missing.push(`${s.name}.${m.name}: no example`);
            }
            if (unrun(m.jsDoc)) missing.push(`${s.name}.${m.name}: an example that is not a ts block`);
          }
        }
      }
    }
    assert.ok(checked > 100, `only ${checked} members found`);
    assert.deepEqual(missing, []);
  });
}
