/**
 * The `Tensor` methods that delegate to ops.ts, async.ts and io.ts, installed on `Tensor.prototype`
 * from this one place. tensor.ts declares them (types and docs) but cannot define them: it sits
 * below those modules, which import it for `Tensor` and `wrap`. This module sits above all of
 * them, so the import graph stays acyclic; mod.ts exports `Tensor` from here, so the methods are
 * in place before any code can make a tensor.
 * @module
 */
import {
  type Axes,
  type Operand,
  type PadOptions,
  type ReduceOptions,
  type SliceSpec,
  Tensor,
  type VarOptions,
} from "./tensor.ts";
import { checkDType, type DType, DTYPES } from "./dtype.ts";
import { sym } from "./core.ts";
import * as ops from "./ops.ts";
import { runJob } from "./async.ts";
import * as io from "./io.ts";
import * as staples from "./staples.ts";

export { Tensor };

/** `t op other` on the native pool (`addAsync`...). */
function binaryAsync(t: Tensor, op: number, other: Tensor, name: string): Promise<Tensor> {
  ops.asTensor(t, name); // a foreign receiver: a TypeError (as when this was a private method)
  const b = ops.asTensor(other, name);
  return runJob([t, b], (x, y) => sym.cobalt_binary_async(op, x, y));
}

/** A reduction on the native pool (`sumAsync`...). */
function reduceAsync(
  t: Tensor,
  op: number,
  name: string,
  axis: Axes,
  opts: ReduceOptions | undefined,
): Promise<Tensor> {
  ops.asTensor(t, name);
  return runJob([t], (x) => ops.reduceJob(op, name, x, axis, opts));
}

/**
 * The implementations, one per `declare`d member of `Tensor` (their docs are in tensor.ts). Each
 * one's parameters are the declared ones, so its `length` (arity) is what a class method had.
 */
const methods: ThisType<Tensor> & { [K in keyof Tensor]?: Tensor[K] } = {
  // ---- elementwise ------------------------------------------------------------------------------
  // <generated binary> (npm run gen, from scripts/optable.ts)
  add(other: Operand): Tensor {
    return ops.binary(ops.BINARY_OP.add, this, other, false);
  },
  sub(other: Operand): Tensor {
    return ops.binary(ops.BINARY_OP.sub, this, other, false);
  },
  mul(other: Operand): Tensor {
    return ops.binary(ops.BINARY_OP.mul, this, other, false);
  },
  div(other: Operand): Tensor {
    return ops.binary(ops.BINARY_OP.div, this, other, false);
  },
  pow(other: Operand): Tensor {
    return ops.binary(ops.BINARY_OP.pow, this, other, false);
  },
  maximum(other: Operand): Tensor {
    return ops.binary(ops.BINARY_OP.maximum, this, other, false);
  },
  minimum(other: Operand): Tensor {
    return ops.binary(ops.BINARY_OP.minimum, this, other, false);
  },
  mod(other: Operand): Tensor {
    return ops.binary(ops.BINARY_OP.mod, this, other, false);
  },
  floorDiv(other: Operand): Tensor {
    return ops.binary(ops.BINARY_OP.floorDiv, this, other, false);
  },
  eq(other: Operand): Tensor {
    return ops.binary(ops.BINARY_OP.eq, this, other, false);
  },
  ne(other: Operand): Tensor {
    return ops.binary(ops.BINARY_OP.ne, this, other, false);
  },
  lt(other: Operand): Tensor {
    return ops.binary(ops.BINARY_OP.lt, this, other, false);
  },
  le(other: Operand): Tensor {
    return ops.binary(ops.BINARY_OP.le, this, other, false);
  },
  gt(other: Operand): Tensor {
    return ops.binary(ops.BINARY_OP.gt, this, other, false);
  },
  ge(other: Operand): Tensor {
    return ops.binary(ops.BINARY_OP.ge, this, other, false);
  },
  logicalAnd(other: Operand): Tensor {
    return ops.binary(ops.BINARY_OP.logicalAnd, this, other, false);
  },
  logicalOr(other: Operand): Tensor {
    return ops.binary(ops.BINARY_OP.logicalOr, this, other, false);
  },
  logicalXor(other: Operand): Tensor {
    return ops.binary(ops.BINARY_OP.logicalXor, this, other, false);
  },
  // </generated>
  rsub(other: number): Tensor {
    return ops.binary(ops.BINARY_OP.sub, this, other, true);
  },
  rdiv(other: number): Tensor {
    return ops.binary(ops.BINARY_OP.div, this, other, true);
  },
  clamp(min?: Operand | null, max?: Operand | null): Tensor {
    return ops.clamp(this, min, max);
  },
  // <generated unary> (npm run gen, from scripts/optable.ts)
  neg(): Tensor {
    return ops.unary(ops.UNARY_OP.neg, this);
  },
  exp(): Tensor {
    return ops.unary(ops.UNARY_OP.exp, this);
  },
  log(): Tensor {
    return ops.unary(ops.UNARY_OP.log, this);
  },
  sqrt(): Tensor {
    return ops.unary(ops.UNARY_OP.sqrt, this);
  },
  abs(): Tensor {
    return ops.unary(ops.UNARY_OP.abs, this);
  },
  tanh(): Tensor {
    return ops.unary(ops.UNARY_OP.tanh, this);
  },
  sigmoid(): Tensor {
    return ops.unary(ops.UNARY_OP.sigmoid, this);
  },
  relu(): Tensor {
    return ops.unary(ops.UNARY_OP.relu, this);
  },
  sign(): Tensor {
    return ops.unary(ops.UNARY_OP.sign, this);
  },
  log1p(): Tensor {
    return ops.unary(ops.UNARY_OP.log1p, this);
  },
  expm1(): Tensor {
    return ops.unary(ops.UNARY_OP.expm1, this);
  },
  rsqrt(): Tensor {
    return ops.unary(ops.UNARY_OP.rsqrt, this);
  },
  sin(): Tensor {
    return ops.unary(ops.UNARY_OP.sin, this);
  },
  cos(): Tensor {
    return ops.unary(ops.UNARY_OP.cos, this);
  },
  tan(): Tensor {
    return ops.unary(ops.UNARY_OP.tan, this);
  },
  silu(): Tensor {
    return ops.unary(ops.UNARY_OP.silu, this);
  },
  softplus(): Tensor {
    return ops.unary(ops.UNARY_OP.softplus, this);
  },
  floor(): Tensor {
    return ops.unary(ops.UNARY_OP.floor, this);
  },
  ceil(): Tensor {
    return ops.unary(ops.UNARY_OP.ceil, this);
  },
  round(): Tensor {
    return ops.unary(ops.UNARY_OP.round, this);
  },
  isnan(): Tensor {
    return ops.unary(ops.UNARY_OP.isnan, this);
  },
  isfinite(): Tensor {
    return ops.unary(ops.UNARY_OP.isfinite, this);
  },
  logicalNot(): Tensor {
    return ops.unary(ops.UNARY_OP.logicalNot, this);
  },
  square(): Tensor {
    return ops.unary(ops.UNARY_OP.square, this);
  },
  log2(): Tensor {
    return ops.unary(ops.UNARY_OP.log2, this);
  },
  log10(): Tensor {
    return ops.unary(ops.UNARY_OP.log10, this);
  },
  exp2(): Tensor {
    return ops.unary(ops.UNARY_OP.exp2, this);
  },
  trunc(): Tensor {
    return ops.unary(ops.UNARY_OP.trunc, this);
  },
  erf(): Tensor {
    return ops.unary(ops.UNARY_OP.erf, this);
  },
  asin(): Tensor {
    return ops.unary(ops.UNARY_OP.asin, this);
  },
  acos(): Tensor {
    return ops.unary(ops.UNARY_OP.acos, this);
  },
  atan(): Tensor {
    return ops.unary(ops.UNARY_OP.atan, this);
  },
  sinh(): Tensor {
    return ops.unary(ops.UNARY_OP.sinh, this);
  },
  cosh(): Tensor {
    return ops.unary(ops.UNARY_OP.cosh, this);
  },
  reciprocal(): Tensor {
    return ops.unary(ops.UNARY_OP.reciprocal, this);
  },
  cbrt(): Tensor {
    return ops.unary(ops.UNARY_OP.cbrt, this);
  },
  // </generated>
  gelu(opts?: { approximate?: "none" | "tanh" }): Tensor {
    return ops.gelu(this, opts);
  },

  // ---- reductions -------------------------------------------------------------------------------
  // <generated reduce> (npm run gen, from scripts/optable.ts)
  sum(axis?: Axes, opts?: ReduceOptions): Tensor {
    return ops.reduce(ops.REDUCE_OP.sum, "sum", this, axis, opts);
  },
  mean(axis?: Axes, opts?: ReduceOptions): Tensor {
    return ops.reduce(ops.REDUCE_OP.mean, "mean", this, axis, opts);
  },
  max(axis?: Axes, opts?: ReduceOptions): Tensor {
    return ops.reduce(ops.REDUCE_OP.max, "max", this, axis, opts);
  },
  min(axis?: Axes, opts?: ReduceOptions): Tensor {
    return ops.reduce(ops.REDUCE_OP.min, "min", this, axis, opts);
  },
  prod(axis?: Axes, opts?: ReduceOptions): Tensor {
    return ops.reduce(ops.REDUCE_OP.prod, "prod", this, axis, opts);
  },
  argmax(axis?: number | null, opts?: ReduceOptions): Tensor {
    return ops.reduce(ops.REDUCE_OP.argmax, "argmax", this, axis, opts);
  },
  argmin(axis?: number | null, opts?: ReduceOptions): Tensor {
    return ops.reduce(ops.REDUCE_OP.argmin, "argmin", this, axis, opts);
  },
  any(axis?: Axes, opts?: ReduceOptions): Tensor {
    return ops.reduce(ops.REDUCE_OP.any, "any", this, axis, opts);
  },
  all(axis?: Axes, opts?: ReduceOptions): Tensor {
    return ops.reduce(ops.REDUCE_OP.all, "all", this, axis, opts);
  },
  logsumexp(axis?: Axes, opts?: ReduceOptions): Tensor {
    return ops.reduce(ops.REDUCE_OP.logsumexp, "logsumexp", this, axis, opts);
  },
  var(axis?: Axes, opts?: VarOptions): Tensor {
    return ops.reduce(ops.REDUCE_OP.var, "var", this, axis, opts, opts?.ddof);
  },
  std(axis?: Axes, opts?: VarOptions): Tensor {
    return ops.reduce(ops.REDUCE_OP.std, "std", this, axis, opts, opts?.ddof);
  },
  // </generated>
  // <generated scan> (npm run gen, from scripts/optable.ts)
  cumsum(axis?: number | null): Tensor {
    return ops.scan(ops.SCAN_OP.cumsum, "cumsum", this, axis);
  },
  cumprod(axis?: number | null): Tensor {
    return ops.scan(ops.SCAN_OP.cumprod, "cumprod", this, axis);
  },
  softmax(axis: number = -1): Tensor {
    return ops.scan(ops.SCAN_OP.softmax, "softmax", this, axis);
  },
  logSoftmax(axis: number = -1): Tensor {
    return ops.scan(ops.SCAN_OP.logSoftmax, "logSoftmax", this, axis);
  },
  // </generated>

  // ---- numpy staples (staples.ts) --------------------------------------------------------------
  nansum(axis?: Axes, opts?: ReduceOptions): Tensor {
    return staples.nansum(this, axis, opts);
  },
  nanmean(axis?: Axes, opts?: ReduceOptions): Tensor {
    return staples.nanmean(this, axis, opts);
  },
  nanmax(axis?: Axes, opts?: ReduceOptions): Tensor {
    return staples.nanmax(this, axis, opts);
  },
  nanmin(axis?: Axes, opts?: ReduceOptions): Tensor {
    return staples.nanmin(this, axis, opts);
  },
  ptp(axis?: Axes, opts?: ReduceOptions): Tensor {
    return staples.ptp(this, axis, opts);
  },
  quantile(q: number | number[], opts?: staples.QuantileOptions): Tensor {
    return staples.quantile(this, q, opts);
  },
  median(opts?: Omit<staples.QuantileOptions, "method">): Tensor {
    return staples.median(this, opts);
  },
  countNonzero(axis?: Axes, opts?: ReduceOptions): Tensor {
    return staples.countNonzero(this, axis, opts);
  },
  trace(offset: number = 0): Tensor {
    return staples.trace(this, offset);
  },
  diagonal(offset: number = 0): Tensor {
    return staples.diagonal(this, offset);
  },
  maskedFill(mask: Tensor, value: number): Tensor {
    return staples.maskedFill(this, mask, value);
  },
  clip(min?: Operand | null, max?: Operand | null): Tensor {
    return ops.clamp(this, min, max);
  },

  nonzero(): Tensor {
    return staples.nonzero(this);
  },
  maskedSelect(mask: Tensor): Tensor {
    return staples.maskedSelect(this, mask);
  },
  maskedAssign(mask: Tensor, values: Operand): Tensor {
    return staples.maskedAssign(this, mask, values);
  },

  layerNorm(axes: number | number[] = -1, opts?: { eps?: number | undefined }): Tensor {
    return staples.layerNorm(this, axes, opts);
  },

  // ---- linear algebra ---------------------------------------------------------------------------
  matmul(other: Tensor): Tensor {
    return ops.matmul(this, other);
  },
  dot(other: Tensor): Tensor {
    return ops.dot(this, other);
  },
  outer(other: Tensor): Tensor {
    return ops.outer(this, other);
  },

  // ---- shape ------------------------------------------------------------------------------------
  reshape(...shape: number[] | [number[]]): Tensor {
    return ops.reshape(this, (Array.isArray(shape[0]) ? shape[0] : shape) as number[]);
  },
  flatten(start: number = 0, end: number = -1): Tensor {
    return ops.flatten(this, start, end);
  },
  permute(...axes: number[]): Tensor {
    return ops.permute(this, axes);
  },
  slice(...specs: SliceSpec[]): Tensor {
    return ops.slice(this, specs);
  },
  expand(shape: number[]): Tensor {
    return ops.expand(this, shape);
  },
  broadcastTo(shape: number[]): Tensor {
    return ops.expand(this, shape);
  },
  squeeze(axis?: number | number[]): Tensor {
    return ops.squeeze(this, axis);
  },
  unsqueeze(axis: number): Tensor {
    return ops.unsqueeze(this, axis);
  },
  flip(axes?: number | number[]): Tensor {
    return ops.flip(this, axes);
  },
  tile(reps: number | number[]): Tensor {
    return ops.tile(this, reps);
  },
  repeat(n: number, axis?: number): Tensor {
    return ops.repeat(this, n, axis);
  },
  tril(k: number = 0): Tensor {
    return ops.tri(this, k, true);
  },
  triu(k: number = 0): Tensor {
    return ops.tri(this, k, false);
  },
  pad(widths: number | [number, number] | [number, number][], options: number | PadOptions = 0): Tensor {
    return ops.pad(this, widths, options);
  },
  split(sections: number | number[], axis: number = 0): Tensor[] {
    return ops.split(this, sections, axis);
  },
  chunk(n: number, axis: number = 0): Tensor[] {
    return ops.chunk(this, n, axis);
  },

  // ---- indexing ---------------------------------------------------------------------------------
  indexSelect(axis: number, indices: Tensor | number[]): Tensor {
    return ops.indexSelect(this, axis, indices);
  },
  take(indices: Tensor | number[], axis?: number): Tensor {
    return ops.take(this, indices, axis);
  },
  gather(axis: number, index: Tensor): Tensor {
    return ops.gather(this, axis, index);
  },
  scatter(axis: number, index: Tensor, src: Tensor | number): Tensor {
    return ops.scatter(this, axis, index, src, false);
  },
  scatterAdd(axis: number, index: Tensor, src: Tensor | number): Tensor {
    return ops.scatter(this, axis, index, src, true);
  },
  argsort(axis: number = -1, opts?: { descending?: boolean }): Tensor {
    return ops.argsort(this, axis, opts);
  },
  sort(axis: number = -1, opts?: { descending?: boolean }): { values: Tensor; indices: Tensor } {
    return ops.sort(this, axis, opts);
  },
  topk(k: number, axis: number = -1, opts?: { largest?: boolean }): { values: Tensor; indices: Tensor } {
    return ops.topk(this, k, axis, opts);
  },
  assign(value: Operand): Tensor {
    ops.assign(this, value);
    return this;
  },

  // ---- bytes and objects (io.ts) ----------------------------------------------------------------
  toBytes(): Uint8Array {
    return io.toBytes(this);
  },
  toObject(): ReturnType<typeof io.toObject> {
    return io.toObject(this);
  },

  // ---- off the JS thread (async.ts) -------------------------------------------------------------
  matmulAsync(other: Tensor): Promise<Tensor> {
    const b = ops.asTensor(other, "matmulAsync");
    return runJob([this, b], (x, y) => sym.cobalt_matmul_async(x, y));
  },
  addAsync(other: Tensor): Promise<Tensor> {
    return binaryAsync(this, ops.BINARY_OP.add, other, "addAsync");
  },
  subAsync(other: Tensor): Promise<Tensor> {
    return binaryAsync(this, ops.BINARY_OP.sub, other, "subAsync");
  },
  mulAsync(other: Tensor): Promise<Tensor> {
    return binaryAsync(this, ops.BINARY_OP.mul, other, "mulAsync");
  },
  divAsync(other: Tensor): Promise<Tensor> {
    return binaryAsync(this, ops.BINARY_OP.div, other, "divAsync");
  },
  expAsync(): Promise<Tensor> {
    return runJob([this], (x) => sym.cobalt_unary_async(ops.UNARY_OP.exp, x));
  },
  tanhAsync(): Promise<Tensor> {
    return runJob([this], (x) => sym.cobalt_unary_async(ops.UNARY_OP.tanh, x));
  },
  sumAsync(axis?: Axes, opts?: ReduceOptions): Promise<Tensor> {
    return reduceAsync(this, ops.REDUCE_OP.sum, "sumAsync", axis, opts);
  },
  meanAsync(axis?: Axes, opts?: ReduceOptions): Promise<Tensor> {
    return reduceAsync(this, ops.REDUCE_OP.mean, "meanAsync", axis, opts);
  },
  maxAsync(axis?: Axes, opts?: ReduceOptions): Promise<Tensor> {
    return reduceAsync(this, ops.REDUCE_OP.max, "maxAsync", axis, opts);
  },
  astypeAsync(dtype: DType): Promise<Tensor> {
    const code = DTYPES[checkDType(dtype, "astypeAsync")].code;
    return runJob([this], (x) => sym.cobalt_astype_async(x, code), dtype);
  },
  contiguousAsync(): Promise<Tensor> {
    return runJob([this], (x) => sym.cobalt_contiguous_async(x));
  },
};

// Defined as a class defines its methods: writable, configurable, not enumerable.
for (const [name, d] of Object.entries(Object.getOwnPropertyDescriptors(methods))) {
  if (Object.hasOwn(Tensor.prototype, name)) throw new Error(`Tensor.prototype.${name} is defined twice`);
  Object.defineProperty(Tensor.prototype, name, {
    value: d.value,
    writable: true,
    enumerable: false,
    configurable: true,
  });
}
