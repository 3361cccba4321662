/**
 * Seeded random numbers: reproducible, identical across runtimes (checked against the other
 * runtime in a child process), and statistically sound.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as cb from "../mod.ts";
import { ext, root, runtime, test } from "./harness.ts";

// deno-lint-ignore no-explicit-any
const g = globalThis as any;

function hex(t: cb.Tensor): string {
  const v = t.data;
  return Array.from(
    new Uint8Array(v.buffer, v.byteOffset, v.byteLength),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

test("random: the same seed gives the same values, another seed others", () => {
  cb.scope(() => {
    for (const dtype of ["float32", "float64", "float16", "bfloat16"] as const) {
      assert.equal(hex(cb.rand([64], { seed: 7, dtype })), hex(cb.rand([64], { seed: 7, dtype })));
      assert.equal(
        hex(cb.randn([3, 5], { seed: 2 ** 40 + 3, dtype })),
        hex(cb.randn([3, 5], { seed: 2 ** 40 + 3, dtype })),
      );
      assert.notEqual(hex(cb.rand([64], { seed: 7, dtype })), hex(cb.rand([64], { seed: 8, dtype })));
    }
    assert.notEqual(hex(cb.rand([16])), hex(cb.rand([16])), "unseeded calls differ");
  });
});

test("random: Deno and Bun produce the same bytes for a seed", () => {
  const other = runtime === "deno" ? "bun" : "deno";
  const exe = `${root}node_modules/.bin/${other}`;
  const code = `import * as cb from "./mod${ext}";
const v = cb.randn([257], { seed: 123456789 }).data;
console.log(Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), (b) => b.toString(16).padStart(2, "0")).join(""));`;
  const args = other === "deno" ? ["eval", "--ext=ts", code] : ["-e", code];
  const r = spawnSync(exe, args, { cwd: root, encoding: "utf8", env: { ...g.process.env } });
  assert.equal(r.status, 0, r.stderr);
  const mine = cb.scope(() => hex(cb.randn([257], { seed: 123456789 })));
  assert.equal(r.stdout.trim(), mine);
});

test("random: uniform values lie in [0, 1) with the right moments", () => {
  cb.scope(() => {
    for (const dtype of ["float32", "float64", "float16", "bfloat16"] as const) {
      const u = cb.rand([200_000], { seed: 11, dtype });
      assert.ok(u.min().item() >= 0, dtype);
      assert.ok(u.max().item() < 1, dtype);
      const m = u.astype("float64").mean().item();
      const v = u.astype("float64").var().item();
      assert.ok(Math.abs(m - 0.5) < 0.005, `${dtype} mean ${m}`);
      assert.ok(Math.abs(v - 1 / 12) < 0.003, `${dtype} variance ${v}`);
    }
  });
});

test("random: normal values have mean 0, variance 1 and normal tails", () => {
  cb.scope(() => {
    const z = cb.randn([400_000], { seed: 5, dtype: "float64" });
    const n = z.size;
    assert.ok(Math.abs(z.mean().item()) < 0.01);
    assert.ok(Math.abs(z.var().item() - 1) < 0.01);
    // P(|z| > 2) = 0.0455 for a standard normal
    const tail = z.abs().gt(2).astype("float64").sum().item() / n;
    assert.ok(Math.abs(tail - 0.0455) < 0.002, `tail ${tail}`);
    // odd moment vanishes, fourth moment is 3
    const z64 = z.data as Float64Array;
    let m3 = 0, m4 = 0;
    for (const x of z64) {
      m3 += x ** 3;
      m4 += x ** 4;
    }
    assert.ok(Math.abs(m3 / n) < 0.03);
    assert.ok(Math.abs(m4 / n - 3) < 0.06);
  });
});

test("random: bad arguments", () => {
  assert.throws(() => cb.rand([2], { dtype: "int32" }), { code: "DTYPE" });
  assert.throws(() => cb.rand([2], { seed: -1 }), { code: "INVALID_ARGUMENT" });
  assert.throws(() => cb.rand([2], { seed: 1.5 }), TypeError);
  cb.scope(() => {
    const t = cb.zeros([2, 3], { dtype: "float64" });
    assert.deepEqual(cb.randLike(t, { seed: 1 }).shape, [2, 3]);
    assert.equal(cb.randnLike(t).dtype, "float64");
    assert.equal(cb.randLike(cb.zeros([2], { dtype: "int32" })).dtype, "float32");
  });
});
