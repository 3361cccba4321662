/**
 * cobalt: tensors in native memory for Deno and Bun, computed by a Rust core through a C ABI.
 *
 * @example
 * ```ts
 * import * as cb from "./mod.ts";
 * using a = cb.tensor([[1, 2], [3, 4]]);
 * using b = a.matmul(a).add(1);
 * console.log(b.toArray()); // [[8, 11], [16, 23]]
 * ```
 * @module
 */
export { Tensor } from "./ffi/methods.ts";
export type {
  Axes,
  NestedArray,
  Operand,
  PadMode,
  PadOptions,
  ReduceOptions,
  SliceSpec,
  VarOptions,
} from "./ffi/tensor.ts";
export { emptyCache, memory, memoryLimit, setLeakWarning, setMemoryLimit } from "./ffi/core.ts";
export type { MemoryInfo } from "./ffi/core.ts";
export {
  arange,
  empty,
  eye,
  full,
  fullLike,
  linspace,
  ones,
  onesLike,
  rand,
  randLike,
  randn,
  randnLike,
  tensor,
  zeros,
  zerosLike,
} from "./ffi/create.ts";
export type { CreateOptions, RandomOptions, TensorOptions } from "./ffi/create.ts";
export { concat, dot, matmul, outer, stack, where } from "./ffi/ops.ts";
export { einsum } from "./ffi/einsum.ts";
export { avgPool2d, conv1d, conv2d, maxPool2d } from "./ffi/conv.ts";
export type {
  AvgPool2dOptions,
  Conv1dOptions,
  Conv2dOptions,
  MaxPool2dOptions,
  SizeArg,
} from "./ffi/conv.ts";
export * as linalg from "./ffi/linalg.ts";
export {
  allclose,
  argwhere,
  arrayEqual,
  bincount,
  diag,
  isclose,
  meshgrid,
  oneHot,
  unique,
} from "./ffi/staples.ts";
export type { CloseOptions, QuantileOptions, UniqueOptions } from "./ffi/staples.ts";
export { keep, scope } from "./ffi/scope.ts";
export { choice, Generator, normal, permutation, randint, RandomGenerator, uniform } from "./ffi/random.ts";
export type { ChoiceOptions, RandomDrawOptions } from "./ffi/random.ts";
export {
  decodeNpy,
  decodeNpz,
  decodeNpzAsync,
  decodeSafetensors,
  encodeNpy,
  encodeNpz,
  encodeSafetensors,
  fromBytes,
  fromObject,
  load,
  loadAsync,
  save,
  saveAsync,
  toBytes,
  toObject,
} from "./ffi/io.ts";
export type { Format, Loaded, LoadOptions, SaveOptions, TensorMap, TensorObject } from "./ffi/io.ts";
export { fromShared, numThreads, setNumThreads, share, unshare } from "./ffi/async.ts";
export type { SharedTensor } from "./ffi/async.ts";
export { CobaltError } from "./ffi/errors.ts";
export type { CobaltErrorCode } from "./ffi/errors.ts";
export type { DType, TypedArray } from "./ffi/dtype.ts";
export { ABI_VERSION } from "./ffi/load.ts";
export { native } from "./ffi/debug.ts";
