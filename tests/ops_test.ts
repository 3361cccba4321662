/**
 * Every op against numpy: replays tests/fixtures/ops.json (made by tests/fixtures/gen.py).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as cb from "../mod.ts";
import { test } from "./harness.ts";

type Num = number | string;
interface T {
  dtype: cb.DType;
  shape: number[];
  data: Num[];
  view?: { transpose?: number[]; permute?: number[] };
}
interface Case {
  name: string;
  op: string;
  args: (T | number)[];
  kwargs: Record<string, unknown>;
  out: T;
}

const fixture = JSON.parse(
  readFileSync(new URL("./fixtures/ops.json", import.meta.url), "utf8"),
) as { numpy: string; cases: Case[] };

const num = (v: Num): number =>
  typeof v === "number" ? v : v === "nan" ? NaN : v === "inf" ? Infinity : -Infinity;

function make(a: T | number): cb.Tensor | number {
  if (typeof a === "number") return a;
  const Arr = a.dtype === "float64" ? Float64Array : Float32Array;
  const base = cb.tensor(Arr.from(a.data.map(num)), { shape: a.shape });
  if (a.view?.transpose) return base.transpose(...a.view.transpose);
  if (a.view?.permute) return base.permute(...a.view.permute);
  return base;
}

// deno-lint-ignore no-explicit-any
type Any = any;
function run(c: Case, args: (cb.Tensor | number)[]): cb.Tensor {
  const [a, b] = args as [Any, Any];
  const k = c.kwargs as Any;
  switch (c.op) {
    case "add":
    case "sub":
    case "mul":
    case "div":
    case "pow":
    case "maximum":
    case "minimum":
    case "rsub":
    case "rdiv":
      return a[c.op](b);
    case "neg":
    case "exp":
    case "log":
    case "sqrt":
    case "abs":
    case "tanh":
    case "sigmoid":
    case "relu":
      return a[c.op]();
    case "sum":
    case "mean":
    case "max":
    case "min":
    case "prod":
      return a[c.op](k.axis ?? null, { keepdims: k.keepdims ?? false });
    case "matmul":
      return a.matmul(b);
    case "reshape":
      return a.reshape(k.shape);
    case "transpose":
      return a.transpose();
    case "permute":
      return a.permute(...k.axes);
    case "astype":
      return a.astype(k.dtype);
    case "arange":
      return cb.arange(k.start, k.stop, k.step, { dtype: k.dtype });
  }
  throw new Error(`no runner for ${c.op}`);
}

// Tolerances per dtype: float32 kernels may differ from numpy's in the last bits (different
// summation order, libm); float64 must agree to ~1e-12.
const TOL = { float32: { rtol: 2e-6, atol: 1e-6 }, float64: { rtol: 1e-12, atol: 1e-12 } };
const SUM_TOL = { float32: { rtol: 2e-5, atol: 1e-5 }, float64: { rtol: 1e-11, atol: 1e-11 } };

function close(got: number, want: number, rtol: number, atol: number): boolean {
  if (Number.isNaN(want)) return Number.isNaN(got);
  if (!Number.isFinite(want)) return got === want;
  return Math.abs(got - want) <= atol + rtol * Math.abs(want);
}

test(`fixtures come from numpy (${fixture.numpy}) and cover every op`, () => {
  const ops = new Set(fixture.cases.map((c) => c.op));
  for (
    const op of [
      "add",
      "sub",
      "mul",
      "div",
      "pow",
      "maximum",
      "minimum",
      "rsub",
      "rdiv",
      "neg",
      "exp",
      "log",
      "sqrt",
      "abs",
      "tanh",
      "sigmoid",
      "relu",
      "sum",
      "mean",
      "max",
      "min",
      "prod",
      "matmul",
      "reshape",
      "transpose",
      "permute",
      "astype",
      "arange",
    ]
  ) assert.ok(ops.has(op), `no fixture for ${op}`);
  assert.ok(fixture.cases.length > 300);
});

for (const c of fixture.cases) {
  test(`numpy: ${c.name}`, () => {
    cb.scope(() => {
      const out = run(c, c.args.map(make));
      assert.deepEqual(out.shape, c.out.shape, "shape");
      assert.equal(out.dtype, c.out.dtype, "dtype");
      const got = out.data;
      const want = c.out.data.map(num);
      assert.equal(got.length, want.length);
      const reduce = ["sum", "mean", "prod", "matmul"].includes(c.op);
      const { rtol, atol } = (reduce ? SUM_TOL : TOL)[out.dtype];
      for (let i = 0; i < want.length; i++) {
        if (!close(got[i], want[i], rtol, atol)) {
          assert.fail(`element ${i}: got ${got[i]}, numpy says ${want[i]} (rtol ${rtol})`);
        }
      }
    });
  });
}
