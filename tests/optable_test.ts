/**
 * The op table (scripts/optable.ts): every op it names is a working Tensor method with the code the
 * library knows, and every example its JSDoc shows gives the value the JSDoc says.
 */
import assert from "node:assert/strict";
import * as cb from "../mod.ts";
import { BINARY_OP, REDUCE_OP, SCAN_OP, UNARY_OP } from "../ffi/opcodes.ts";
import * as ops from "../ffi/ops.ts";
import { test } from "./harness.ts";
import { BINARY, EXAMPLES, FLOAT_UNARY, REDUCE, SCAN, UNARY } from "./op_table.ts";

/** `got` equals `want`: numbers to 1e-6 relative (examples print rounded values), the rest exactly. */
function close(got: unknown, want: unknown, path = "value"): void {
  if (typeof want === "number" && typeof got === "number") {
    const ok = Number.isNaN(want)
      ? Number.isNaN(got)
      : Math.abs(got - want) <= 1e-6 * Math.max(1, Math.abs(want));
    assert.ok(ok, `${path}: got ${got}, want ${want}`);
  } else if (Array.isArray(want)) {
    assert.ok(Array.isArray(got), `${path}: got ${JSON.stringify(got)}, want an array`);
    assert.equal(got.length, want.length, `${path}: length`);
    want.forEach((w, i) => close(got[i], w, `${path}[${i}]`));
  } else if (typeof want === "boolean" && typeof got === "number") {
    assert.equal(got, want ? 1 : 0, path); // toArray() reads bool as 0/1
  } else assert.deepEqual(got, want, path);
}

for (const ex of EXAMPLES) {
  test(`op table example: ${ex.expr}`, () => {
    cb.scope(() => {
      const r = ex.run();
      close(typeof r === "number" ? r : r.toArray(), ex.want, ex.expr);
    });
  });
}

test("op table: every op is a Tensor method, with a native op code the library accepts", () => {
  const proto = cb.Tensor.prototype as unknown as Record<string, unknown>;
  for (const name of [...BINARY, ...UNARY, ...REDUCE, ...SCAN]) {
    assert.equal(typeof proto[name], "function", `Tensor.${name}`);
  }
  const codes = [BINARY_OP, UNARY_OP, REDUCE_OP, SCAN_OP].map((t) => Object.values(t) as number[]);
  for (const c of codes) assert.deepEqual(c, c.map((_, i) => i), "codes are 0..n-1");
  // each unary code reaches a kernel: float functions give a float tensor from an int32 input
  cb.scope(() => {
    const x = cb.tensor([1, 2], { dtype: "int32" });
    for (const name of UNARY) {
      const y = (x as unknown as Record<string, () => cb.Tensor>)[name]();
      const float = (FLOAT_UNARY as readonly string[]).includes(name);
      assert.equal(y.dtype === "float64", float, `${name}(int32) gives ${y.dtype}`);
    }
  });
});

test("op table: the first code past each table is refused by the library, not run", () => {
  cb.scope(() => {
    const t = cb.tensor([1, 2]);
    const refused = (kind: string) => (e: unknown) =>
      e instanceof cb.CobaltError && e.code === "INVALID_ARGUMENT" &&
      e.message.includes(`unknown ${kind} op code`);
    assert.throws(() => ops.unary(Object.keys(UNARY_OP).length, t), refused("unary"));
    assert.throws(() => ops.binary(Object.keys(BINARY_OP).length, t, t, false), refused("binary"));
  });
});
