/**
 * The cobalt side of the differential fuzzer. `fuzz_test.ts` runs this file in a child process
 * (so a native crash is caught and pinned on one case) and `fuzz_oracle.py` checks what it wrote.
 *
 * A program is a list of steps: `input` steps make tensors from raw bytes, op steps call cobalt.
 * Programs are generated and run at the same time: each op is chosen for the dtypes and shapes
 * the previous steps really produced. Every result is recorded (dtype, shape, raw bytes), and the
 * oracle recomputes each step with numpy *from the values cobalt recorded for its inputs*, so a
 * finding names one op on known inputs and errors do not pile up along a chain.
 *
 *   <runtime> tests/fuzz_child.ts gen SEED FROM TO OUT      cases FROM..TO-1 of SEED, one JSON line each
 *   <runtime> tests/fuzz_child.ts replay IN OUT             the programs in IN (JSON lines), as they are
 *
 * OUT gets a `begin N` line before case N runs and the case's JSON line after it, each written
 * with one write(2): after a crash, the last `begin` names the case.
 * @module
 */
import { Buffer } from "node:buffer";
import { readFileSync } from "node:fs";
import process from "node:process";
import * as cb from "../mod.ts";
import { f16ToNumber } from "../ffi/dtype.ts";
import { BINARY, isMain, Rng, runtime, SyncLog, UNARY } from "./tool_support.ts";
import { REDUCE_ARG, REDUCE_AXES } from "./op_table.ts";

// deno-lint-ignore no-explicit-any
type Any = any;
type DType = cb.DType;
type Tensor = cb.Tensor;

/** An argument: a tensor (step `t`, output `o`), a JS number, a JSON value, or a list of tensors. */
export type Arg = { t: number; o?: number } | { n: number | string } | { v: unknown } | {
  ts: { t: number; o?: number }[];
};
/** One step of a program. */
export interface Step {
  op: string;
  a: Arg[];
  kw: Record<string, Any>;
}
/** A recorded tensor: dtype, shape and the row-major bytes, base64. */
export interface Rec {
  dtype: DType;
  shape: number[];
  b64: string;
  note?: string;
}
/** What a step gave: tensors, or the error it threw. */
export type Res = { ok: Rec[] } | { err: { name: string; code?: string; msg: string } };
/** One case as written to OUT. */
export interface CaseRecord {
  case: number;
  seed: number;
  steps: Step[];
  res: Res[];
  ms?: number;
}

export const DTYPES: readonly DType[] = [
  "float32",
  "float64",
  "int32",
  "int64",
  "uint8",
  "bool",
  "float16",
  "bfloat16",
];
const FLOATS: readonly DType[] = ["float32", "float64", "float16", "bfloat16"];
const isFloat = (d: DType) => FLOATS.includes(d);

// ---- numbers and bytes ------------------------------------------------------------------------

/** A JS number as JSON: NaN, infinities and -0 become strings. */
export function encNum(x: number): number | string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (Object.is(x, -0)) return "-0";
  return x;
}
/** The inverse of `encNum`. */
export function decNum(x: number | string): number {
  if (typeof x === "number") return x;
  return x === "nan" ? NaN : x === "inf" ? Infinity : x === "-inf" ? -Infinity : x === "-0" ? -0 : Number(x);
}
function decDeep(x: Any): Any {
  if (Array.isArray(x)) return x.map(decDeep);
  if (typeof x === "string" || typeof x === "number") return decNum(x);
  return x;
}

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);
function bf16Bits(x: number): number {
  F32[0] = x;
  const u = U32[0];
  if (Number.isNaN(x)) return 0x7fc0;
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}
function bf16Value(bits: number): number {
  U32[0] = bits << 16;
  return F32[0];
}
// deno-lint-ignore no-explicit-any
const F16: any = (globalThis as any).Float16Array ?? Uint16Array;
/** Whether float16 `data` is a Float16Array (Deno, Bun) or the raw bits in a Uint16Array (Node 20). */
const HAS_F16 = F16 !== Uint16Array;
const f16round: (x: number) => number = (Math as Any).f16round ?? f16roundNearestEven;

/** `Math.f16round` where the runtime lacks it (Node 20): round to nearest, ties to even. */
function f16roundNearestEven(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const a = Math.abs(x);
  if (a >= 65520) return Math.sign(x) * Infinity;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  const q = e < -14 ? 2 ** -24 : 2 ** (e - 10); // the spacing of float16 values near a
  const r = a / q; // exact: q is a power of two
  let n = Math.floor(r);
  if (r - n > 0.5 || (r - n === 0.5 && n % 2 === 1)) n++;
  return Math.sign(x) * n * q;
}

/** `x` rounded to the nearest value of a float dtype. */
function roundTo(d: DType, x: number): number {
  switch (d) {
    case "float32":
      return Math.fround(x);
    case "float16":
      return f16round(x);
    case "bfloat16":
      return bf16Value(bf16Bits(x));
    default:
      return x;
  }
}

const ARRAY: Record<DType, Any> = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  bool: Uint8Array,
  float16: F16,
  bfloat16: Uint16Array,
};

/** The TypedArray holding `vals` as `dtype`'s bytes. */
function typed(d: DType, vals: (number | bigint)[]): Any {
  if (d === "int64") return BigInt64Array.from(vals.map((v) => BigInt(v)));
  if (d === "bfloat16") return Uint16Array.from(vals.map((v) => bf16Bits(Number(v))));
  return ARRAY[d].from(vals.map(Number));
}
function fromB64(d: DType, b64: string): Any {
  const buf = Buffer.from(b64, "base64");
  const bytes = new Uint8Array(buf.length);
  bytes.set(buf);
  const size = d === "float64" || d === "int64"
    ? 8
    : d === "float32" || d === "int32"
    ? 4
    : d === "uint8" || d === "bool"
    ? 1
    : 2;
  return new ARRAY[d](bytes.buffer, 0, bytes.length / size);
}
function toB64(a: ArrayBufferView): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
}
function valuesOf(d: DType, arr: Any): number[] {
  const out: number[] = [];
  for (let i = 0; i < arr.length; i++) {
    out.push(
      d === "int64"
        ? Number(arr[i])
        : d === "bfloat16" || (d === "float16" && !HAS_F16 && arr instanceof Uint16Array)
        ? (d === "bfloat16" ? bf16Value(arr[i]) : f16ToNumber(arr[i]))
        : Number(arr[i]),
    );
  }
  return out;
}

// ---- running steps ----------------------------------------------------------------------------

/** A tensor the program holds: where it came from, and what it is. */
interface Entry {
  t: number;
  o: number;
  dtype: DType;
  shape: number[];
  tensor: Tensor;
}

function gcNow(): void {
  const gc = (globalThis as Any).gc ?? (globalThis as Any).Bun?.gc;
  if (typeof gc === "function") {
    if (runtime === "bun") gc(true);
    else gc();
  }
}

/** Whether this backend can adopt JS memory (the WebAssembly one copies instead: README "In the browser"). */
const ADOPTS = cb.native.backend === "native";

/** An adopted copy of `x` (copy: false) that nothing else references, for the async lifetime checks. */
function freshAdopted(x: Tensor): Tensor {
  const d = x.dtype;
  const c = x.clone(); // not x.data: a view of adopted memory has its own bug (see known_failures.ts)
  const src = c.data as Any;
  const copy = new ARRAY[d](src.length);
  copy.set(src);
  c.dispose();
  return cb.tensor(copy, { shape: x.shape, dtype: d, copy: !ADOPTS });
}

/**
 * Runs an async op; with `fresh`, on an adopted copy of the input that is dropped (and the heap
 * collected and churned) while the job runs and before the result is read.
 */
async function asyncOp(x: Tensor, fresh: boolean, f: (t: Tensor) => Promise<Tensor>): Promise<Tensor> {
  if (!fresh) return await f(x);
  let p: Promise<Tensor>;
  {
    const t = freshAdopted(x);
    p = f(t);
    t.dispose();
  }
  gcNow();
  const r = await p;
  for (let i = 0; i < 3; i++) {
    gcNow();
    await new Promise((res) => setTimeout(res, 0));
    const junk = new Uint8Array(Math.max(64, x.size * 8));
    junk.fill(0x5a);
  }
  return r;
}

function opts(kw: Record<string, Any>, keys: string[]): Any {
  const o: Record<string, Any> = {};
  let any = false;
  for (const k of keys) {
    if (k in kw) {
      o[k] = kw[k];
      any = true;
    }
  }
  return any ? o : undefined;
}
const axisArg = (kw: Record<string, Any>) => ("axis" in kw ? kw.axis : undefined);

type Out = Tensor | Tensor[] | { values: Tensor; indices: Tensor };
type Call = (a: Any[], kw: Record<string, Any>) => Out | Promise<Out>;

const REDUCE = REDUCE_AXES;

/** How each op is called. `a` holds the decoded arguments (tensors, numbers, values). */
const CALLS: Record<string, Call> = {
  input: (_a, kw) => {
    const arr = fromB64(kw.dtype, kw.b64);
    if (kw.mode === "nested") {
      const vals = valuesOf(kw.dtype, arr);
      const nest = (d: number, off: number): Any => {
        if (d === kw.shape.length) return vals[off];
        const stride = kw.shape.slice(d + 1).reduce((p: number, q: number) => p * q, 1);
        return Array.from({ length: kw.shape[d] }, (_, i) => nest(d + 1, off + i * stride));
      };
      return cb.tensor(nest(0, 0), { dtype: kw.dtype });
    }
    return cb.tensor(arr, { shape: kw.shape, dtype: kw.dtype, copy: kw.mode !== "adopt" || !ADOPTS });
  },
  ...Object.fromEntries(
    UNARY.map((
      n,
    ) => [
      n,
      (
        a: Any[],
        kw: Any,
      ) => (n === "gelu" && kw.approximate ? a[0].gelu({ approximate: kw.approximate }) : a[0][n]()),
    ]),
  ),
  ...Object.fromEntries(BINARY.map((n) => [n, (a: Any[]) => a[0][n](a[1])])),
  rsub: (a) => a[0].rsub(a[1]),
  rdiv: (a) => a[0].rdiv(a[1]),
  clamp: (a) => a[0].clamp(a[1], a[2]),
  where: (a) => cb.where(a[0], a[1], a[2]),
  ...Object.fromEntries(
    [...REDUCE, ...REDUCE_ARG].map((n) => [
      n,
      (a: Any[], kw: Any) => a[0][n](axisArg(kw), opts(kw, ["keepdims", "ddof"])),
    ]),
  ),
  cumsum: (a, kw) => a[0].cumsum(axisArg(kw)),
  cumprod: (a, kw) => a[0].cumprod(axisArg(kw)),
  softmax: (a, kw) => a[0].softmax(axisArg(kw)),
  logSoftmax: (a, kw) => a[0].logSoftmax(axisArg(kw)),
  matmul: (a, kw) => (kw.module ? cb.matmul(a[0], a[1]) : a[0].matmul(a[1])),
  dot: (a, kw) => (kw.module ? cb.dot(a[0], a[1]) : a[0].dot(a[1])),
  outer: (a, kw) => (kw.module ? cb.outer(a[0], a[1]) : a[0].outer(a[1])),
  transpose: (a, kw) => a[0].transpose(...(kw.axes ?? [])),
  permute: (a, kw) => a[0].permute(...kw.axes),
  slice: (a, kw) => a[0].slice(...kw.specs),
  expand: (a, kw) => a[0].expand(kw.shape),
  broadcastTo: (a, kw) => a[0].broadcastTo(kw.shape),
  reshape: (a, kw) => (kw.spread ? a[0].reshape(...kw.shape) : a[0].reshape(kw.shape)),
  flatten: (a, kw) => a[0].flatten(kw.start, kw.end),
  squeeze: (a, kw) => a[0].squeeze(axisArg(kw)),
  unsqueeze: (a, kw) => a[0].unsqueeze(kw.axis),
  flip: (a, kw) => a[0].flip(kw.axes),
  contiguous: (a) => a[0].contiguous(),
  clone: (a) => a[0].clone(),
  astype: (a, kw) => a[0].astype(kw.dtype),
  concat: (a, kw) => cb.concat(a[0], kw.axis),
  stack: (a, kw) => cb.stack(a[0], kw.axis),
  tile: (a, kw) => a[0].tile(kw.reps),
  repeat: (a, kw) => a[0].repeat(kw.n, kw.axis),
  pad: (a, kw) => a[0].pad(kw.widths, kw.value),
  tril: (a, kw) => a[0].tril(kw.k),
  triu: (a, kw) => a[0].triu(kw.k),
  indexSelect: (a, kw) => a[0].indexSelect(kw.axis, a[1]),
  take: (a, kw) => a[0].take(a[1], kw.axis),
  gather: (a, kw) => a[0].gather(kw.axis, a[1]),
  sort: (a, kw) => a[0].sort(axisArg(kw), opts(kw, ["descending"])),
  argsort: (a, kw) => a[0].argsort(axisArg(kw), opts(kw, ["descending"])),
  topk: (a, kw) => a[0].topk(kw.k, axisArg(kw), opts(kw, ["largest"])),
  split: (a, kw) => a[0].split(kw.sections, kw.axis),
  chunk: (a, kw) => a[0].chunk(kw.n, kw.axis),
  full: (a, kw) => cb.full(kw.shape, a[0], opts(kw, ["dtype"])),
  tensorNested: (_a, kw) => cb.tensor(decDeep(kw.data), opts(kw, ["dtype"])),
  arange: (_a, kw) => cb.arange(kw.start, kw.stop, kw.step, opts(kw, ["dtype"])),
  linspace: (_a, kw) => cb.linspace(kw.start, kw.stop, kw.num, opts(kw, ["dtype"])),
  eye: (_a, kw) => cb.eye(kw.n, kw.m, opts(kw, ["dtype", "k"])),
  zerosLike: (a, kw) => cb.zerosLike(a[0], opts(kw, ["dtype"])),
  onesLike: (a, kw) => cb.onesLike(a[0], opts(kw, ["dtype"])),
  fullLike: (a, kw) => cb.fullLike(a[0], a[1], opts(kw, ["dtype"])),
  assign: (a, kw) => {
    const y = a[0].clone();
    const v = y.slice(...kw.specs);
    try {
      v.assign(a[1]);
    } catch (e) {
      y.dispose();
      throw e;
    } finally {
      v.dispose();
    }
    return y;
  },
  addAsync: (a, kw) => asyncOp(a[0], kw.fresh, (t) => t.addAsync(a[1])),
  subAsync: (a, kw) => asyncOp(a[0], kw.fresh, (t) => t.subAsync(a[1])),
  mulAsync: (a, kw) => asyncOp(a[0], kw.fresh, (t) => t.mulAsync(a[1])),
  divAsync: (a, kw) => asyncOp(a[0], kw.fresh, (t) => t.divAsync(a[1])),
  matmulAsync: (a, kw) => asyncOp(a[0], kw.fresh, (t) => t.matmulAsync(a[1])),
  expAsync: (a, kw) => asyncOp(a[0], kw.fresh, (t) => t.expAsync()),
  tanhAsync: (a, kw) => asyncOp(a[0], kw.fresh, (t) => t.tanhAsync()),
  sumAsync: (a, kw) => asyncOp(a[0], kw.fresh, (t) => t.sumAsync(axisArg(kw), opts(kw, ["keepdims"]))),
  meanAsync: (a, kw) => asyncOp(a[0], kw.fresh, (t) => t.meanAsync(axisArg(kw), opts(kw, ["keepdims"]))),
  maxAsync: (a, kw) => asyncOp(a[0], kw.fresh, (t) => t.maxAsync(axisArg(kw), opts(kw, ["keepdims"]))),
  astypeAsync: (a, kw) => asyncOp(a[0], kw.fresh, (t) => t.astypeAsync(kw.dtype)),
  contiguousAsync: (a, kw) => asyncOp(a[0], kw.fresh, (t) => t.contiguousAsync()),
};

/** The ops the generator may emit (every key of CALLS but `input`). */
export const OP_NAMES = Object.keys(CALLS).filter((k) => k !== "input");

function outList(o: Out): Tensor[] {
  if (o instanceof cb.Tensor) return [o];
  if (Array.isArray(o)) return o;
  return [o.values, o.indices];
}

function same(x: number, y: number): boolean {
  return Object.is(x, y) || x === y || (Number.isNaN(x) && Number.isNaN(y));
}

/**
 * Reads a result: dtype, shape and the row-major bytes, taken from a `clone()` (a fresh native copy,
 * so a bug in the zero-copy paths cannot corrupt what the oracle sees); then checks `t.data` (the
 * zero-copy view) and `t.toArray()` against those bytes and notes where they disagree.
 */
function record(t: Tensor, checkViews = true): Rec {
  const dtype = t.dtype;
  const shape = t.shape;
  const c = t.clone();
  let b64: string;
  let ref: number[];
  try {
    const raw = c.data as Any;
    b64 = toB64(raw);
    ref = valuesOf(dtype, raw);
  } finally {
    c.dispose();
  }
  const rec: Rec = { dtype, shape, b64 };
  if (!checkViews) return rec;
  try {
    const vals = valuesOf(dtype, t.data as Any);
    if (vals.length !== ref.length) rec.note = `data has ${vals.length} elements, the tensor ${ref.length}`;
    else {
      const i = vals.findIndex((v, k) => !same(v, ref[k]));
      if (i >= 0) rec.note = `data[${i}] = ${vals[i]} but the element is ${ref[i]}`;
    }
  } catch (e) {
    rec.note = `data threw ${(e as Error)?.name}: ${(e as Error)?.message}`;
  }
  if (rec.note === undefined) {
    try {
      const flat: number[] = [];
      const walk = (x: Any) => (Array.isArray(x) ? x.forEach(walk) : flat.push(x));
      walk(t.toArray());
      if (flat.length !== ref.length) {
        rec.note = `toArray() has ${flat.length} elements, the tensor ${ref.length}`;
      } else {
        const i = flat.findIndex((v, k) => !same(v, ref[k]));
        if (i >= 0) rec.note = `toArray()[${i}] = ${flat[i]} but the element is ${ref[i]}`;
      }
    } catch (e) {
      rec.note = `toArray threw ${(e as Error)?.name}: ${(e as Error)?.message}`;
    }
  }
  return rec;
}

/** Runs steps, keeps their tensors, records their results. */
export class Runner {
  steps: Step[] = [];
  res: Res[] = [];
  pool: Entry[] = [];
  #outs: (Tensor[] | null)[] = [];
  /** Called with each step before it runs (the crash trail). */
  constructor(readonly onStep?: (s: Step) => void) {}

  #arg(x: Arg): Any {
    if ("t" in x) {
      const outs = this.#outs[x.t];
      const t = outs?.[x.o ?? 0];
      if (t === undefined) throw new Error(`fuzz: step ${x.t} has no output ${x.o ?? 0}`);
      return t;
    }
    if ("n" in x) return decNum(x.n);
    if ("ts" in x) return x.ts.map((r) => this.#arg(r));
    return x.v;
  }

  /** Runs one step and records it; its outputs join the pool. */
  async exec(step: Step): Promise<Res> {
    const j = this.steps.length;
    this.steps.push(step);
    this.onStep?.(step);
    let res: Res;
    let outs: Tensor[] | null = null;
    try {
      const call = CALLS[step.op];
      if (call === undefined) throw new Error(`fuzz: unknown op ${step.op}`);
      const o = await call(step.a.map((x) => this.#arg(x)), step.kw);
      outs = outList(o);
      // NOTE: no zero-copy views of a result that may sit on freed memory (the `fresh` async
      // steps): mapping it would leave a stale buffer cached for the address and poison later cases.
      res = { ok: outs.map((t) => record(t, !step.kw.fresh)) };
    } catch (e) {
      const err = e as Any;
      res = {
        err: {
          name: err?.constructor?.name === "CobaltError" ? "CobaltError" : String(err?.name ?? typeof err),
          code: err?.code,
          msg: String(err?.message ?? err).slice(0, 400),
        },
      };
    }
    this.res.push(res);
    this.#outs.push(outs);
    // The result of an async op on a dropped adopted input may read freed memory (a known bug):
    // keep it out of later steps, whose inputs must stay what was recorded.
    if (outs && !step.kw.fresh) {
      outs.forEach((t, o) => {
        this.pool.push({ t: j, o, dtype: t.dtype, shape: t.shape, tensor: t });
      });
    }
    return res;
  }

  /** Disposes every tensor the program made. */
  dispose(): void {
    for (const outs of this.#outs) for (const t of outs ?? []) t.dispose();
  }
}

// ---- JS repro ---------------------------------------------------------------------------------

function numCode(x: number): string {
  return Object.is(x, -0) ? "-0" : String(x);
}
function valCode(v: Any): string {
  if (v === undefined) return "undefined";
  if (typeof v === "number") return numCode(v);
  if (Array.isArray(v)) return `[${v.map(valCode).join(", ")}]`;
  if (v !== null && typeof v === "object") {
    return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${valCode(x)}`).join(", ")} }`;
  }
  return JSON.stringify(v);
}

/** The JS source of a program: one `const vN = ...;` per step, runnable after `import * as cb`. */
export function programCode(steps: Step[]): string {
  const ref = (x: { t: number; o?: number }) => {
    const s = steps[x.t];
    const o = x.o ?? 0;
    if (s.op === "sort" || s.op === "topk") return `v${x.t}.${o === 0 ? "values" : "indices"}`;
    if (s.op === "split" || s.op === "chunk") return `v${x.t}[${o}]`;
    return `v${x.t}`;
  };
  const arg = (x: Arg): string => {
    if ("t" in x) return ref(x);
    if ("n" in x) return numCode(decNum(x.n));
    if ("ts" in x) return `[${x.ts.map(ref).join(", ")}]`;
    return valCode(x.v);
  };
  const lines = steps.map((s, j) => {
    const a = s.a.map(arg);
    const kw = s.kw;
    const o = (keys: string[]) => {
      const v = opts(kw, keys);
      return v === undefined ? [] : [valCode(v)];
    };
    const args = (...xs: string[]) => {
      while (xs.length && xs[xs.length - 1] === "undefined") xs.pop();
      return xs.join(", ");
    };
    const ax = "axis" in kw ? valCode(kw.axis) : "undefined";
    let e: string;
    switch (s.op) {
      case "input": {
        const vals = valuesOf(kw.dtype, fromB64(kw.dtype, kw.b64));
        if (kw.mode === "nested") {
          const nest = (d: number, off: number): Any => {
            if (d === kw.shape.length) return vals[off];
            const stride = kw.shape.slice(d + 1).reduce((p: number, q: number) => p * q, 1);
            return Array.from({ length: kw.shape[d] }, (_, i) => nest(d + 1, off + i * stride));
          };
          e = `cb.tensor(${valCode(nest(0, 0))}, { dtype: "${kw.dtype}" })`;
          break;
        }
        const raw = fromB64(kw.dtype, kw.b64);
        const items = kw.dtype === "int64"
          ? Array.from(raw as BigInt64Array, (b) => `${b}n`)
          : kw.dtype === "bfloat16"
          ? Array.from(raw as Uint16Array, (b) => `0x${b.toString(16)}`)
          : vals.map(numCode);
        const ctor = kw.dtype === "float16" ? "Float16Array" : ARRAY[kw.dtype as DType].name;
        e = `cb.tensor(new ${ctor}([${items.join(", ")}]), { shape: ${
          valCode(kw.shape)
        }, dtype: "${kw.dtype}"${kw.mode === "adopt" ? ", copy: false" : ""} })`;
        break;
      }
      case "where":
        e = `cb.where(${a.join(", ")})`;
        break;
      case "matmul":
      case "dot":
      case "outer":
        e = kw.module ? `cb.${s.op}(${a.join(", ")})` : `${a[0]}.${s.op}(${a[1]})`;
        break;
      case "gelu":
        e = `${a[0]}.gelu(${kw.approximate ? `{ approximate: "${kw.approximate}" }` : ""})`;
        break;
      case "transpose":
      case "permute":
        e = `${a[0]}.${s.op}(${(kw.axes ?? []).map(valCode).join(", ")})`;
        break;
      case "slice":
        e = `${a[0]}.slice(${kw.specs.map(valCode).join(", ")})`;
        break;
      case "reshape":
        e = `${a[0]}.reshape(${kw.spread ? kw.shape.map(valCode).join(", ") : valCode(kw.shape)})`;
        break;
      case "expand":
      case "broadcastTo":
        e = `${a[0]}.${s.op}(${valCode(kw.shape)})`;
        break;
      case "flatten":
        e = `${a[0]}.flatten(${args(valCode(kw.start), valCode(kw.end))})`;
        break;
      case "unsqueeze":
        e = `${a[0]}.unsqueeze(${valCode(kw.axis)})`;
        break;
      case "flip":
        e = `${a[0]}.flip(${args(valCode(kw.axes))})`;
        break;
      case "astype":
        e = `${a[0]}.astype("${kw.dtype}")`;
        break;
      case "concat":
      case "stack":
        e = `cb.${s.op}(${args(a[0], valCode(kw.axis))})`;
        break;
      case "tile":
        e = `${a[0]}.tile(${valCode(kw.reps)})`;
        break;
      case "repeat":
        e = `${a[0]}.repeat(${args(valCode(kw.n), valCode(kw.axis))})`;
        break;
      case "pad":
        e = `${a[0]}.pad(${args(valCode(kw.widths), valCode(kw.value))})`;
        break;
      case "tril":
      case "triu":
        e = `${a[0]}.${s.op}(${args(valCode(kw.k))})`;
        break;
      case "indexSelect":
      case "gather":
        e = `${a[0]}.${s.op}(${valCode(kw.axis)}, ${a[1]})`;
        break;
      case "take":
        e = `${a[0]}.take(${args(a[1], valCode(kw.axis))})`;
        break;
      case "sort":
      case "argsort":
        e = `${a[0]}.${s.op}(${args(ax, ...o(["descending"]))})`;
        break;
      case "topk":
        e = `${a[0]}.topk(${args(valCode(kw.k), ax, ...o(["largest"]))})`;
        break;
      case "split":
        e = `${a[0]}.split(${args(valCode(kw.sections), valCode(kw.axis))})`;
        break;
      case "chunk":
        e = `${a[0]}.chunk(${args(valCode(kw.n), valCode(kw.axis))})`;
        break;
      case "full":
        e = `cb.full(${valCode(kw.shape)}, ${args(a[0], ...o(["dtype"]))})`;
        break;
      case "tensorNested":
        e = `cb.tensor(${valCode(decDeep(kw.data))}${"dtype" in kw ? `, { dtype: "${kw.dtype}" }` : ""})`;
        break;
      case "arange":
        e = `cb.arange(${args(valCode(kw.start), valCode(kw.stop), valCode(kw.step), ...o(["dtype"]))})`;
        break;
      case "linspace":
        e = `cb.linspace(${args(valCode(kw.start), valCode(kw.stop), valCode(kw.num), ...o(["dtype"]))})`;
        break;
      case "eye":
        e = `cb.eye(${args(valCode(kw.n), valCode(kw.m), ...o(["dtype", "k"]))})`;
        break;
      case "zerosLike":
      case "onesLike":
        e = `cb.${s.op}(${args(a[0], ...o(["dtype"]))})`;
        break;
      case "fullLike":
        e = `cb.fullLike(${args(a[0], a[1], ...o(["dtype"]))})`;
        break;
      case "assign":
        e = `${a[0]}.clone(); v${j}.slice(${kw.specs.map(valCode).join(", ")}).assign(${a[1]})`;
        break;
      case "clamp":
        e = `${a[0]}.clamp(${a.slice(1).join(", ")})`;
        break;
      case "squeeze":
      case "cumsum":
      case "cumprod":
      case "softmax":
      case "logSoftmax":
        e = `${a[0]}.${s.op}(${args(ax)})`;
        break;
      default:
        if (s.op.endsWith("Async")) {
          const base = s.op;
          const inner = base === "astypeAsync"
            ? `"${kw.dtype}"`
            : ["sumAsync", "meanAsync", "maxAsync"].includes(base)
            ? args(ax, ...o(["keepdims"]))
            : a.slice(1).join(", ");
          const recv = kw.fresh
            ? `cb.tensor(${a[0]}.data.slice(), { shape: ${a[0]}.shape, dtype: ${a[0]}.dtype, copy: false })`
            : a[0];
          e = `await ${recv}.${base}(${inner})${kw.fresh ? " /* then drop the input, GC, read */" : ""}`;
        } else if ([...REDUCE, ...REDUCE_ARG].includes(s.op as Any)) {
          e = `${a[0]}.${s.op}(${args(ax, ...o(["keepdims", "ddof"]))})`;
        } else e = `${a[0]}.${s.op}(${a.slice(1).join(", ")})`;
    }
    return `const v${j} = ${e};`;
  });
  return lines.join(" ");
}

// ---- generation -------------------------------------------------------------------------------

const MAX_SIZE = 96;
const size = (s: number[]) => s.reduce((p, q) => p * q, 1);

function randShape(rng: Rng, maxNd = 4): number[] {
  // now and then a long row: vectorised kernels take over past a few dozen elements
  if (rng.chance(0.1)) {
    return maxNd >= 2 && rng.chance(0.3) ? [rng.range(1, 2), rng.range(17, 48)] : [rng.range(17, MAX_SIZE)];
  }
  const nd = Math.min(maxNd, Number(rng.weighted({ 0: 1, 1: 3, 2: 4, 3: 2, 4: 1 })));
  const zero = rng.chance(0.05);
  for (;;) {
    const s = Array.from({ length: nd }, () => rng.pick([1, 2, 3, 4, 5, 1, 2, 3, 6, 7]));
    if (zero && nd > 0) s[rng.int(nd)] = 0;
    if (size(s) <= MAX_SIZE) return s;
  }
}

/** A shape that broadcasts with `s` (rarely one that does not). */
function partnerShape(rng: Rng, s: number[]): number[] {
  const kind = rng.weighted({ same: 40, suffix: 14, ones: 18, prepend: 8, scalar: 7, grow: 6, bad: 4 });
  switch (kind) {
    case "same":
      return [...s];
    case "suffix":
      return s.slice(rng.int(s.length + 1));
    case "ones":
      return s.map((d) => (rng.chance(0.5) ? 1 : d));
    case "prepend":
      return s.length < 4 ? [rng.range(1, 3), ...s] : [...s];
    case "scalar":
      return [];
    case "grow":
      return s.map((d) => (d === 1 && rng.chance(0.7) ? rng.range(2, 3) : d));
    default: {
      if (s.length === 0) return [2];
      const t = [...s];
      const i = rng.int(t.length);
      t[i] = t[i] === 2 ? 3 : 2;
      return t;
    }
  }
}

const NICE_NUMS = [0, 1, 2, 3, -1, -2, 0.5, -0.25, 1.5, 2.5, 4, 7, -3, 0.75];
const ODD_NUMS = [
  -0,
  NaN,
  Infinity,
  -Infinity,
  0.1,
  1e-3,
  1e10,
  -1e10,
  255,
  256,
  300,
  -129,
  127,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  2 ** 53,
  65504,
  70000,
  1e300,
  3.3e38,
];
function randNum(rng: Rng): number {
  return rng.chance(0.8) ? rng.pick(NICE_NUMS) : rng.pick(ODD_NUMS);
}

const MAXF: Record<string, number> = {
  float32: 3.4028234663852886e38,
  float64: Number.MAX_VALUE,
  float16: 65504,
  bfloat16: 3.3895313892515355e38,
};

/** Element values for a new input (exactly representable in `d`). */
function randValues(rng: Rng, d: DType, n: number): (number | bigint)[] {
  if (d === "bool") return Array.from({ length: n }, () => (rng.chance(0.5) ? 1 : 0));
  if (d === "uint8") {
    const wide = rng.chance(0.3);
    return Array.from({ length: n }, () => (wide ? rng.int(256) : rng.int(11)));
  }
  if (d === "int32" || d === "int64") {
    const p = rng.weighted({ small: 70, wide: 20, edge: 10 });
    const lim = d === "int32" ? 2 ** 31 : 2 ** 62;
    return Array.from({ length: n }, () => {
      if (p === "small" || rng.chance(0.3)) {
        return d === "int64" ? BigInt(rng.range(-8, 8)) : rng.range(-8, 8);
      }
      if (p === "wide") {
        const v = Math.floor((rng.next() * 2 - 1) * lim);
        return d === "int64" ? BigInt(v) : v;
      }
      if (d === "int64") {
        return rng.pick([2n ** 63n - 1n, -(2n ** 63n), 2n ** 40n, -(2n ** 40n), 2n ** 53n + 1n, 2n ** 31n]);
      }
      return rng.pick([2 ** 31 - 1, -(2 ** 31), 2 ** 30, -(2 ** 30) - 7, 65536]);
    });
  }
  const p = rng.weighted({ nice: 60, unit: 15, wide: 10, special: 15 });
  return Array.from({ length: n }, () => {
    let x: number;
    if (p === "nice" || (p === "special" && rng.chance(0.7))) x = rng.range(-32, 32) / 4;
    else if (p === "unit") x = rng.next() * 2 - 1;
    else if (p === "wide") {
      const lim = d === "float16" ? 4.5 : 30;
      x = (rng.chance(0.5) ? -1 : 1) * 10 ** ((rng.next() * 2 - 1) * lim);
    } else x = rng.pick([NaN, Infinity, -Infinity, -0, 0, MAXF[d], -MAXF[d], 1e-30, -1e-7]);
    return roundTo(d, x);
  });
}

/** What the generator knows of a tensor it may use. */
interface Slot {
  t: number;
  o: number;
  dtype: DType;
  shape: number[];
}

/** Builds one op step (plus the inputs it needs) for the current pool. */
class Gen {
  pending: Step[] = [];
  constructor(readonly rng: Rng, readonly base: number) {}

  /** A new input step; returns its slot. */
  input(d: DType, shape: number[], mode?: string): Slot {
    const rng = this.rng;
    const vals = randValues(rng, d, size(shape));
    const safe = d !== "int64" ||
      vals.every((v) => Number.isSafeInteger(Number(v)) && BigInt(Number(v)) === v);
    const m = mode ??
      rng.weighted({ copy: 70, adopt: 20, nested: safe && shape.length > 0 && size(shape) > 0 ? 10 : 0 });
    const step: Step = {
      op: "input",
      a: [],
      kw: { dtype: d, shape, mode: m, b64: toB64(typed(d, vals)) },
    };
    this.pending.push(step);
    return { t: this.base + this.pending.length - 1, o: 0, dtype: d, shape };
  }

  dtype(): DType {
    return this.rng.pick(DTYPES);
  }
  /** The same dtype half of the time, else any. */
  near(d: DType): DType {
    return this.rng.chance(0.5) ? d : this.dtype();
  }
  /** A tensor operand broadcasting with `x`: from the pool when one fits, else a new input. */
  partner(x: Slot, pool: Slot[], dtype?: DType): Slot {
    const rng = this.rng;
    if (rng.chance(0.3)) {
      const fits = pool.filter((p) => p !== x && broadcastable(p.shape, x.shape));
      if (fits.length) return rng.pick(fits);
    }
    return this.input(dtype ?? this.near(x.dtype), partnerShape(rng, x.shape));
  }
  /** A number or a tensor operand. */
  operand(x: Slot, pool: Slot[], pNum = 0.4): Arg {
    if (this.rng.chance(pNum)) return { n: encNum(randNum(this.rng)) };
    const p = this.partner(x, pool);
    return { t: p.t, o: p.o };
  }
  axis(nd: number): number {
    const rng = this.rng;
    if (rng.chance(0.03)) return rng.pick([nd, -nd - 1, 7]);
    if (nd === 0) return rng.pick([0, -1]);
    return rng.range(-nd, nd - 1);
  }
  /** null, one axis or a list of axes (rarely a bad one). */
  axes(nd: number): Any {
    const rng = this.rng;
    const k = rng.weighted({ none: 25, one: 45, list: 25, bad: 5 });
    if (k === "none") return null;
    if (k === "one") return this.axis(nd);
    if (k === "bad") return nd > 0 ? [0, -nd] : [1];
    const p = rng.perm(nd).slice(0, rng.int(nd + 1));
    return p.map((a) => (rng.chance(0.3) ? a - nd : a));
  }
}

function broadcastable(a: number[], b: number[]): boolean {
  for (let i = 1; i <= Math.min(a.length, b.length); i++) {
    const x = a[a.length - i], y = b[b.length - i];
    if (x !== y && x !== 1 && y !== 1) return false;
  }
  return true;
}

const t0 = (x: Slot): Arg => ({ t: x.t, o: x.o });

function sliceSpecs(rng: Rng, shape: number[]): Any[] {
  const n = rng.int(shape.length + 1);
  const specs: Any[] = [];
  for (let d = 0; d < n; d++) {
    const m = shape[d];
    const k = rng.weighted({ index: 20, all: 20, range: 45, text: 10, bad: 2 });
    if (k === "index") specs.push(m > 0 ? rng.range(-m, m - 1) : null);
    else if (k === "all") specs.push(null);
    else if (k === "bad") specs.push(m + rng.int(3));
    else {
      const b = rng.chance(0.3) ? null : rng.range(-m - 1, m + 1);
      const e = rng.chance(0.3) ? null : rng.range(-m - 1, m + 1);
      const st = rng.pick([null, 1, 2, 3, -1, -2, null, 1]);
      if (k === "range") specs.push([b, e, st]);
      else specs.push(`${b ?? ""}:${e ?? ""}${st === null ? "" : ":" + st}`);
    }
  }
  if (rng.chance(0.08) && specs.length < shape.length) specs.splice(rng.int(specs.length + 1), 0, "...");
  return specs;
}

type GenFn = (g: Gen, x: Slot, pool: Slot[]) => Step | null;

const st = (op: string, a: Arg[], kw: Record<string, Any> = {}): Step => ({ op, a, kw });

const GENS: Record<string, [number, GenFn]> = {
  unary: [20, (g, x) => {
    const op = g.rng.pick(UNARY);
    if (op === "gelu" && g.rng.chance(0.4)) {
      return st(op, [t0(x)], { approximate: g.rng.pick(["tanh", "none"]) });
    }
    return st(op, [t0(x)]);
  }],
  binary: [26, (g, x, pool) => {
    const op = g.rng.pick(BINARY);
    return st(op, [t0(x), g.operand(x, pool)]);
  }],
  rscalar: [2, (g, x) => st(g.rng.pick(["rsub", "rdiv"]), [t0(x), { n: encNum(randNum(g.rng)) }])],
  clamp: [3, (g, x, pool) => {
    const rng = g.rng;
    const side = (): Arg => (rng.chance(0.25) ? { v: null } : g.operand(x, pool, 0.7));
    let lo = side(), hi = side();
    if ("v" in lo && "v" in hi) lo = { n: -1 };
    if ("n" in lo && "n" in hi && rng.chance(0.8)) {
      const [a, b] = [decNum(lo.n), decNum(hi.n)].sort((p, q) => p - q);
      lo = { n: encNum(a) };
      hi = { n: encNum(b) };
    }
    return st("clamp", [t0(x), lo, hi]);
  }],
  where: [4, (g, x, pool) => {
    const rng = g.rng;
    const cond = g.input(rng.chance(0.9) ? "bool" : g.dtype(), partnerShape(rng, x.shape));
    const other = g.operand(x, pool, 0.4);
    const args: Arg[] = rng.chance(0.5) ? [t0(x), other] : [other, t0(x)];
    if (rng.chance(0.04)) args[0] = { n: encNum(randNum(rng)) }, args[1] = { n: encNum(randNum(rng)) };
    return st("where", [t0(cond), ...args]);
  }],
  reduce: [12, (g, x) => {
    const rng = g.rng;
    const op = rng.pick(REDUCE);
    const kw: Record<string, Any> = {};
    if (rng.chance(0.85)) kw.axis = g.axes(x.shape.length);
    if (rng.chance(0.5)) kw.keepdims = rng.chance(0.5);
    if ((op === "var" || op === "std") && rng.chance(0.5)) kw.ddof = rng.pick([0, 1, 1, 2]);
    return st(op, [t0(x)], kw);
  }],
  arg: [3, (g, x) => {
    const rng = g.rng;
    const kw: Record<string, Any> = {};
    if (rng.chance(0.7)) kw.axis = rng.chance(0.3) ? null : g.axis(x.shape.length);
    if (rng.chance(0.4)) kw.keepdims = rng.chance(0.5);
    return st(rng.pick(["argmax", "argmin"]), [t0(x)], kw);
  }],
  scan: [6, (g, x) => {
    const rng = g.rng;
    const op = rng.pick(["cumsum", "cumprod", "softmax", "logSoftmax"]);
    const kw: Record<string, Any> = {};
    if (rng.chance(0.8)) kw.axis = op.startsWith("cum") && rng.chance(0.3) ? null : g.axis(x.shape.length);
    return st(op, [t0(x)], kw);
  }],
  linalg: [6, (g, x) => {
    const rng = g.rng;
    const op = rng.weighted({ matmul: 6, dot: 2, outer: 1 });
    const s = x.shape;
    let ps: number[];
    if (op === "outer") ps = randShape(rng, 2);
    else {
      const k = s.length === 0 ? rng.range(1, 3) : s.length === 1 ? s[0] : s[s.length - 1];
      const n = rng.range(0, 5) || 1;
      const kind = rng.weighted({ vec: 2, mat: 5, batch: 2, bad: 1 });
      ps = kind === "vec"
        ? [k]
        : kind === "mat"
        ? [k, n]
        : kind === "batch"
        ? [rng.range(1, 3), k, n]
        : [k + 1, n];
    }
    const y = g.input(rng.chance(0.7) ? x.dtype : g.dtype(), ps);
    return st(op, [t0(x), t0(y)], rng.chance(0.3) ? { module: true } : {});
  }],
  view: [16, (g, x) => {
    const rng = g.rng;
    const s = x.shape, nd = s.length;
    const op = rng.weighted({
      transpose: 3,
      permute: 2,
      slice: 5,
      expand: 2,
      broadcastTo: 1,
      reshape: 3,
      flatten: 1,
      squeeze: 1,
      unsqueeze: 1,
      flip: 2,
      contiguous: 1,
      clone: 1,
    });
    switch (op) {
      case "transpose":
        return st(op, [t0(x)], rng.chance(0.3) && nd > 0 ? { axes: rng.perm(nd) } : {});
      case "permute":
        return st(op, [t0(x)], { axes: rng.perm(nd).map((a) => (rng.chance(0.3) ? a - nd : a)) });
      case "slice":
        return st(op, [t0(x)], { specs: sliceSpecs(rng, s) });
      case "expand":
      case "broadcastTo": {
        const shape = s.map((d) => (d === 1 ? rng.range(1, 3) : rng.chance(0.2) ? -1 : d));
        if (rng.chance(0.3) && nd < 4) shape.unshift(rng.range(1, 3));
        if (rng.chance(0.04) && nd > 0) shape[shape.length - 1] += 1;
        return st(op, [t0(x)], { shape });
      }
      case "reshape": {
        let n = size(s);
        const dims: number[] = [];
        while (n > 1 && dims.length < 3) {
          const divs = [2, 3, 5, 7].filter((p) => n % p === 0);
          const p = rng.pick(divs) * (rng.chance(0.3) ? 2 : 1);
          const d = n % p === 0 ? p : n;
          dims.push(d);
          n /= d;
        }
        if (n !== 1 || dims.length === 0) dims.push(n);
        const shape = rng.perm(dims.length).map((i) => dims[i]);
        if (rng.chance(0.3) && shape.length) shape[rng.int(shape.length)] = -1;
        if (rng.chance(0.04)) shape.push(2);
        return st(op, [t0(x)], { shape, spread: rng.chance(0.3) });
      }
      case "flatten":
        return st(op, [t0(x)], nd ? { start: rng.range(0, nd - 1), end: rng.chance(0.5) ? -1 : nd - 1 } : {});
      case "squeeze": {
        const ones = s.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
        if (rng.chance(0.5)) return st(op, [t0(x)]);
        return st(op, [t0(x)], { axis: ones.length && rng.chance(0.9) ? rng.pick(ones) : g.axis(nd) });
      }
      case "unsqueeze":
        return st(op, [t0(x)], { axis: g.axis(nd + 1) });
      case "flip":
        return st(
          op,
          [t0(x)],
          rng.chance(0.4) || nd === 0
            ? {}
            : { axes: rng.chance(0.5) ? g.axis(nd) : rng.perm(nd).slice(0, rng.range(1, nd)) },
        );
      default:
        return st(op, [t0(x)]);
    }
  }],
  astype: [6, (g, x) => st("astype", [t0(x)], { dtype: g.dtype() })],
  join: [3, (g, x) => {
    const rng = g.rng;
    const stack = rng.chance(0.3);
    const nd = x.shape.length;
    if (nd === 0 && !stack) return null;
    const axis = stack ? g.axis(nd + 1) : g.axis(nd);
    const k = rng.range(0, 2);
    const parts = [t0(x) as { t: number; o?: number }];
    for (let i = 0; i < k; i++) {
      const s = [...x.shape];
      if (!stack) {
        const a = axis < 0 ? axis + nd : axis;
        if (a >= 0 && a < nd) s[a] = rng.range(0, 3);
      }
      const y = g.input(g.near(x.dtype), s);
      parts.push(t0(y) as { t: number; o?: number });
    }
    if (rng.chance(0.5)) parts.reverse();
    return st(stack ? "stack" : "concat", [{ ts: parts }], rng.chance(0.2) && axis === 0 ? {} : { axis });
  }],
  copies: [5, (g, x) => {
    const rng = g.rng;
    const nd = x.shape.length;
    const op = rng.weighted({ tile: 1, repeat: 1, pad: 1, tril: 1, triu: 1 });
    if (op === "tile") {
      return st(op, [t0(x)], {
        reps: rng.chance(0.3)
          ? rng.range(0, 3)
          : Array.from({ length: rng.range(1, 3) }, () => rng.range(0, 3)),
      });
    }
    if (op === "repeat") {
      const kw: Record<string, Any> = { n: rng.range(0, 3) };
      if (rng.chance(0.6)) kw.axis = g.axis(nd);
      return st(op, [t0(x)], kw);
    }
    if (op === "pad") {
      const w = () => rng.range(0, 2);
      const widths = rng.chance(0.3) ? w() : rng.chance(0.3) ? [w(), w()] : x.shape.map(() => [w(), w()]);
      const kw: Record<string, Any> = { widths };
      if (rng.chance(0.5)) kw.value = rng.pick([0, 1, -2, 0.5]);
      return st(op, [t0(x)], kw);
    }
    return st(op, [t0(x)], rng.chance(0.6) ? { k: rng.range(-2, 2) } : {});
  }],
  index: [5, (g, x) => {
    const rng = g.rng;
    const s = x.shape, nd = s.length;
    const op = rng.weighted({ indexSelect: 2, take: 2, gather: 2 });
    if (nd === 0) return null;
    const axis = g.axis(nd);
    const a = axis < -nd || axis >= nd ? 0 : axis < 0 ? axis + nd : axis;
    const n = op === "take" && rng.chance(0.4) ? size(s) : s[a];
    const idx = (count: number) =>
      Array.from(
        { length: count },
        () => (rng.chance(0.03) ? n + rng.int(3) : n > 0 ? rng.range(op === "gather" ? 0 : -n, n - 1) : 0),
      );
    if (op === "gather") {
      const shape = s.map((d, i) => (i === a ? rng.range(0, 3) : rng.range(Math.min(1, d), d)));
      const dt = rng.chance(0.8) ? "int64" : "int32";
      const vals = idx(size(shape));
      const step: Step = {
        op: "input",
        a: [],
        kw: { dtype: dt, shape, mode: "copy", b64: toB64(typed(dt, vals)) },
      };
      g.pending.push(step);
      return st(op, [t0(x), { t: g.base + g.pending.length - 1 }], { axis });
    }
    const count = rng.range(0, 4);
    const vals = idx(count);
    let arg: Arg = { v: vals };
    if (rng.chance(0.4)) {
      const dt = rng.pick(["int32", "int64"] as DType[]);
      g.pending.push({
        op: "input",
        a: [],
        kw: { dtype: dt, shape: [count], mode: "copy", b64: toB64(typed(dt, vals)) },
      });
      arg = { t: g.base + g.pending.length - 1 };
    }
    const kw: Record<string, Any> = {};
    if (op === "indexSelect" || n === s[a] && rng.chance(0.8)) kw.axis = axis;
    return st(op, [t0(x), arg], kw);
  }],
  sort: [5, (g, x) => {
    const rng = g.rng;
    const nd = x.shape.length;
    const op = rng.weighted({ sort: 2, argsort: 2, topk: 1 });
    const kw: Record<string, Any> = {};
    if (rng.chance(0.6)) kw.axis = g.axis(nd);
    const a = "axis" in kw ? kw.axis : -1;
    const n = nd === 0 ? 1 : x.shape[((a % nd) + nd) % nd] ?? 1;
    if (op === "topk") {
      kw.k = rng.chance(0.05) ? n + 1 : rng.range(0, n);
      if (rng.chance(0.5)) kw.largest = rng.chance(0.5);
      if (!("axis" in kw)) kw.axis = -1;
    } else if (rng.chance(0.5)) kw.descending = rng.chance(0.5);
    return st(op, [t0(x)], kw);
  }],
  split: [2, (g, x) => {
    const rng = g.rng;
    const nd = x.shape.length;
    if (nd === 0) return null;
    const axis = g.axis(nd);
    const n = x.shape[((axis % nd) + nd) % nd] ?? 1;
    if (rng.chance(0.5)) return st("chunk", [t0(x)], { n: rng.range(1, 4), axis });
    const divs = [1, 2, 3, 4].filter((k) => n % k === 0);
    const sections = rng.chance(0.5)
      ? rng.pick(divs)
      : Array.from({ length: rng.range(1, 3) }, () => rng.range(-1, n + 1));
    return st("split", [t0(x)], { sections, axis });
  }],
  create: [4, (g, x) => {
    const rng = g.rng;
    const op = rng.weighted({
      full: 2,
      tensorNested: 2,
      arange: 2,
      linspace: 1,
      eye: 1,
      zerosLike: 1,
      onesLike: 1,
      fullLike: 1,
    });
    const kw: Record<string, Any> = {};
    if (rng.chance(0.85)) kw.dtype = g.dtype();
    const d: DType = kw.dtype ?? "float32";
    const value = () => {
      if (isFloat(d) || rng.chance(0.7)) {
        return rng.chance(0.8)
          ? rng.pick(NICE_NUMS)
          : rng.pick([300, -1, 256, 2 ** 31, -(2 ** 31) - 1, 2 ** 40, 1.5, 0.5, 65504, 1e6]);
      }
      return rng.pick(NICE_NUMS);
    };
    switch (op) {
      case "full":
        return st(op, [{ n: encNum(value()) }], { ...kw, shape: randShape(rng, 3) });
      case "zerosLike":
      case "onesLike":
        return st(op, [t0(x)], kw);
      case "fullLike":
        return st(op, [t0(x), { n: encNum(value()) }], kw);
      case "tensorNested": {
        const shape = randShape(rng, 3).filter((s) => s > 0);
        const n = size(shape);
        const vals = Array.from({ length: n }, () => encNum(value()));
        const nest = (dd: number, off: number): Any => {
          if (dd === shape.length) return vals[off];
          const stride = size(shape.slice(dd + 1));
          return Array.from({ length: shape[dd] }, (_, i) => nest(dd + 1, off + i * stride));
        };
        return st(op, [], { ...kw, data: nest(0, 0) });
      }
      case "arange": {
        // NOTE: no bool arange (numpy's is ill-defined past two elements) and integer-valued
        // bounds for integer dtypes (numpy's arange with a float step and an integer dtype
        // computes in the integer dtype after one float step: garbage by design).
        if (d === "bool") kw.dtype = "int32";
        const intd = !isFloat(kw.dtype ?? "float32");
        const q = intd ? 1 : rng.pick([1, 0.5, 0.25]);
        const start = rng.range(-6, 6) * q, step = rng.pick([1, 2, -1, 3]) * q * (rng.chance(0.5) ? 1 : 1);
        const stop = start + step * rng.range(-1, 12);
        if (rng.chance(0.2)) return st(op, [], { ...kw, start: Math.abs(stop) });
        return st(op, [], { ...kw, start, stop, step });
      }
      case "linspace": {
        const start = rng.range(-8, 8) / 2, stop = rng.range(-8, 8) / 2;
        return st(op, [], { ...kw, start, stop, num: rng.range(0, 9) });
      }
      default: {
        const n = rng.range(0, 4);
        const e: Record<string, Any> = { ...kw, n };
        if (rng.chance(0.5)) e.m = rng.range(0, 4);
        if (rng.chance(0.5)) e.k = rng.range(-2, 2);
        return st("eye", [], e);
      }
    }
  }],
  assign: [3, (g, x) => {
    const rng = g.rng;
    const specs = sliceSpecs(rng, x.shape);
    let v: Arg;
    if (rng.chance(0.6)) {
      v = {
        n: encNum(rng.chance(0.85) ? rng.pick(NICE_NUMS) : rng.pick([300, -1, 1.5, NaN, 2 ** 31, 70000])),
      };
    } else {
      // A value that broadcasts to the slice: its shape is unknown here, so use a scalar-ish tensor.
      const y = g.input(g.near(x.dtype), rng.chance(0.5) ? [] : [1]);
      v = t0(y);
    }
    return st("assign", [t0(x), v], { specs });
  }],
  async: [5, (g, x, pool) => {
    const rng = g.rng;
    const op = rng.pick([
      "addAsync",
      "subAsync",
      "mulAsync",
      "divAsync",
      "matmulAsync",
      "expAsync",
      "tanhAsync",
      "sumAsync",
      "meanAsync",
      "maxAsync",
      "astypeAsync",
      "astypeAsync",
      "contiguousAsync",
      "contiguousAsync",
    ]);
    const kw: Record<string, Any> = { fresh: rng.chance(0.5) };
    if (op === "astypeAsync") kw.dtype = rng.chance(0.5) ? x.dtype : g.dtype();
    if (["sumAsync", "meanAsync", "maxAsync"].includes(op)) {
      if (rng.chance(0.7)) kw.axis = g.axes(x.shape.length);
      if (rng.chance(0.4)) kw.keepdims = rng.chance(0.5);
    }
    if (op === "matmulAsync") {
      const s = x.shape;
      const k = s.length === 0 ? 1 : s[s.length - 1];
      const y = g.input(x.dtype, rng.chance(0.5) ? [k] : [k, rng.range(1, 4)]);
      return st(op, [t0(x), t0(y)], kw);
    }
    if (["addAsync", "subAsync", "mulAsync", "divAsync"].includes(op)) {
      return st(op, [t0(x), t0(g.partner(x, pool))], kw);
    }
    return st(op, [t0(x)], kw);
  }],
};
const WEIGHTS = Object.fromEntries(Object.entries(GENS).map(([k, [w]]) => [k, w])) as Record<string, number>;

/** Generates and runs case `i` of `seed`. */
export async function runCase(seed: number, i: number, onStep?: (s: Step) => void): Promise<CaseRecord> {
  const rng = new Rng(seed, i);
  const runner = new Runner(onStep);
  const t0_ = performance.now();
  try {
    const nOps = rng.range(1, 4);
    const first = new Gen(rng, 0);
    first.input(first.dtype(), randShape(rng));
    for (const s of first.pending) await runner.exec(s);
    let made = 0;
    for (let tries = 0; made < nOps && tries < 40; tries++) {
      const pool: Slot[] = runner.pool;
      if (pool.length === 0) break;
      const x = rng.chance(0.7) ? pool[pool.length - 1] : rng.pick(pool);
      const g = new Gen(rng, runner.steps.length);
      const kind = rng.weighted(WEIGHTS);
      const step = GENS[kind][1](g, x, pool);
      if (step === null) continue;
      for (const s of g.pending) await runner.exec(s);
      await runner.exec(step);
      made++;
    }
    return { case: i, seed, steps: runner.steps, res: runner.res, ms: Math.round(performance.now() - t0_) };
  } finally {
    runner.dispose();
  }
}

/** Replays a program as it is. */
export async function replay(steps: Step[], onStep?: (s: Step) => void): Promise<Res[]> {
  const runner = new Runner(onStep);
  try {
    for (const s of steps) await runner.exec(s);
    return runner.res;
  } finally {
    runner.dispose();
  }
}

async function main(argv: string[]): Promise<void> {
  const [mode, ...rest] = argv;
  if (mode === "gen") {
    const [seed, from, to, out] = [Number(rest[0]), Number(rest[1]), Number(rest[2]), rest[3]];
    const log = new SyncLog(out);
    for (let i = from; i < to; i++) {
      log.line(`begin ${i}`);
      const rec = await runCase(seed, i, (s) => log.line(`step ${JSON.stringify(s)}`));
      log.line(JSON.stringify(rec));
    }
    log.close();
  } else if (mode === "replay") {
    const [input, out] = rest;
    const log = new SyncLog(out);
    const lines = readFileSync(input, "utf8").split("\n").filter((l) => l.trim());
    for (let i = 0; i < lines.length; i++) {
      const p = JSON.parse(lines[i]) as { case: number; seed: number; steps: Step[] };
      log.line(`begin ${p.case}`);
      const res = await replay(p.steps, (s) => log.line(`step ${JSON.stringify(s)}`));
      log.line(JSON.stringify({ case: p.case, seed: p.seed, steps: p.steps, res }));
    }
    log.close();
  } else throw new Error(`usage: fuzz_child.ts gen SEED FROM TO OUT | replay IN OUT`);
}

if (isMain(import.meta)) {
  await main(process.argv.slice(2).filter((a) => !a.startsWith("--v8-flags")));
  process.exit(0);
}
