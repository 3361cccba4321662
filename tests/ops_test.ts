/**
 * Every op against numpy: replays tests/fixtures/ops.json (made by tests/fixtures/gen.py) —
 * all dtypes, promotion pairs, broadcasting, empty dims, non-contiguous inputs, and the error
 * code for each case numpy refuses.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as cb from "../mod.ts";
import { test } from "./harness.ts";
import { BINARY, REDUCE, SCAN, UNARY } from "./op_table.ts";

type Num = number | string;
interface T {
  dtype: cb.DType;
  shape: number[];
  data: Num[];
  view?: {
    transpose?: number[];
    permute?: number[];
    slice?: cb.SliceSpec[];
    flip?: number;
    expand?: number[];
  };
}
interface Case {
  name: string;
  op: string;
  args: (T | number)[];
  kwargs: Record<string, unknown>;
  out?: T;
  outs?: T[];
  error?: string;
}

const fixture = JSON.parse(
  readFileSync(new URL("./fixtures/ops.json", import.meta.url), "utf8"),
) as { numpy: string; cases: Case[] };

const num = (v: Num): number =>
  typeof v === "number" ? v : v === "nan" ? NaN : v === "inf" ? Infinity : -Infinity;

function make(a: T | number): cb.Tensor | number {
  if (typeof a === "number") return a;
  const base = cb.tensor(Float64Array.from(a.data.map(num)), { shape: a.shape, dtype: a.dtype });
  const v = a.view;
  if (v?.transpose) return base.transpose(...v.transpose);
  if (v?.permute) return base.permute(...v.permute);
  if (v?.slice) return base.slice(...v.slice);
  if (v?.flip !== undefined) return base.flip(v.flip);
  if (v?.expand) return base.expand(v.expand);
  return base;
}

// deno-lint-ignore no-explicit-any
type Any = any;
const has = (list: readonly string[], op: string) => list.includes(op);
/** The numpy staples of ffi/staples.ts and the axis views, each with fixtures. */
const STAPLES = [
  "T",
  "mT",
  "swapaxes",
  "moveaxis",
  "nansum",
  "nanmean",
  "nanmax",
  "nanmin",
  "ptp",
  "countNonzero",
  "median",
  "quantile",
  "trace",
  "diagonal",
  "diag",
  "maskedFill",
  "clip",
  "isclose",
  "allclose",
  "arrayEqual",
  "meshgrid",
  "empty",
  "nonzero",
  "argwhere",
  "maskedSelect",
  "maskedAssign",
  "oneHot",
  "bincount",
  "unique",
  "layerNorm",
  "scatter",
  "scatterAdd",
  "einsum",
];
function run(c: Case, args: (cb.Tensor | number)[]): cb.Tensor | cb.Tensor[] {
  const [a, b] = args as [Any, Any];
  const k = c.kwargs as Any;
  const red = { keepdims: k.keepdims ?? false, ddof: k.ddof };
  // the op table's one-liners (tests/op_table.ts, generated)
  if (has(BINARY, c.op)) return a[c.op](b);
  if (has(UNARY, c.op) && c.op !== "gelu") return a[c.op]();
  if (has(REDUCE, c.op)) return a[c.op](k.axis ?? null, red);
  if (has(SCAN, c.op)) return a[c.op](k.axis ?? null);
  const close = { rtol: k.rtol, atol: k.atol, equalNan: k.equalNan };
  switch (c.op) {
    case "T":
      return a.T;
    case "mT":
      return a.mT;
    case "swapaxes":
      return a.swapaxes(k.a, k.b);
    case "moveaxis":
      return a.moveaxis(k.source, k.destination);
    case "nansum":
    case "nanmean":
    case "nanmax":
    case "nanmin":
    case "ptp":
    case "countNonzero":
      return a[c.op](k.axis ?? null, red);
    case "median":
      return a.median({ axis: k.axis, keepdims: k.keepdims });
    case "quantile":
      return a.quantile(k.q, { axis: k.axis, keepdims: k.keepdims });
    case "trace":
    case "diagonal":
      return a[c.op](k.offset);
    case "diag":
      return cb.diag(a, k.k);
    case "maskedFill":
      return a.maskedFill(b, k.value);
    case "clip":
      return a.clip(k.min, k.max);
    case "isclose":
      return cb.isclose(a, b, close);
    case "allclose":
      return cb.tensor(cb.allclose(a, b, close));
    case "arrayEqual":
      return cb.tensor(cb.arrayEqual(a, b, { equalNan: k.equalNan }));
    case "meshgrid":
      return cb.meshgrid(args as cb.Tensor[], k.indexing ? { indexing: k.indexing } : undefined);
    case "empty":
      return cb.empty(k.shape, { dtype: k.dtype });
    case "nonzero":
      return a.nonzero();
    case "argwhere":
      return cb.argwhere(a);
    case "maskedSelect":
      return a.maskedSelect(b);
    case "maskedAssign":
      return a.maskedAssign(b, args[2] ?? k.value);
    case "layerNorm":
      return a.layerNorm(k.axes, { eps: k.eps });
    case "oneHot":
      return cb.oneHot(a, k.n);
    case "bincount":
      return cb.bincount(a, { weights: b, minlength: k.minlength });
    case "unique": {
      const axis = k.axis ?? null;
      if (!k.returnCounts) return axis === null ? cb.unique(a) : cb.unique(a, { axis });
      const u = cb.unique(a, { returnCounts: true, returnInverse: true, axis }) as Any;
      return [u.values, u.counts, u.inverse];
    }
    case "rsub":
    case "rdiv":
    case "matmul":
    case "dot":
    case "outer":
      return a[c.op](b);
    case "gelu":
      return a.gelu(k.approximate ? { approximate: k.approximate } : undefined);
    case "transpose":
      return a[c.op]();
    case "clamp":
      return a.clamp(k.min, k.max);
    case "where":
      return cb.where(a, b, args[2] as Any);
    case "reshape":
      return a.reshape(k.shape);
    case "permute":
      return a.permute(...k.axes);
    case "flatten":
      return a.flatten(k.start ?? 0, k.end ?? -1);
    case "slice":
      return a.slice(...k.specs);
    case "expand":
      return a.expand(k.shape);
    case "squeeze":
      return a.squeeze(k.axis);
    case "unsqueeze":
      return a.unsqueeze(k.axis);
    case "flip":
      return a.flip(k.axes ?? undefined);
    case "concat":
      return cb.concat(args as cb.Tensor[], k.axis ?? 0);
    case "stack":
      return cb.stack(args as cb.Tensor[], k.axis ?? 0);
    case "split":
      return a.split(k.sections, k.axis ?? 0);
    case "chunk":
      return a.chunk(k.chunks, k.axis ?? 0);
    case "tile":
      return a.tile(k.reps);
    case "repeat":
      return a.repeat(k.repeats, k.axis ?? undefined);
    case "tril":
    case "triu":
      return a[c.op](k.k ?? 0);
    case "pad":
      return k.mode ? a.pad(k.widths, { mode: k.mode }) : a.pad(k.widths, k.value ?? 0);
    case "indexSelect":
      return a.indexSelect(k.axis, b);
    case "take":
      return a.take(b, k.axis);
    case "gather":
      return a.gather(k.axis, b);
    case "einsum":
      return cb.einsum(k.spec, ...(args as cb.Tensor[]));
    case "scatter":
    case "scatterAdd":
      return a[c.op](k.axis, b, args[2] ?? k.value);
    case "argsort":
      return a.argsort(k.axis, { descending: k.descending ?? false });
    case "sort": {
      const r = a.sort(k.axis, {});
      return [r.values, r.indices];
    }
    case "topk": {
      const r = a.topk(k.k, k.axis, { largest: k.largest ?? true });
      return [r.values, r.indices];
    }
    case "astype":
      return a.astype(k.dtype);
    case "arange":
      return cb.arange(k.start, k.stop, k.step, { dtype: k.dtype });
    case "linspace":
      return cb.linspace(k.start, k.stop, k.num, { dtype: k.dtype });
    case "eye":
      return cb.eye(k.n, k.m, { k: k.k, dtype: k.dtype });
  }
  throw new Error(`no runner for ${c.op}`);
}

// Tolerances per dtype (relative, absolute). float32 kernels may differ from numpy in the last bits
// (summation order, libm); float16 and bfloat16 in the last one or two (cobalt computes in float32
// and rounds once; numpy's float16 loops round differently in places); integers and bools are exact.
const TOL: Record<cb.DType, [number, number]> = {
  float32: [2e-6, 1e-6],
  float64: [1e-12, 1e-12],
  float16: [2e-3, 1e-3],
  bfloat16: [1.6e-2, 1e-2],
  int32: [0, 0],
  int64: [0, 0],
  uint8: [0, 0],
  bool: [0, 0],
};
// Sums, means, products and matrix products accumulate rounding differently.
const ACC_TOL: Record<cb.DType, [number, number]> = {
  ...TOL,
  float32: [2e-5, 1e-5],
  float64: [1e-11, 1e-11],
  float16: [1e-2, 1e-2],
  bfloat16: [3e-2, 3e-2],
};
const ACCUMULATING = new Set([
  "einsum",
  "layerNorm",
  "nansum",
  "nanmean",
  "median",
  "quantile",
  "trace",
  "sum",
  "mean",
  "prod",
  "matmul",
  "dot",
  "var",
  "std",
  "logsumexp",
  "cumsum",
  "cumprod",
  "softmax",
  "logSoftmax",
]);

function close(got: number, want: number, rtol: number, atol: number): boolean {
  if (Number.isNaN(want)) return Number.isNaN(got);
  if (!Number.isFinite(want)) return got === want;
  return Math.abs(got - want) <= atol + rtol * Math.abs(want);
}

function compare(c: Case, got: cb.Tensor, want: T, label: string): void {
  assert.deepEqual(got.shape, want.shape, `${label} shape`);
  assert.equal(got.dtype, want.dtype, `${label} dtype`);
  const flat = got.toArray();
  const values = (Array.isArray(flat) ? (flat as unknown[]).flat(Infinity) : [flat]) as number[];
  const expected = want.data.map(num);
  assert.equal(values.length, expected.length);
  const [rtol, atol] = (ACCUMULATING.has(c.op) ? ACC_TOL : TOL)[got.dtype];
  for (let i = 0; i < expected.length; i++) {
    if (!close(values[i], expected[i], rtol, atol)) {
      assert.fail(
        `${label} element ${i}: got ${values[i]}, numpy says ${expected[i]} (rtol ${rtol}, atol ${atol})`,
      );
    }
  }
}

test(`fixtures come from numpy (${fixture.numpy}) and cover every op and dtype`, () => {
  const ops = new Set(fixture.cases.map((c) => c.op));
  const required = [
    ...BINARY,
    ...UNARY,
    ...REDUCE,
    ...SCAN,
    ...STAPLES,
    "where",
    "clamp",
    "rsub",
    "rdiv",
    "matmul",
    "dot",
    "outer",
    "concat",
    "stack",
    "split",
    "chunk",
    "indexSelect",
    "take",
    "gather",
    "pad",
    "flip",
    "tile",
    "repeat",
    "tril",
    "triu",
    "sort",
    "argsort",
    "topk",
    "reshape",
    "transpose",
    "permute",
    "slice",
    "expand",
    "squeeze",
    "unsqueeze",
    "flatten",
    "astype",
    "arange",
    "linspace",
    "eye",
  ];
  for (const op of required) assert.ok(ops.has(op), `no fixture for ${op}`);
  const dtypes = new Set(fixture.cases.flatMap((c) => [c.out?.dtype, ...(c.outs ?? []).map((o) => o.dtype)]));
  for (const d of ["float32", "float64", "int32", "int64", "uint8", "bool", "float16", "bfloat16"]) {
    assert.ok(dtypes.has(d as cb.DType), `no result of dtype ${d}`);
  }
  assert.ok(fixture.cases.length > 2000);
});

for (const c of fixture.cases) {
  test(`numpy: ${c.name}`, () => {
    cb.scope(() => {
      if (c.error) {
        assert.throws(() => run(c, c.args.map(make)), (e: unknown) => {
          assert.ok(e instanceof cb.CobaltError, `expected a CobaltError, got ${e}`);
          assert.equal(e.code, c.error, e.message);
          return true;
        });
        return;
      }
      const out = run(c, c.args.map(make));
      if (c.outs) {
        const list = out as cb.Tensor[];
        assert.equal(list.length, c.outs.length, "number of results");
        c.outs.forEach((w, i) => compare(c, list[i], w, `result ${i}`));
      } else compare(c, out as cb.Tensor, c.out!, "result");
    });
  });
}
