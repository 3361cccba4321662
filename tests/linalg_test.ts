/**
 * `cb.linalg` against numpy.linalg: replays tests/fixtures/linalg.json (made by
 * tests/fixtures/linalg.py) under Deno, Bun and Node — float32 within 1e-5 and float64 within 1e-10
 * of numpy (relative to the largest magnitude of the expected result), SVD and eigh vectors through
 * reconstruction and orthonormality — then the errors (LINALG, SHAPE_MISMATCH, DTYPE, strict
 * options), the freeing of every intermediate and the reconstruction identities on larger inputs.
 */
import { existsSync, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import assert from "node:assert/strict";
import * as cb from "../mod.ts";
import { ext, root, runtime, test } from "./harness.ts";

// deno-lint-ignore no-explicit-any
type Any = any;
interface Arr {
  dtype: string;
  shape: number[];
  data: (number | string | boolean)[];
}
interface Case {
  fn: string;
  args: Arr[];
  out: Arr[] | Record<string, Arr | number>;
  opts?: Record<string, unknown>;
  n?: number;
}

const fixture: { numpy: string; cases: Case[] } = JSON.parse(
  readFileSync(new URL("./fixtures/linalg.json", import.meta.url), "utf8"),
);

const num = (v: number | string | boolean) =>
  v === "inf" ? Infinity : v === "-inf" ? -Infinity : v === "nan" ? NaN : Number(v);

function input(a: Arr): cb.Tensor {
  return cb.tensor(Float64Array.from(a.data.map(num)), { shape: a.shape, dtype: a.dtype as cb.DType });
}

function flat(t: cb.Tensor): number[] {
  return Array.from(t.astype("float64").data as Float64Array);
}

const tolOf = (dtype: string) => dtype === "float32" ? 1e-5 : 1e-10;

/** Asserts `t` matches `want` in shape, dtype and values (relative to the largest |want|). */
function close(t: cb.Tensor, want: Arr, what: string, tol = tolOf(want.dtype)): void {
  assert.deepEqual(t.shape, want.shape, `${what}: shape`);
  const dtype = want.dtype === "int64" || want.dtype === "int32" ? want.dtype : want.dtype;
  assert.equal(t.dtype, dtype, `${what}: dtype`);
  const got = cb.scope(() => flat(t));
  const exp = want.data.map(num);
  const scale = Math.max(1, ...exp.filter(Number.isFinite).map(Math.abs));
  for (let i = 0; i < exp.length; i++) {
    const [g, e] = [got[i]!, exp[i]!];
    if (!Number.isFinite(e)) {
      assert.ok(Object.is(g, e) || (Number.isNaN(g) && Number.isNaN(e)), `${what}[${i}]: ${g} vs ${e}`);
      continue;
    }
    assert.ok(Math.abs(g - e) <= tol * scale, `${what}[${i}]: ${g} vs numpy ${e} (tol ${tol * scale})`);
  }
}

/** Largest |x - y| over two tensors of the same shape, relative to max(1, max |y|). */
function relErr(x: cb.Tensor, y: cb.Tensor): number {
  return cb.scope(() => {
    const a = flat(x), b = flat(y);
    assert.equal(a.length, b.length);
    const scale = Math.max(1, ...b.map(Math.abs));
    let e = 0;
    for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i]! - b[i]!));
    return e / scale;
  });
}

/** Asserts the columns of `q` (..., m, c) are orthonormal. */
function orthonormalCols(q: cb.Tensor, tol: number, what: string): void {
  cb.scope(() => {
    const c = q.shape.at(-1)!;
    const g = q.mT.matmul(q).astype("float64");
    const i = cb.eye(c, { dtype: "float64" }).expand(g.shape);
    assert.ok(relErr(g, i) <= tol, `${what}: Q^T Q = I (${relErr(g, i)})`);
  });
}

/** u[..., :k] diag(s) vh[..., :k, :], the SVD's reconstruction. */
function svdProduct(u: cb.Tensor, s: cb.Tensor, vh: cb.Tensor): cb.Tensor {
  const k = s.shape.at(-1)!;
  const lead = (t: cb.Tensor) => t.shape.slice(0, -2).map(() => null);
  const uk = u.slice(...lead(u), null, [0, k]);
  const vk = vh.slice(...lead(vh), [0, k]);
  return uk.mul(s.unsqueeze(-2)).matmul(vk);
}

function runCase(c: Case): void {
  const args = c.args.map(input);
  const a = args[0]!;
  const dt = c.args[0]!.dtype;
  const tol = tolOf(
    dt === "float32" && (c.args[1]?.dtype ?? "float32") === "float32" ? "float32" : "float64",
  );
  const what = `${c.fn}(${c.args.map((x) => `${x.dtype}${JSON.stringify(x.shape)}`).join(", ")}` +
    `${c.opts ? ", " + JSON.stringify(c.opts) : ""}${c.n !== undefined ? ", " + c.n : ""})`;
  const out = c.out as Any;
  const L = cb.linalg as Any;
  switch (c.fn) {
    case "inv":
    case "det":
    case "cholesky":
    case "eigvalsh":
    case "pinv":
    case "matrixRank":
    case "norm":
      close(L[c.fn](a, c.opts && fixOpts(c.opts)), out[0], what);
      break;
    case "solve":
      close(cb.linalg.solve(a, args[1]!), out[0], what);
      break;
    case "matrixPower":
      close(cb.linalg.matrixPower(a, c.n!), out[0], what);
      break;
    case "slogdet": {
      const r = cb.linalg.slogdet(a);
      close(r.sign, out.sign, what + ".sign");
      close(r.logabsdet, out.logabsdet, what + ".logabsdet");
      break;
    }
    case "qr": {
      const r = cb.linalg.qr(a, c.opts as Any) as Any;
      if (Array.isArray(out)) close(r, out[0], what);
      else {
        close(r.q, out.q, what + ".q");
        close(r.r, out.r, what + ".r");
        if (a.size > 0) assert.ok(relErr(r.q.matmul(r.r), a) <= 10 * tol, `${what}: Q R = A`);
      }
      break;
    }
    case "svd": {
      const r = cb.linalg.svd(a, c.opts as Any) as Any;
      if (Array.isArray(out)) close(r, out[0], what);
      else {
        close(r.s, out.s, what + ".s");
        assert.deepEqual(r.u.shape, out.u.shape, what + ".u shape");
        assert.deepEqual(r.vh.shape, out.vh.shape, what + ".vh shape");
        assert.equal(r.u.dtype, out.u.dtype);
        if (a.size > 0) {
          assert.ok(relErr(svdProduct(r.u, r.s, r.vh), a) <= 10 * tol, `${what}: U S V^T = A`);
          orthonormalCols(r.u, 10 * tol, what + ".u");
          orthonormalCols(r.vh.mT, 10 * tol, what + ".vh");
        }
      }
      break;
    }
    case "eigh": {
      const r = cb.linalg.eigh(a, c.opts as Any);
      close(r.eigenvalues, out.eigenvalues, what + ".eigenvalues");
      assert.deepEqual(r.eigenvectors.shape, out.eigenvectors.shape);
      assert.equal(r.eigenvectors.dtype, out.eigenvectors.dtype);
      if (a.size > 0) {
        // reconstruct from numpy's own vectors' matrix: the symmetrised input numpy saw
        const v = r.eigenvectors, w = r.eigenvalues;
        const ve = input(out.eigenvectors), we = input(out.eigenvalues);
        const want = ve.mul(we.unsqueeze(-2)).matmul(ve.mT);
        assert.ok(relErr(v.mul(w.unsqueeze(-2)).matmul(v.mT), want) <= 10 * tol, `${what}: V W V^T`);
        orthonormalCols(v, 10 * tol, what + ".eigenvectors");
      }
      break;
    }
    case "lstsq": {
      const r = cb.linalg.lstsq(a, args[1]!, c.opts as Any);
      close(r.solution, out.solution, what + ".solution");
      close(r.residuals, out.residuals, what + ".residuals", Math.sqrt(tol));
      assert.equal(r.rank, out.rank, what + ".rank");
      close(r.singularValues, out.singularValues, what + ".singularValues");
      break;
    }
    default:
      throw new Error(`unknown fixture fn ${c.fn}`);
  }
}

function fixOpts(o: Record<string, unknown>): Record<string, unknown> {
  const r: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    r[k] = k === "ord" && typeof v === "string" && v.endsWith("inf") ? num(v) : v;
  }
  return r;
}

const FNS = [
  "solve",
  "inv",
  "det",
  "slogdet",
  "cholesky",
  "qr",
  "svd",
  "eigh",
  "eigvalsh",
  "lstsq",
  "pinv",
  "matrixRank",
  "matrixPower",
  "norm",
];

for (const fn of FNS) {
  const cases = fixture.cases.filter((c) => c.fn === fn);
  test(`linalg.${fn}: ${cases.length} numpy ${fixture.numpy} cases (float32 1e-5, float64 1e-10)`, () => {
    assert.ok(cases.length > 0);
    for (const c of cases) cb.scope(() => runCase(c));
  });
}

test("linalg: the namespace holds exactly the documented functions", () => {
  const names = Object.keys(cb.linalg).filter((k) => typeof (cb.linalg as Any)[k] === "function").sort();
  assert.deepEqual(names, [...FNS].sort());
});

const linalgError = (e: unknown) => e instanceof cb.CobaltError && e.code === "LINALG";
const code = (c: string) => (e: unknown) => e instanceof cb.CobaltError && e.code === c;

test("linalg: singular and non-positive-definite matrices throw LINALG, never NaN", () => {
  cb.scope(() => {
    for (const dtype of ["float32", "float64", "int32"] as const) {
      const s = cb.tensor([[1, 2], [2, 4]], { dtype });
      assert.throws(() => cb.linalg.inv(s), linalgError);
      assert.throws(() => cb.linalg.solve(s, cb.tensor([1, 2])), linalgError);
      assert.throws(() => cb.linalg.matrixPower(s, -2), linalgError);
      assert.throws(() => cb.linalg.cholesky(cb.tensor([[1, 2], [2, 1]], { dtype })), linalgError);
      assert.throws(() => cb.linalg.cholesky(cb.tensor([[-1, 0], [0, 1]], { dtype })), linalgError);
    }
    // one singular matrix in a batch fails the batch
    const batch = cb.tensor([[[1, 0], [0, 1]], [[0, 0], [0, 0]]]);
    assert.throws(() => cb.linalg.inv(batch), linalgError);
    assert.throws(() => cb.linalg.svd(cb.tensor([[NaN, 1], [1, 1]])), linalgError);
    assert.throws(
      () => cb.linalg.inv(cb.zeros([3, 3])),
      (e: unknown) => linalgError(e) && /singular/.test((e as Error).message),
    );
  });
});

test("linalg: shapes — non-square, 1-D, mismatched b: SHAPE_MISMATCH; float16: DTYPE", () => {
  cb.scope(() => {
    const r = cb.ones([2, 3]);
    for (const f of ["inv", "det", "slogdet", "cholesky", "eigh", "eigvalsh"] as const) {
      assert.throws(() => (cb.linalg[f] as Any)(r), code("SHAPE_MISMATCH"), f);
      assert.throws(() => (cb.linalg[f] as Any)(cb.ones([3])), code("SHAPE_MISMATCH"), f);
    }
    assert.throws(() => cb.linalg.matrixPower(r, 2), code("SHAPE_MISMATCH"));
    for (const f of ["qr", "svd", "pinv"] as const) {
      assert.throws(() => (cb.linalg[f] as Any)(cb.ones([3])), code("SHAPE_MISMATCH"), f);
    }
    assert.throws(() => cb.linalg.solve(r, cb.ones([2])), code("SHAPE_MISMATCH"));
    assert.throws(() => cb.linalg.solve(cb.eye(2), cb.ones([3])), code("SHAPE_MISMATCH"));
    assert.throws(() => cb.linalg.solve(cb.eye(2), cb.ones([3, 1])), code("SHAPE_MISMATCH"));
    assert.throws(
      () => cb.linalg.solve(cb.eye(2).expand([3, 2, 2]), cb.ones([2, 2, 1])),
      code("SHAPE_MISMATCH"),
    );
    assert.throws(() => cb.linalg.lstsq(cb.ones([3, 2]), cb.ones([2])), code("SHAPE_MISMATCH"));
    assert.throws(() => cb.linalg.lstsq(cb.ones([2, 3, 2]), cb.ones([3])), code("SHAPE_MISMATCH"));
    assert.throws(() => cb.linalg.inv(cb.eye(2, { dtype: "float16" })), code("DTYPE"));
    assert.throws(() => cb.linalg.svd(cb.eye(2, { dtype: "bfloat16" })), code("DTYPE"));
    assert.throws(() => cb.linalg.norm(cb.ones([2, 2, 2]), { ord: 1 }), code("INVALID_ARGUMENT"));
    assert.throws(() => cb.linalg.norm(cb.ones([3]), { ord: "fro" }), code("INVALID_ARGUMENT"));
    assert.throws(() => cb.linalg.norm(cb.ones([3, 3]), { ord: 3 }), code("INVALID_ARGUMENT"));
    assert.throws(() => cb.linalg.norm(cb.ones([3, 3]), { axis: [0, 0] }), code("AXIS"));
    assert.throws(() => cb.linalg.norm(cb.ones([3, 3]), { axis: 2 }), code("AXIS"));
  });
});

test("linalg: options objects reject unknown keys and bad values (TypeError)", () => {
  cb.scope(() => {
    const a = cb.eye(2);
    const te = (e: unknown) => e instanceof TypeError;
    const bad: [string, () => unknown][] = [
      ["cholesky", () => cb.linalg.cholesky(a, { lower: true } as Any)],
      ["qr", () => cb.linalg.qr(a, { mode: "raw" } as Any)],
      ["qr", () => cb.linalg.qr(a, { modes: "r" } as Any)],
      ["svd", () => cb.linalg.svd(a, { full_matrices: false } as Any)],
      ["svd", () => cb.linalg.svd(a, { computeUv: 0 } as Any)],
      ["eigh", () => cb.linalg.eigh(a, { UPLO: "U" } as Any)],
      ["eigh", () => cb.linalg.eigh(a, { uplo: "X" } as Any)],
      ["eigvalsh", () => cb.linalg.eigvalsh(a, { uplo: "l" } as Any)],
      ["lstsq", () => cb.linalg.lstsq(a, a, { rcon: 1 } as Any)],
      ["pinv", () => cb.linalg.pinv(a, { rcond: "1" } as Any)],
      ["matrixRank", () => cb.linalg.matrixRank(a, { tolerance: 1 } as Any)],
      ["norm", () => cb.linalg.norm(a, { keepDims: true } as Any)],
      ["norm", () => cb.linalg.norm(a, { ord: "max" } as Any)],
      ["matrixPower", () => cb.linalg.matrixPower(a, 1.5)],
      ["matrixPower", () => cb.linalg.matrixPower(a, "2" as Any)],
      ["inv", () => cb.linalg.inv([[1, 0], [0, 1]] as Any)],
      ["solve", () => cb.linalg.solve(a, [1, 2] as Any)],
    ];
    for (const [name, f] of bad) assert.throws(f, te, name);
  });
});

test("linalg: every function frees its intermediates (memory().tensors returns to its count)", () => {
  const a = cb.tensor([[4, 1, 0], [1, 3, 1], [0, 1, 2]], { dtype: "float64" });
  const b = cb.tensor([1, 2, 3], { dtype: "float64" });
  const calls: [string, () => unknown][] = [
    ["solve", () => cb.linalg.solve(a, b)],
    ["inv", () => cb.linalg.inv(a)],
    ["det", () => cb.linalg.det(a)],
    ["slogdet", () => cb.linalg.slogdet(a)],
    ["cholesky", () => cb.linalg.cholesky(a)],
    ["qr", () => cb.linalg.qr(a, { mode: "complete" })],
    ["svd", () => cb.linalg.svd(a)],
    ["eigh", () => cb.linalg.eigh(a)],
    ["eigvalsh", () => cb.linalg.eigvalsh(a)],
    ["lstsq", () => cb.linalg.lstsq(a, b)],
    ["pinv", () => cb.linalg.pinv(a)],
    ["matrixRank", () => cb.linalg.matrixRank(a)],
    ["matrixPower", () => cb.linalg.matrixPower(a, -5)],
    ["norm", () => cb.linalg.norm(a, { ord: "nuc" })],
  ];
  for (const [name, f] of calls) {
    const before = cb.memory().tensors;
    const r = f();
    const ts = r instanceof cb.Tensor
      ? [r]
      : Object.values(r as object).filter((t) => t instanceof cb.Tensor);
    for (const t of ts) (t as cb.Tensor).dispose();
    // at most `before`: a collection meanwhile may free tensors earlier tests left to the GC
    assert.ok(cb.memory().tensors <= before, `${name} left ${cb.memory().tensors - before} tensor(s) alive`);
  }
  // failures free too
  const [z, o, nan, one] = [cb.zeros([2, 2]), cb.ones([2]), cb.tensor([[NaN]]), cb.ones([1])];
  const before = cb.memory().tensors;
  assert.throws(() => cb.linalg.solve(z, o), linalgError);
  assert.throws(() => cb.linalg.lstsq(nan, one), linalgError);
  assert.throws(() => cb.linalg.pinv(nan), linalgError);
  // at most `before`: a collection meanwhile may free tensors earlier tests left to the GC
  assert.ok(cb.memory().tensors <= before, `${cb.memory().tensors - before} tensor(s) left alive`);
  for (const t of [a, b, z, o, nan, one]) t.dispose();
});

test("linalg: larger matrices reconstruct (LU, QR, Cholesky, SVD, eigh) in float64", () => {
  cb.scope(() => {
    const g = cb.Generator(7);
    for (const n of [1, 64, 97, 200]) {
      const a = g.normal(0, 1, [n, n], { dtype: "float64" });
      const b = g.normal(0, 1, [n, 3], { dtype: "float64" });
      const x = cb.linalg.solve(a, b);
      assert.ok(relErr(a.matmul(x), b) < 1e-9, `solve ${n}`);
      const ai = cb.linalg.inv(a);
      assert.ok(relErr(a.matmul(ai), cb.eye(n, { dtype: "float64" })) < 1e-9, `inv ${n}`);
      const { q, r } = cb.linalg.qr(a);
      assert.ok(relErr(q.matmul(r), a) < 1e-12, `qr ${n}`);
      const spd = a.matmul(a.mT).add(cb.eye(n, { dtype: "float64" }).mul(n));
      const l = cb.linalg.cholesky(spd);
      assert.ok(relErr(l.matmul(l.mT), spd) < 1e-12, `cholesky ${n}`);
      const { u, s, vh } = cb.linalg.svd(a);
      assert.ok(relErr(svdProduct(u, s, vh), a) < 1e-12, `svd ${n}`);
      const sym = a.add(a.mT);
      const { eigenvalues: w, eigenvectors: v } = cb.linalg.eigh(sym);
      assert.ok(relErr(v.mul(w.unsqueeze(-2)).matmul(v.mT), sym) < 1e-12, `eigh ${n}`);
      const sv = s.toArray() as number[];
      for (let i = 1; i < sv.length; i++) assert.ok(sv[i - 1]! >= sv[i]!, "s descending");
      const ev = w.toArray() as number[];
      for (let i = 1; i < ev.length; i++) assert.ok(ev[i - 1]! <= ev[i]!, "eigenvalues ascending");
    }
  });
});

test("linalg: results are bit-identical run to run (deterministic, whatever the thread count)", () => {
  cb.scope(() => {
    const g = cb.Generator(3);
    const a = g.normal(0, 1, [150, 150], { dtype: "float64" });
    const one = () => [cb.linalg.inv(a), cb.linalg.svd(a).s, cb.linalg.eigvalsh(a.add(a.mT))].map(flat);
    const first = one();
    const threads = cb.numThreads();
    cb.setNumThreads(1);
    try {
      assert.deepEqual(one(), first);
    } finally {
      cb.setNumThreads(threads);
    }
  });
});

test("linalg: another runtime computes the same bits (same seeded input, same library; another build: within 1e-9)", () => {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  const other = runtime === "deno" ? "bun" : "deno";
  const exe = [`${root}node_modules/.bin/${other}`, `${g.process?.cwd?.() ?? "."}/node_modules/.bin/${other}`]
    .find((p) => existsSync(p));
  assert.ok(exe, `no ${other} executable found`);
  const body = `const a = cb.Generator(5).normal(0, 1, [40, 40], { dtype: "float64" });
const l = cb.linalg;
const ts = [l.inv(a), l.svd(a).s, l.eigvalsh(a.add(a.mT)), l.slogdet(a).logabsdet, l.qr(a).r, l.lstsq(a, a.slice(null, 0)).solution];
console.log(cb.native.path);
console.log(ts.map((t) => Array.from(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), (b) => b.toString(16).padStart(2, "0")).join("")).join(","));`;
  const code = `import * as cb from "./mod${ext}";\n${body}`;
  const r = spawnSync(exe!, evalArgs2(other, code), {
    cwd: root,
    encoding: "utf8",
    env: { ...g.process?.env },
  });
  assert.equal(r.status, 0, r.stderr);
  const mine = cb.scope(() => {
    const a = cb.Generator(5).normal(0, 1, [40, 40], { dtype: "float64" });
    const l = cb.linalg;
    const ts = [
      l.inv(a),
      l.svd(a).s,
      l.eigvalsh(a.add(a.mT)),
      l.slogdet(a).logabsdet,
      l.qr(a).r,
      l.lstsq(a, a.slice(null, 0)).solution,
    ];
    return ts.map((t) => {
      const d = t.data as Float64Array;
      return Array.from(
        new Uint8Array(d.buffer, d.byteOffset, d.byteLength),
        (b) => b.toString(16).padStart(2, "0"),
      )
        .join("");
    }).join(",");
  });
  const [path, theirs] = r.stdout.trim().split("\n");
  if (path === cb.native.path) {
    assert.equal(theirs, mine);
  } else {
    // another build of the library (the cross tests run this file in an emulated arm64 Bun, whose
    // child is the host's x86-64 runtime): other instruction sets, so close, not the same bits
    const floats = (hex: string) =>
      hex.split(",").flatMap((h) =>
        Array.from(new Float64Array(Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16)).buffer))
      );
    const [x, y] = [floats(theirs!), floats(mine)];
    assert.equal(x.length, y.length);
    x.forEach((v, i) =>
      assert.ok(Math.abs(v - y[i]!) <= 1e-9 * Math.max(1, Math.abs(y[i]!)), `${i}: ${v} vs ${y[i]}`)
    );
  }
});

function evalArgs2(rt: string, code: string): string[] {
  return rt === "deno" ? ["eval", "--quiet", "--ext=ts", code] : ["-e", code];
}
