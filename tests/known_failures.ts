/**
 * Failures the bug-finding tools (`fuzz_test.ts`, `misuse_test.ts`) know about and tolerate while
 * they are open. Each entry is keyed by a finding signature (a glob: `*` matches any run of
 * characters) and carries a repro that the tools replay on every run: when a listed failure no
 * longer occurs, the run FAILS and asks for the entry to be removed, so this list only shrinks as
 * fixes land. Do not add an entry to silence a new finding without a one-line note of what is wrong.
 *
 * Fuzz signatures are `op(arg dtypes)[adopted]:kind` (see fuzz_test.ts); misuse signatures are
 * `fn#arg=value:outcome` (see misuse_test.ts).
 * @module
 */
import { Buffer } from "node:buffer";

/** One open failure. */
export interface KnownFailure {
  /** The tool that reports it. */
  tool: "fuzz" | "misuse";
  /** A glob over the signatures the tool prints, e.g. `max(float16):nan`. */
  sig: string;
  /** What is wrong, in one line. */
  note: string;
  /** Where it shows; both runtimes when omitted. */
  runtimes?: ("deno" | "bun")[];
  /**
   * fuzz: a minimal program (steps, as the fuzzer prints them), replayed on every run.
   * misuse: the call ids (`fn#arg=value`) to run in CI mode, whatever the sample.
   */
  repro: unknown;
}

// ---- building fuzz programs by hand ------------------------------------------------------------

type DType = "float32" | "float64" | "int32" | "int64" | "uint8" | "bool" | "float16" | "bfloat16";
// deno-lint-ignore no-explicit-any
const F16: any = (globalThis as any).Float16Array;

function bytes(dtype: DType, values: number[]): Uint8Array {
  let a: ArrayBufferView;
  switch (dtype) {
    case "float32":
      a = Float32Array.from(values);
      break;
    case "float64":
      a = Float64Array.from(values);
      break;
    case "int32":
      a = Int32Array.from(values);
      break;
    case "int64":
      a = BigInt64Array.from(values.map((v) => BigInt(v)));
      break;
    case "uint8":
    case "bool":
      a = Uint8Array.from(values);
      break;
    case "float16":
      a = F16.from(values);
      break;
    case "bfloat16": {
      const f = Float32Array.from(values);
      a = Uint16Array.from(new Uint32Array(f.buffer), (u) => u >>> 16);
      break;
    }
  }
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** An input step (values exactly representable in `dtype`). */
function inp(dtype: DType, shape: number[], values: number[], mode: "copy" | "adopt" = "copy") {
  return {
    op: "input",
    a: [],
    kw: { dtype, shape, mode, b64: Buffer.from(bytes(dtype, values)).toString("base64") },
  };
}
/** An op step on earlier steps (`{ t: j }`) and JS numbers (`{ n: x }`). */
function op(name: string, a: unknown[], kw: Record<string, unknown> = {}) {
  return { op: name, a, kw };
}
const t = (j: number) => ({ t: j });
const n = (x: number) => ({
  n: Number.isNaN(x) ? "nan" : x === Infinity ? "inf" : x === -Infinity ? "-inf" : x,
});
const range = (k: number) => Array.from({ length: k }, (_, i) => i - k / 2);

/** The open failures. */
export const KNOWN_FAILURES: KnownFailure[] = [
  // ---- fuzz: zero-copy paths and lifetimes ----
  {
    tool: "fuzz",
    sig: "*[adopted]:data",
    note: "t.data of a non-contiguous view of adopted memory (copy: false) views the adopted JS buffer, " +
      "not the contiguous copy: wrong elements or RangeError (contiguous()/reshape copies inherit #keep)",
    repro: [inp("float32", [2, 3], [1, 2, 3, 4, 5, 6], "adopt"), op("transpose", [t(0)])],
  },
  {
    tool: "fuzz",
    sig: "astypeAsync+fresh(*",
    note: "use after free: astypeAsync to the same dtype of an adopted tensor returns a tensor over the JS " +
      "buffer without keeping it alive; after the input is dropped and collected it reads freed memory",
    repro: [
      inp("float64", [256], range(256)),
      ...Array.from({ length: 4 }, () => op("astypeAsync", [t(0)], { fresh: true, dtype: "float64" })),
    ],
  },
  {
    tool: "fuzz",
    sig: "contiguousAsync+fresh(*",
    note: "use after free: contiguousAsync of a contiguous adopted tensor returns a tensor over the JS " +
      "buffer without keeping it alive; after the input is dropped and collected it reads freed memory",
    repro: [
      inp("float64", [256], range(256)),
      ...Array.from({ length: 4 }, () => op("contiguousAsync", [t(0)], { fresh: true })),
    ],
  },
  // ---- fuzz: numbers ----
  {
    tool: "fuzz",
    sig: "astype*(*float*)*:value",
    note: "float -> integer astype of NaN / out-of-range values wraps; README documents saturation",
    repro: [inp("float32", [4], [-1.5, 300, NaN, 1e10]), op("astype", [t(0)], { dtype: "uint8" })],
  },
  {
    tool: "fuzz",
    sig: "assign(*,*float*:value",
    note:
      "assign(float tensor) into an integer tensor wraps out-of-range values (uint8 <- -3.5 gives 253); " +
      "the documented float-to-integer conversion saturates",
    repro: [inp("uint8", [2], [1, 2]), inp("float32", [], [-3.5]), op("assign", [t(0), t(1)], { specs: [] })],
  },
  {
    tool: "fuzz",
    sig: "floorDiv(*:nan",
    note: "floorDiv by +-inf gives NaN; numpy: -1 or 0 (x // inf with Python's signs)",
    repro: [inp("float32", [2], [-5, 5]), op("floorDiv", [t(0), n(Infinity)])],
  },
  {
    tool: "fuzz",
    sig: "arg*(*float16)*:value",
    note: "argmax/argmin of float16/bfloat16 past the vectorised threshold ignore NaN; numpy: the first NaN",
    repro: [inp("float16", [40], range(40).map((v, i) => (i === 7 ? NaN : v))), op("argmax", [t(0)])],
  },
  {
    tool: "fuzz",
    sig: "max*(*float16)*:nan",
    note: "max/min of float16 and bfloat16 past the vectorised threshold ignore NaN; numpy: NaN",
    repro: [inp("float16", [100], range(100).map((v, i) => (i === 37 ? NaN : v))), op("max", [t(0)])],
  },
  {
    tool: "fuzz",
    sig: "min*(*float16)*:nan",
    note: "min of float16 and bfloat16 past the vectorised threshold ignores NaN; numpy: NaN",
    repro: [inp("bfloat16", [100], range(100).map((v, i) => (i === 37 ? NaN : v))), op("min", [t(0)])],
  },
  {
    tool: "fuzz",
    sig: "var(*:nan",
    note: "var with ddof >= n gives NaN; numpy: inf (a positive sum divided by max(n - ddof, 0))",
    repro: [inp("float32", [2], [1, 3]), op("var", [t(0)], { axis: null, ddof: 2 })],
  },
  {
    tool: "fuzz",
    sig: "std(*:nan",
    note: "std with ddof >= n gives NaN; numpy: inf",
    repro: [inp("float32", [2], [1, 3]), op("std", [t(0)], { axis: null, ddof: 2 })],
  },
  {
    tool: "fuzz",
    sig: "linspace():value",
    note: "linspace into an integer dtype truncates toward zero; numpy (>= 2.0) floors",
    repro: [op("linspace", [], { start: -1.5, stop: 3, num: 5, dtype: "int64" })],
  },
  // ---- fuzz: JS numbers that do not fit ----
  {
    tool: "fuzz",
    sig: "full(*:accepted",
    note: "full() with an integer that does not fit the dtype saturates (uint8 300 -> 255); numpy refuses",
    repro: [op("full", [n(300)], { shape: [2], dtype: "uint8" })],
  },
  {
    tool: "fuzz",
    sig: "fullLike(*:accepted",
    note: "fullLike() with an integer that does not fit the dtype saturates; numpy refuses",
    repro: [inp("int32", [2], [1, 2]), op("fullLike", [t(0), n(2 ** 40)], { dtype: "int32" })],
  },
  {
    tool: "fuzz",
    sig: "tensorNested(*:accepted",
    note:
      "cb.tensor(nested numbers, { dtype }) wraps integers that do not fit (uint8 300 -> 44, -3 -> 253); " +
      "numpy refuses",
    repro: [op("tensorNested", [], { data: [300, -3], dtype: "uint8" })],
  },
  {
    tool: "fuzz",
    sig: "assign(*,num)*:accepted",
    note:
      "assign(number) saturates an integer that does not fit (and writes NaN into integers); numpy refuses",
    repro: [inp("uint8", [2], [1, 2]), op("assign", [t(0), n(300)], { specs: [] })],
  },
  {
    tool: "fuzz",
    sig: "pad(*:accepted",
    note: "pad with a value that does not fit the dtype saturates; numpy refuses it like full()",
    repro: [inp("uint8", [2], [1, 2]), op("pad", [t(0)], { widths: 1, value: -2 })],
  },
  {
    tool: "fuzz",
    sig: "where(*:accepted",
    note: "where(cond, x, number) saturates a number that does not fit x's integer dtype; the weak-scalar " +
      "rule (README) refuses it",
    repro: [inp("bool", [2], [1, 0]), inp("uint8", [2], [5, 6]), op("where", [t(0), n(-1), t(1)])],
  },
  {
    tool: "fuzz",
    sig: "*(bool,num*",
    note: "a bool tensor with an integer beyond int64 (e.g. 1e300) computes with a saturated int64 (numpy " +
      "refuses, or computes in float64 for division)",
    repro: [inp("bool", [2], [1, 0]), op("mul", [t(0), n(1e300)])],
  },
  {
    tool: "fuzz",
    sig: "*(*,num)*:rejected:INVALID_ARGUMENT",
    note: "div/rdiv/logical ops refuse an integer outside the tensor's dtype (uint8 / -1); numpy computes " +
      "them (true division in float64, truth values)",
    repro: [inp("uint8", [2], [1, 2]), op("div", [t(0), n(-1)])],
  },
  // ---- fuzz: dtypes and shapes ----
  {
    tool: "fuzz",
    sig: "tri*(bool)*:dtype",
    note: "tril/triu of a bool tensor give int64 (where(mask, x, 0) promotes); numpy keeps bool",
    repro: [inp("bool", [2, 2], [1, 1, 1, 1]), op("tril", [t(0)])],
  },
  {
    tool: "fuzz",
    sig: "dot(*:rejected:INVALID_ARGUMENT",
    note:
      "dot of an N-D tensor whose contracted axis is empty fails in its reshape(-1, 0); numpy gives zeros",
    repro: [inp("float64", [2, 0], []), inp("float64", [2, 0, 1], []), op("dot", [t(0), t(1)])],
  },
  {
    tool: "fuzz",
    sig: "*sort(*:accepted",
    note: "sort/argsort of a 0-d tensor ignore the axis (any axis is accepted); numpy refuses axis 7",
    repro: [inp("float32", [], [1]), op("sort", [t(0)], { axis: 7 })],
  },
  // ---- misuse: crashes and memory safety ----
  {
    tool: "misuse",
    sig: "cb.fromShared#0=fakeHandle:crash:*",
    note:
      'fromShared trusts any { cobalt: "shared-tensor", handle } object: a forged handle dereferences a wild ' +
      "pointer (SIGSEGV)",
    repro: ["cb.fromShared#0=fakeHandle"],
  },
  {
    tool: "misuse",
    sig: "cb.fromShared#0=staleHandle:*",
    note:
      "fromShared of an object whose reference was already taken wraps a dangling handle (use after free)",
    repro: ["cb.fromShared#0=staleHandle"],
  },
  {
    tool: "misuse",
    sig: "Tensor.split@empty#0=*",
    note: "split(2**31) of an empty dim builds a 2**31-element JS array of cuts: RangeError (Deno) or a " +
      "segfault inside Bun; sections are not bounded by the dim",
    repro: ["Tensor.split@empty#0=2^40"],
  },
  // ---- misuse: values that should be refused ----
  {
    tool: "misuse",
    sig: "*=*2^*:accepted",
    note: "integer arguments past int32 wrap (axis 2**32 -> 0; Bun also wraps axes passed straight to FFI)",
    repro: ["Tensor.sum#0=2^32", "Tensor.argsort#0=2^32"],
  },
  {
    tool: "misuse",
    sig: "*=unknownKey:accepted",
    note: "unknown option keys are ignored ({ keepdim: true } is silently a no-op)",
    repro: ["Tensor.sum#1=unknownKey", "cb.zeros#1=unknownKey"],
  },
  {
    tool: "misuse",
    sig: "cb.eye#*=-1:accepted",
    note: "eye(-1) / eye(3, -1) return a tensor instead of refusing a negative size",
    repro: ["cb.eye#0=-1"],
  },
  {
    tool: "misuse",
    sig: "Tensor.arg*#0=[]:accepted",
    note: "argmax/argmin take an empty axis list (numpy refuses a tuple axis)",
    repro: ["Tensor.argmax#0=[]"],
  },
  {
    tool: "misuse",
    sig: 'Tensor.flip#0="":accepted',
    note: 'flip("") (a string as axes) is accepted as no axes',
    repro: ['Tensor.flip#0=""'],
  },
  {
    tool: "misuse",
    sig: "cb.native.*:accepted",
    runtimes: ["bun"],
    note: "native.refcount / native.statusName pass non-tensors and non-numbers straight to bun:ffi, which " +
      "coerces them (Deno's FFI throws TypeError)",
    repro: ["cb.native.refcount#0={}", "cb.native.statusName#0={}"],
  },
  {
    tool: "misuse",
    sig: "Tensor.sort#1=*:accepted",
    note: "sort: options that are not an object (1.5, a string, a Symbol...) are ignored instead of refused",
    repro: ["Tensor.sort#1=1.5"],
  },
  {
    tool: "misuse",
    sig: "Tensor.argsort#1=*:accepted",
    note:
      "argsort: options that are not an object (1.5, a string, a Symbol...) are ignored instead of refused",
    repro: ["Tensor.argsort#1=1.5"],
  },
  {
    tool: "misuse",
    sig: "Tensor.topk#2=*:accepted",
    note: "topk: options that are not an object (1.5, a string, a Symbol...) are ignored instead of refused",
    repro: ["Tensor.topk#2=1.5"],
  },
  {
    tool: "misuse",
    sig: "Tensor.gelu#0=*:accepted",
    note: "gelu: options that are not an object (1.5, a string, a Symbol...) are ignored instead of refused",
    repro: ["Tensor.gelu#0=1.5"],
  },
  {
    tool: "misuse",
    sig: "cb.fromObject#1=*:accepted",
    note:
      "fromObject: options that are not an object (1.5, a string, a Symbol...) are ignored instead of refused",
    repro: ["cb.fromObject#1=1.5"],
  },
  {
    tool: "misuse",
    sig: "cb.load*#1=*:accepted",
    note:
      "load/loadAsync: options that are not an object (1.5, a string, a Symbol...) are ignored instead of refused",
    repro: ["cb.load#1=1.5"],
  },
  {
    tool: "misuse",
    sig: "cb.rand*Like#1=*:accepted",
    note:
      "randLike/randnLike: options that are not an object (1.5, a string, a Symbol...) are ignored instead of refused",
    repro: ["cb.randLike#1=1.5"],
  },
  {
    tool: "misuse",
    sig: "cb.save*#2=*:accepted",
    note:
      "save/saveAsync: options that are not an object (1.5, a string, a Symbol...) are ignored instead of refused",
    repro: ["cb.save#2=1.5"],
  },
];
