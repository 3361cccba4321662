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
  runtimes?: ("deno" | "bun" | "node")[];
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
export function inp(dtype: DType, shape: number[], values: number[], mode: "copy" | "adopt" = "copy") {
  return {
    op: "input",
    a: [],
    kw: { dtype, shape, mode, b64: Buffer.from(bytes(dtype, values)).toString("base64") },
  };
}
/** An op step on earlier steps (`{ t: j }`) and JS numbers (`{ n: x }`). */
export function op(name: string, a: unknown[], kw: Record<string, unknown> = {}) {
  return { op: name, a, kw };
}
export const t = (j: number) => ({ t: j });
export const n = (x: number) => ({
  n: Number.isNaN(x) ? "nan" : x === Infinity ? "inf" : x === -Infinity ? "-inf" : x,
});
export const range = (k: number) => Array.from({ length: k }, (_, i) => i - k / 2);

/**
 * The open failures: none today. Every finding of the first runs (30 misuse signatures, 24 fuzz
 * signatures: use after free of adopted memory, forged share handles, integer wrapping, ignored
 * options, float-to-int wrapping, float16 NaN, floorDiv by inf...) was fixed; the tools' regression
 * value now lies in failing on any new signature. Build repros with `inp`, `op`, `t`, `n`, `range`.
 */
export const KNOWN_FAILURES: KnownFailure[] = [];
