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
  // ---- fuzz: dtypes and shapes ----
  {
    tool: "fuzz",
    sig: "tri*(bool)*:dtype",
    note: "tril/triu of a bool tensor give int64 (where(mask, x, 0) promotes); numpy keeps bool",
    repro: [inp("bool", [2, 2], [1, 1, 1, 1]), op("tril", [t(0)])],
  },
  // ---- misuse: crashes and memory safety ----
  // ---- misuse: values that should be refused ----
];
