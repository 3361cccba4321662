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

test("random: uniform, normal and randint have the right ranges, moments and dtypes", () => {
  cb.scope(() => {
    const u = cb.uniform(2, 5, [200000], { seed: 11 });
    assert.equal(u.dtype, "float32");
    assert.ok(u.min().item() >= 2 && u.max().item() < 5);
    assert.ok(Math.abs(u.mean().item() - 3.5) < 0.01, `mean ${u.mean().item()}`);
    assert.ok(Math.abs(u.var().item() - 0.75) < 0.01, `var ${u.var().item()}`); // (5-2)^2 / 12
    const n = cb.normal(-4, 3, [200000], { seed: 12, dtype: "float64" });
    assert.equal(n.dtype, "float64");
    assert.ok(Math.abs(n.mean().item() + 4) < 0.03 && Math.abs(n.std().item() - 3) < 0.03);
    const r = cb.randint(-3, 4, [70000], { seed: 13 });
    assert.equal(r.dtype, "int64");
    assert.deepEqual(cb.unique(r).toArray(), [-3, -2, -1, 0, 1, 2, 3]);
    const counts = (cb.unique(r, { returnCounts: true }) as { counts: cb.Tensor }).counts
      .toArray() as number[];
    for (const c of counts) assert.ok(Math.abs(c - 10000) < 500, `bin count ${c}`); // 5 sigma
    assert.equal(cb.randint(0, 256, [3], { dtype: "uint8" }).dtype, "uint8");
    assert.deepEqual(cb.randint(5, 6, [4]).toArray(), [5, 5, 5, 5]);
  });
});

test("random: permutation and choice", () => {
  cb.scope(() => {
    const p = cb.permutation(1000, { seed: 5 });
    assert.deepEqual(p.sort().values.toArray(), [...Array(1000).keys()]);
    assert.notDeepEqual(p.toArray(), [...Array(1000).keys()]);
    const rows = cb.arange(12).reshape(4, 3);
    const shuffled = cb.permutation(rows, { seed: 5 });
    assert.deepEqual(shuffled.shape, [4, 3]);
    const firsts = (shuffled.toArray() as number[][]).map((r) => r[0]!).sort((a, b) => a - b);
    assert.deepEqual(firsts, [0, 3, 6, 9]); // whole rows moved
    const c = cb.choice(10, [5000], { seed: 6 });
    assert.ok(c.min().item() >= 0 && c.max().item() <= 9);
    const noRep = cb.choice(cb.arange(50), [50], { replace: false, seed: 7 });
    assert.deepEqual(noRep.sort().values.toArray(), [...Array(50).keys()]);
    assert.deepEqual(cb.choice(cb.tensor([7, 8]), [2, 3], { seed: 1 }).shape, [2, 3]);
  });
});

test("random: a Generator gives reproducible streams", () => {
  cb.scope(() => {
    const draw = (g: cb.RandomGenerator) => [
      hex(g.random([5])),
      hex(g.normal(1, 2, [5])),
      hex(g.integers(0, 100, [5])),
      hex(g.permutation(8)),
      hex(g.choice(20, [4], { replace: false })),
      hex(g.uniform(0, 1, [3], { dtype: "float64" })),
      hex(g.standardNormal([2])),
    ];
    const a = draw(cb.Generator(2026)), b = draw(new cb.RandomGenerator(2026)), c = draw(cb.Generator(2027));
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    assert.equal(new Set(a.slice(0, 2)).size, 2, "successive draws differ");
  });
});

test("random: Deno and Bun give the same Generator stream", () => {
  const other = runtime === "deno" ? "bun" : "deno";
  const exe = `${root}node_modules/.bin/${other}`;
  const code = `import * as cb from "./mod${ext}";
const g = cb.Generator(99);
const ts = [g.normal(0, 1, [7]), g.integers(-5, 5, [7]), g.permutation(9), cb.uniform(1, 2, [5], { seed: 3 })];
console.log(ts.map((t) => { const v = t.data; return Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), (b) => b.toString(16).padStart(2, "0")).join(""); }).join(","));`;
  const args = other === "deno" ? ["eval", "--ext=ts", code] : ["-e", code];
  const r = spawnSync(exe, args, { cwd: root, encoding: "utf8", env: { ...g.process.env } });
  assert.equal(r.status, 0, r.stderr);
  const mine = cb.scope(() => {
    const gen = cb.Generator(99);
    const ts = [
      gen.normal(0, 1, [7]),
      gen.integers(-5, 5, [7]),
      gen.permutation(9),
      cb.uniform(1, 2, [5], { seed: 3 }),
    ];
    return ts.map(hex).join(",");
  });
  assert.equal(r.stdout.trim(), mine);
});

test("random: the staples refuse bad arguments", () => {
  cb.scope(() => {
    const cobalt = (code: string) => (e: unknown) => e instanceof cb.CobaltError && e.code === code;
    assert.throws(() => cb.uniform(0, 1, [2], { sead: 1 } as never), TypeError);
    assert.throws(() => cb.uniform("0" as never, 1, [2]), TypeError);
    assert.throws(() => cb.normal(0, -1, [2]), cobalt("INVALID_ARGUMENT"));
    assert.throws(() => cb.normal(0, 1, [2], { dtype: "int32" }), cobalt("DTYPE"));
    assert.throws(() => cb.randint(3, 3, [2]), cobalt("INVALID_ARGUMENT"));
    assert.throws(() => cb.randint(0.5, 3, [2]), TypeError);
    assert.throws(() => cb.randint(0, 300, [2], { dtype: "uint8" }), cobalt("INVALID_ARGUMENT"));
    assert.throws(() => cb.randint(0, 3, [2], { dtype: "float32" }), cobalt("DTYPE"));
    assert.throws(() => cb.permutation(-1), TypeError);
    assert.throws(() => cb.choice(3, [4], { replace: false }), cobalt("INVALID_ARGUMENT"));
    assert.throws(() => cb.choice(cb.zeros([2, 2]), [1]), cobalt("INVALID_ARGUMENT"));
    assert.throws(() => cb.Generator(-1), TypeError);
    assert.throws(() => cb.Generator(1).choice(3, [1], { seed: 1 } as never), TypeError);
  });
});
