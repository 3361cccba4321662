/**
 * The calls of the misuse matrix (`misuse_test.ts`), and the child process that runs them.
 *
 * Every public function of mod.ts and every member of `Tensor.prototype` is found by reflection;
 * `PARAMS` says what each argument position is (an axis, a count, a shape, a dtype, options...) and
 * which valid value to put there. One call per (function, position, bad value), the other positions
 * valid; plus each Tensor member on odd receivers (disposed, 0-d, empty, int32, bool, adopted, a
 * transposed view). Members missing from `PARAMS` are still called, on `fn.length + 1` positions.
 *
 *   <runtime> tests/misuse_child.ts IDS_FILE OUT     runs the calls whose indices IDS_FILE lists
 *
 * OUT gets `begin N` before call N and `end N OUTCOME` after it, one write(2) each: after a crash
 * the last `begin` names the call. Outcomes: `ok`, `TypeError`, `CobaltError:CODE`, `UserError`
 * (the bad value's own getter/valueOf threw, and that error came through), `error:NAME` (any other
 * error), `hang` (an async call that never settled).
 * @module
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import * as cb from "../mod.ts";
import { BINARY, isMain, SyncLog, UNARY } from "./tool_support.ts";
import { REDUCE_AXES } from "./op_table.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

/** The error a bad value's own getter, valueOf or Proxy trap throws. */
export class UserError extends Error {
  constructor() {
    super("thrown by the argument itself");
    this.name = "UserError";
  }
}

const t23 = () => cb.tensor([[1, 2, 3], [4, 5, 6]]);
const disposed = () => {
  const t = t23();
  t.dispose();
  return t;
};
const throwing = () => {
  const o: Record<string, unknown> = {};
  for (
    const k of [
      "dtype",
      "shape",
      "keepdims",
      "ddof",
      "descending",
      "largest",
      "copy",
      "format",
      "length",
      "0",
    ]
  ) {
    Object.defineProperty(o, k, {
      get() {
        throw new UserError();
      },
      enumerable: true,
    });
  }
  return o;
};
const trap = () => {
  throw new UserError();
};

/** The bad values, by the name used in signatures. Each is made fresh for each call. */
export const BAD: [string, () => unknown][] = [
  ["null", () => null],
  ["undefined", () => undefined],
  ["NaN", () => NaN],
  ["Infinity", () => Infinity],
  ["-Infinity", () => -Infinity],
  ["-0", () => -0],
  ["-1", () => -1],
  ["2^31", () => 2 ** 31],
  ["2^32", () => 2 ** 32],
  ["2^40", () => 2 ** 40],
  ["2^53", () => 2 ** 53],
  ["-2^53", () => -(2 ** 53)],
  ["1.5", () => 1.5],
  ["1n", () => 1n],
  ["10n^30n", () => 10n ** 30n],
  ['"abc"', () => "abc"],
  ['""', () => ""],
  ["{}", () => ({})],
  ["[]", () => []],
  ["[[]]", () => [[]]],
  ["Symbol", () => Symbol("bad")],
  ["function", () => () => 1],
  ["disposed", disposed],
  ["wrongDtype", () => cb.tensor([true, false])],
  ["hugeShape", () => [2 ** 40, 2 ** 40]],
  ["negDims", () => [-1, 2]],
  ["throwingGetter", throwing],
  ["throwingValueOf", () => ({ valueOf: trap, toString: trap, [Symbol.toPrimitive]: trap })],
  [
    "proxy",
    () =>
      new Proxy({}, {
        get: trap,
        has: trap,
        ownKeys: trap,
        getOwnPropertyDescriptor: trap,
        getPrototypeOf: trap,
      }),
  ],
  ["proxyTensor", () => new Proxy(t23(), {})],
  ["unknownKey", () => ({ bogus: 1 })],
];

/**
 * What an argument position is. Each kind lists the bad values it must refuse (a call that returns
 * normally with one of them is a finding, "accepted"); with the others any outcome but a crash or a
 * wrong error type is fine.
 */
type Kind =
  | "axis" // an axis: an integer that must be in range
  | "axisOpt" // an axis that may be omitted (undefined/null mean the default)
  | "axes" // an axis, a list of axes, or null/undefined
  | "count" // a non-negative integer count or size
  | "countOpt"
  | "dim" // a dim of a new shape: a count, or -1
  | "int" // any integer (e.g. a diagonal offset)
  | "number" // a JS number (any value, NaN and infinities included)
  | "numberOpt"
  | "operand" // a tensor or a number
  | "operandOpt"
  | "tensor"
  | "tensorList"
  | "shape" // an array of non-negative integers
  | "dtype"
  | "dtypeOpt"
  | "opts" // an options object (undefined allowed)
  | "any"; // anything goes (data, specs, paths...): only crashes and error types are checked

const NOT_NUMBER = [
  "1n",
  "10n^30n",
  '"abc"',
  '""',
  "{}",
  "[]",
  "[[]]",
  "Symbol",
  "function",
  "disposed",
  "wrongDtype",
  "hugeShape",
  "negDims",
  "throwingGetter",
  "throwingValueOf",
  "proxy",
  "proxyTensor",
  "unknownKey",
];
const NOT_INT = [...NOT_NUMBER, "NaN", "Infinity", "-Infinity", "1.5"];
const HUGE = ["2^31", "2^32", "2^40", "2^53", "-2^53"];
const NOT_TENSOR = [
  ...NOT_NUMBER.filter((b) => b !== "wrongDtype"),
  "NaN",
  "Infinity",
  "-Infinity",
  "-0",
  "-1",
  ...HUGE,
  "1.5",
];

/** The bad values a position of `kind` must refuse. */
export function mustRefuse(kind: Kind): Set<string> {
  switch (kind) {
    case "axis":
      return new Set([...NOT_INT, ...HUGE, "null", "undefined"]);
    case "axisOpt":
    case "axes":
      return new Set([...NOT_INT.filter((b) => kind !== "axes" || b !== "[]"), ...HUGE]);
    case "count":
      return new Set([...NOT_INT, ...HUGE, "-1", "null", "undefined"]);
    case "countOpt":
      return new Set([...NOT_INT, ...HUGE, "-1"]);
    case "dim":
      return new Set([...NOT_INT.filter((b) => b !== "negDims"), ...HUGE, "null"]);
    case "int":
      return new Set([...NOT_INT, "null"]);
    case "number":
      return new Set([...NOT_NUMBER, "null", "undefined"]);
    case "numberOpt":
      return new Set(NOT_NUMBER);
    case "operand":
      return new Set([...NOT_NUMBER.filter((b) => b !== "wrongDtype"), "null", "undefined"]);
    case "operandOpt":
      return new Set(NOT_NUMBER.filter((b) => b !== "wrongDtype"));
    case "tensor":
      return new Set([...NOT_TENSOR, "null", "undefined"]);
    case "tensorList":
      return new Set([...NOT_TENSOR, "null", "undefined", "[]", "[[]]"]);
    case "shape":
      return new Set(
        BAD.map(([b]) => b).filter((b) => b !== "[]" && b !== "proxy" && b !== "throwingGetter"),
      );
    case "dtype":
      return new Set(BAD.map(([b]) => b));
    case "dtypeOpt":
      return new Set(BAD.map(([b]) => b).filter((b) => b !== "undefined"));
    case "opts":
      // non-objects, and objects with keys the function does not know
      return new Set(["NaN", "Infinity", "-1", "1.5", "1n", '"abc"', "Symbol", "unknownKey"]);
    default:
      return new Set();
  }
}

/** One argument position: its kind and a valid value (made fresh per call). */
interface Param {
  kind: Kind;
  valid: () => unknown;
}
const P = (kind: Kind, valid: () => unknown): Param => ({ kind, valid });
const none = () => undefined;
const axes = P("axes", none);
const opts = P("opts", none);
const axisOpt = P("axisOpt", none);
const operand = P("operand", () => 2);
const i64 = (rows: number[][]) => cb.tensor(rows, { dtype: "int64" });
const spd = () => cb.tensor([[4, 1, 0], [1, 3, 1], [0, 1, 2]]);

/**
 * The argument positions of each public function (`cb.name`, `cb.native.name`) and Tensor member
 * (`Tensor.name`), in order. The receiver of Tensor members is a float32 tensor of shape [2, 3].
 */
export const PARAMS: Record<string, Param[]> = {
  ...Object.fromEntries(BINARY.map((n) => [`Tensor.${n}`, [operand]])),
  ...Object.fromEntries(["rsub", "rdiv"].map((n) => [`Tensor.${n}`, [P("number", () => 2)]])),
  ...Object.fromEntries(
    [...REDUCE_AXES.filter((n) => n !== "var" && n !== "std"), "sumAsync", "meanAsync", "maxAsync"].map(
      (
        n,
      ) => [`Tensor.${n}`, [axes, opts]],
    ),
  ),
  "Tensor.var": [axes, opts],
  "Tensor.std": [axes, opts],
  "Tensor.argmax": [axisOpt, opts],
  "Tensor.argmin": [axisOpt, opts],
  "Tensor.softmax": [axisOpt],
  "Tensor.logSoftmax": [axisOpt],
  "Tensor.cumsum": [axisOpt],
  "Tensor.cumprod": [axisOpt],
  "Tensor.clamp": [P("operandOpt", () => 0), P("operandOpt", () => 1)],
  "Tensor.gelu": [opts],
  "Tensor.matmul": [P("tensor", () => cb.ones([3, 2]))],
  "Tensor.matmulAsync": [P("tensor", () => cb.ones([3, 2]))],
  "Tensor.dot": [P("tensor", () => cb.ones([3, 2]))],
  "Tensor.outer": [P("tensor", () => cb.ones([2]))],
  ...Object.fromEntries(
    ["addAsync", "subAsync", "mulAsync", "divAsync"].map((n) => [`Tensor.${n}`, [P("tensor", t23)]]),
  ),
  "Tensor.reshape": [P("dim", () => 3), P("dim", () => 2)],
  "Tensor.flatten": [P("axisOpt", () => 0), P("axisOpt", () => -1)],
  "Tensor.transpose": [P("axisOpt", none), P("axisOpt", none)],
  "Tensor.permute": [P("axis", () => 1), P("axis", () => 0)],
  "Tensor.slice": [P("any", () => null), P("any", () => null)],
  "Tensor.expand": [P("shape", () => [2, 2, 3])],
  "Tensor.broadcastTo": [P("shape", () => [2, 2, 3])],
  "Tensor.squeeze": [axes],
  "Tensor.unsqueeze": [P("axis", () => 0)],
  "Tensor.flip": [axes],
  "Tensor.astype": [P("dtype", () => "float64")],
  "Tensor.astypeAsync": [P("dtype", () => "float64")],
  "Tensor.tile": [P("any", () => [2])],
  "Tensor.repeat": [P("count", () => 2), axisOpt],
  "Tensor.tril": [P("int", () => 0)],
  "Tensor.triu": [P("int", () => 0)],
  "Tensor.pad": [P("any", () => 1), P("any", () => 0)],
  "Tensor.split": [P("any", () => 2), P("axisOpt", () => 0)],
  "Tensor.chunk": [P("count", () => 2), P("axisOpt", () => 0)],
  "Tensor.indexSelect": [P("axis", () => 0), P("any", () => [1])],
  "Tensor.take": [P("any", () => [1]), axisOpt],
  "Tensor.gather": [P("axis", () => 1), P("tensor", () => i64([[0], [1]]))],
  "Tensor.scatter": [P("axis", () => 1), P("tensor", () => i64([[0], [1]])), operand],
  "Tensor.scatterAdd": [P("axis", () => 1), P("tensor", () => i64([[0], [1]])), operand],
  "Tensor.argsort": [axisOpt, opts],
  "Tensor.sort": [axisOpt, opts],
  "Tensor.topk": [P("count", () => 1), axisOpt, opts],
  "Tensor.assign": [operand],
  "cb.tensor": [P("any", () => [[1, 2], [3, 4]]), opts],
  "cb.zeros": [P("shape", () => [2]), opts],
  "cb.ones": [P("shape", () => [2]), opts],
  "cb.full": [P("shape", () => [2]), P("number", () => 1), opts],
  "cb.zerosLike": [P("tensor", t23), opts],
  "cb.onesLike": [P("tensor", t23), opts],
  "cb.fullLike": [P("tensor", t23), P("number", () => 1), opts],
  "cb.randLike": [P("tensor", t23), opts],
  "cb.randnLike": [P("tensor", t23), opts],
  "cb.rand": [P("shape", () => [2]), opts],
  "cb.randn": [P("shape", () => [2]), opts],
  "cb.arange": [P("number", () => 3), P("any", none), P("any", none), opts],
  "cb.linspace": [P("number", () => 0), P("number", () => 1), P("countOpt", () => 5), opts],
  // eye(n, m?, opts?) also takes the options in second place (eye(3, { dtype })): position 1 is "any"
  "cb.eye": [P("count", () => 3), P("any", none), opts],
  "cb.concat": [P("tensorList", () => [t23(), t23()]), P("axisOpt", () => 0)],
  "cb.stack": [P("tensorList", () => [t23(), t23()]), P("axisOpt", () => 0)],
  "cb.matmul": [P("tensor", t23), P("tensor", () => cb.ones([3, 2]))],
  "cb.einsum": [P("any", () => "ij,jk"), P("tensor", t23), P("tensor", () => cb.ones([3, 2]))],
  "cb.dot": [P("tensor", t23), P("tensor", () => cb.ones([3, 2]))],
  "cb.outer": [P("tensor", t23), P("tensor", () => cb.ones([2]))],
  "cb.conv2d": [P("tensor", () => cb.ones([1, 2, 4, 4])), P("tensor", () => cb.ones([3, 2, 3, 3])), opts],
  "cb.conv1d": [P("tensor", () => cb.ones([1, 2, 5])), P("tensor", () => cb.ones([3, 2, 3])), opts],
  "cb.maxPool2d": [P("tensor", () => cb.ones([1, 2, 4, 4])), P("count", () => 2), opts],
  "cb.avgPool2d": [P("tensor", () => cb.ones([1, 2, 4, 4])), P("count", () => 2), opts],
  "cb.where": [
    P("tensor", () => cb.tensor([true, false, true])),
    P("operand", () => 1),
    P("operand", () => 0),
  ],
  "cb.scope": [P("any", () => () => 1)],
  "cb.encodeNpy": [P("tensor", t23)],
  "cb.toBytes": [P("tensor", t23)],
  "cb.toObject": [P("tensor", t23)],
  "cb.share": [P("tensor", t23)],
  "cb.encodeNpz": [P("any", () => ({ a: t23() }))],
  "cb.encodeSafetensors": [P("any", () => ({ a: t23() })), P("any", none)],
  "cb.decodeNpy": [P("any", () => cb.encodeNpy(t23())), P("any", none)],
  "cb.decodeNpz": [P("any", () => cb.encodeNpz({ a: t23() })), P("any", none)],
  "cb.decodeNpzAsync": [P("any", () => cb.encodeNpz({ a: t23() })), P("any", none)],
  "cb.decodeSafetensors": [P("any", () => cb.encodeSafetensors({ a: t23() })), P("any", none)],
  "cb.fromBytes": [P("any", () => cb.toBytes(t23())), P("any", none)],
  "cb.fromObject": [P("any", () => cb.toObject(t23())), opts],
  "cb.load": [P("any", () => "valid.npy"), opts],
  "cb.loadAsync": [P("any", () => "valid.npy"), opts],
  "cb.save": [P("any", () => "out.npy"), P("any", t23), opts],
  "cb.saveAsync": [P("any", () => "out.npy"), P("any", t23), opts],
  "cb.fromShared": [P("any", () => cb.share(t23()))],
  "cb.unshare": [P("any", () => cb.share(t23()))],
  "cb.keep": [P("tensor", t23)],
  // a byte count (any number: huge ones are valid limits; 0, negatives and fractions are refused)
  "cb.setMemoryLimit": [P("any", () => 2 ** 40)],
  "cb.setLeakWarning": [P("any", () => 2 ** 30)],
  "cb.setNumThreads": [P("count", () => 2)],
  "cb.native.refcount": [P("tensor", t23)],
  "cb.native.statusName": [P("int", () => 1)],
  "cb.CobaltError": [P("any", () => "DTYPE"), P("any", () => "message")],
  ...Object.fromEntries(
    ["inv", "det", "slogdet", "cholesky", "qr", "svd", "eigh", "eigvalsh", "pinv", "matrixRank", "norm"].map(
      (
        n,
      ) => [
        `cb.linalg.${n}`,
        n === "inv" || n === "det" || n === "slogdet" ? [P("tensor", spd)] : [P("tensor", spd), opts],
      ],
    ),
  ),
  "cb.linalg.solve": [P("tensor", spd), P("tensor", () => cb.ones([3]))],
  "cb.linalg.lstsq": [P("tensor", t23), P("tensor", () => cb.ones([2])), opts],
  "cb.linalg.matrixPower": [P("tensor", spd), P("int", () => 2)],
};
for (const n of UNARY) if (n !== "gelu") PARAMS[`Tensor.${n}`] = []; // gelu takes options (below)

/** Extra bad values for some positions (fn#index). */
const EXTRA: Record<string, [string, () => unknown][]> = {
  "cb.fromShared#0": [
    ["fakeHandle", () => ({ cobalt: "shared-tensor", handle: 4096, dtype: "float32" })],
    ["staleHandle", () => {
      const t = t23();
      const s = cb.share(t);
      cb.fromShared(s).dispose();
      t.dispose();
      return s; // its reference was taken and every reference released: the handle dangles
    }],
  ],
};

/** Odd receivers for every Tensor member (all arguments valid). */
const RECEIVERS: [string, () => cb.Tensor][] = [
  ["disposed", disposed],
  ["scalar", () => cb.tensor(5)],
  ["empty", () => cb.zeros([0, 3])],
  ["int32", () => cb.tensor([[1, 2, 3], [4, 5, 6]], { dtype: "int32" })],
  ["bool", () => cb.tensor([[1, 0, 1], [0, 1, 0]], { dtype: "bool" })],
  ["adopted", () => cb.tensor(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [2, 3], copy: false })],
  ["transposed", () => cb.tensor([[1, 2], [3, 4], [5, 6]]).transpose()],
];
/** Members that may legitimately work on a disposed tensor. */
const DISPOSED_OK = new Set([
  "dispose",
  "disposed",
  "toString",
  "Symbol(Symbol.dispose)",
  "Symbol(nodejs.dispose)", // Node 20's Symbol.dispose
  "Symbol(Deno.customInspect)",
  "Symbol(nodejs.util.inspect.custom)",
  "register",
  "keep",
]);

/** One call of the matrix. */
export interface Call {
  /** `fn#position=badValue` or `fn@receiver`. */
  id: string;
  fn: string;
  /** The position that is bad (-1 for a receiver row). */
  pos: number;
  bad: string;
  /** A normal return is a finding ("accepted"). */
  refuse: boolean;
  /** Run alone in its own child process, followed by a canary workload (it may corrupt memory). */
  isolate?: boolean;
  /** The receiver of a Tensor member, when not the default float32 [2, 3] tensor. */
  recv?: string;
}

interface Target {
  name: string;
  kind: "fn" | "ctor" | "method" | "getter";
  key: string | symbol;
  obj?: Any;
  arity: number;
}

function targets(): Target[] {
  const out: Target[] = [];
  for (const key of Object.keys(cb).sort()) {
    const v = (cb as Any)[key];
    if (typeof v === "function") {
      const ctor = /^[A-Z]/.test(key);
      out.push({ name: `cb.${key}`, kind: ctor ? "ctor" : "fn", key, obj: cb, arity: v.length });
    } else if (v !== null && typeof v === "object") {
      for (const k of Object.keys(v).sort()) {
        if (typeof v[k] === "function") {
          out.push({ name: `cb.${key}.${k}`, kind: "fn", key: k, obj: v, arity: v[k].length });
        }
      }
    }
  }
  const proto = cb.Tensor.prototype;
  const keys = [...Object.getOwnPropertyNames(proto).sort(), ...Object.getOwnPropertySymbols(proto)];
  for (const key of keys) {
    if (key === "constructor") continue;
    const d = Object.getOwnPropertyDescriptor(proto, key)!;
    const name = `Tensor.${typeof key === "symbol" ? key.toString() : key}`;
    if (d.get) out.push({ name, kind: "getter", key, arity: 0 });
    else if (typeof d.value === "function") out.push({ name, kind: "method", key, arity: d.value.length });
  }
  return out;
}

/** Whether `name` has a table entry (else it is called on generic positions). */
export function described(name: string): boolean {
  return name in PARAMS;
}

function paramsOf(t: Target): Param[] {
  if (t.kind === "getter") return [];
  return PARAMS[t.name] ?? Array.from({ length: t.arity + 1 }, () => P("any", none));
}

/**
 * The matrix, in a fixed order: each bad value in each position, and each Tensor member on each
 * odd receiver. `full` adds every bad value in every position on every odd receiver too.
 */
export function calls(full = false): Call[] {
  const out: Call[] = [];
  for (const t of targets()) {
    const params = paramsOf(t);
    if (t.kind === "method" || t.kind === "getter") {
      for (const [r] of RECEIVERS) {
        out.push({
          id: `${t.name}@${r}`,
          fn: t.name,
          pos: -1,
          bad: r,
          refuse: r === "disposed" && !DISPOSED_OK.has(t.name.slice(7)),
        });
      }
    }
    // one extra position past the table: extra arguments must be harmless
    const positions = params.length + 1;
    for (let i = 0; i < positions; i++) {
      const kind = params[i]?.kind ?? "any";
      const refuse = i < params.length ? mustRefuse(kind) : new Set<string>();
      for (const [b] of BAD) {
        out.push({ id: `${t.name}#${i}=${b}`, fn: t.name, pos: i, bad: b, refuse: refuse.has(b) });
      }
      for (const [b] of EXTRA[`${t.name}#${i}`] ?? []) {
        out.push({ id: `${t.name}#${i}=${b}`, fn: t.name, pos: i, bad: b, refuse: true, isolate: true });
      }
    }
  }
  if (full) {
    for (const t of targets()) {
      if (t.kind !== "method") continue;
      const params = paramsOf(t);
      for (const [r] of RECEIVERS.slice(1)) {
        for (let i = 0; i < params.length; i++) {
          for (const [b] of BAD) {
            // only crashes and error types are checked on odd receivers (validity depends on them)
            out.push({ id: `${t.name}@${r}#${i}=${b}`, fn: t.name, pos: i, bad: b, refuse: false, recv: r });
          }
        }
      }
    }
  }
  return out;
}

/** The targets without a table entry (called on generic positions). */
export function undescribed(): string[] {
  return targets().filter((t) => t.kind !== "getter" && !(t.name in PARAMS) && t.arity > 0).map((t) =>
    t.name
  );
}

// ---- running ----------------------------------------------------------------------------------

function badValue(fn: string, pos: number, name: string): unknown {
  const f = [...BAD, ...(EXTRA[`${fn}#${pos}`] ?? [])].find(([b]) => b === name);
  return f![1]();
}

function dispose(x: unknown, depth = 0): void {
  if (x instanceof cb.Tensor) x.dispose();
  else if (Array.isArray(x) && depth < 2) x.forEach((y) => dispose(y, depth + 1));
  else if (x !== null && typeof x === "object" && depth < 2 && !(x instanceof Promise)) {
    try {
      for (const v of Object.values(x)) dispose(v, depth + 1);
    } catch {
      // a hostile object
    }
  }
}

function outcome(e: unknown): string {
  if (e instanceof UserError) return "UserError";
  if (e instanceof cb.CobaltError) return `CobaltError:${e.code}`;
  if (e instanceof TypeError) return "TypeError";
  const name = (e as Error)?.name;
  if (name === "CobaltError") return `CobaltError:${(e as Any).code}`;
  return `error:${name ?? typeof e}`;
}

/** Runs one call; returns its outcome and a short detail. */
export async function runCall(c: Call, byName: Map<string, Target>): Promise<[string, string]> {
  const t = byName.get(c.fn)!;
  const params = paramsOf(t);
  const n = Math.max(params.length, c.pos + 1);
  const args: unknown[] = [];
  try {
    for (let i = 0; i < n; i++) {
      args.push(i === c.pos ? badValue(c.fn, c.pos, c.bad) : params[i] ? params[i].valid() : undefined);
    }
  } catch (e) {
    return ["setup", `making the arguments threw ${(e as Error)?.message}`];
  }
  while (args.length > 0 && args.length > c.pos + 1 && args[args.length - 1] === undefined) args.pop();
  let recv: Any = undefined;
  let result: unknown;
  try {
    if (t.kind === "method" || t.kind === "getter") {
      const r = c.pos === -1 ? c.bad : c.recv;
      recv = r === undefined ? t23() : RECEIVERS.find(([x]) => x === r)![1]();
      if (t.kind === "getter") result = recv[t.key];
      else result = recv[t.key](...args);
    } else if (t.kind === "ctor") result = new t.obj[t.key](...args);
    else result = t.obj[t.key](...args);
    if (result instanceof Promise) {
      let timer: Any;
      const hang = new Promise((_, rej) => (timer = setTimeout(() => rej(new Error("__hang__")), 5000)));
      try {
        result = await Promise.race([result, hang]);
      } finally {
        clearTimeout(timer);
      }
    }
  } catch (e) {
    if ((e as Error)?.message === "__hang__") return ["hang", "the promise did not settle in 5 s"];
    return [outcome(e), String((e as Error)?.message ?? e).split("\n")[0].slice(0, 200)];
  } finally {
    try {
      if (recv instanceof cb.Tensor) recv.dispose();
      args.forEach((a) => dispose(a));
    } catch {
      // ignore
    }
  }
  dispose(result);
  return ["ok", ""];
}

/** Tensor work that a corrupted heap or a dangling handle is likely to trip over. */
function canary(): void {
  for (let i = 0; i < 300; i++) {
    const a = cb.arange(64 + (i % 7));
    const b = a.mul(2).add(a).sum();
    b.item();
    for (const t of [a, b]) t.dispose();
  }
  // deno-lint-ignore no-explicit-any
  const gc = (globalThis as any).gc ?? (globalThis as any).Bun?.gc;
  if (typeof gc === "function") gc(true);
}

async function main(argv: string[]): Promise<void> {
  const [idsFile, out, mode] = argv;
  const all = calls(true);
  const byName = new Map(targets().map((t) => [t.name, t]));
  const ids = readFileSync(idsFile, "utf8").trim().split(/\s+/).map(Number);
  const log = new SyncLog(out);
  // A valid file for load(); save() writes in the working directory (a temp dir).
  cb.save("valid.npy", cb.tensor([1, 2, 3]));
  for (const i of ids) {
    log.line(`begin ${i}`);
    const [o, detail] = await runCall(all[i], byName);
    log.line(`end ${i} ${o} ${detail.replace(/\s+/g, " ")}`);
  }
  if (mode === "canary") canary();
  log.close();
}

if (isMain(import.meta)) {
  await main(process.argv.slice(2));
  process.exit(0);
}
