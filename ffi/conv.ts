/**
 * Convolution and pooling with torch.nn.functional's semantics: `conv1d`, `conv2d` (NCHW input,
 * OIHW weight, stride, padding incl. "same"/"valid", dilation, groups, bias), `maxPool2d` and
 * `avgPool2d`. One native call each (im2col + the GEMM kernels; direct pooling kernels); the
 * options are checked here so that a mistake gets a message naming the shapes.
 *
 * Dtypes: the result has the promoted dtype of the operands, as `matmul` (float16/bfloat16 compute
 * in float32); an integer convolution computes in its own type and wraps on overflow, as numpy's
 * `matmul` of the im2col matrix does; bool is refused. `maxPool2d` keeps the dtype; `avgPool2d`
 * keeps float dtypes and gives float64 for integers.
 * @module
 */
import { CobaltError } from "./errors.ts";
import { INT32_MAX, show } from "./ints.ts";
import { boolOption, checkOptions } from "./options.ts";
import { sym } from "./core.ts";
import { fmtShape, type Tensor, wrap } from "./tensor.ts";
import { asTensor } from "./ops.ts";

/** A size per spatial dim: one number for all, or one per dim (`[h, w]` for 2-D). */
export type SizeArg = number | readonly number[];

/** Options of {@linkcode conv2d} (torch `F.conv2d`). */
export interface Conv2dOptions {
  /** Added to each output channel: shape (O,); `null` (torch's None) is no bias. */
  bias?: Tensor | null | undefined;
  /** Window step, `n` or `[h, w]` (default 1). */
  stride?: SizeArg | undefined;
  /** Zeros around the input, `n` or `[h, w]`, or "same" (output size = input size; stride 1 only) or "valid" (0) (default 0). */
  padding?: SizeArg | "same" | "valid" | undefined;
  /** Spacing of the kernel taps, `n` or `[h, w]` (default 1). */
  dilation?: SizeArg | undefined;
  /** Channel groups: input and output channels split in `groups` independent convolutions (default 1). */
  groups?: number | undefined;
}

/** Options of {@linkcode conv1d} (torch `F.conv1d`): sizes are one number (or `[n]`). */
export type Conv1dOptions = Conv2dOptions;

/** Options of {@linkcode maxPool2d} (torch `F.max_pool2d`). */
export interface MaxPool2dOptions {
  /** Window step, `n` or `[h, w]` (default: the kernel size; `null`, torch's None, too). */
  stride?: SizeArg | null | undefined;
  /** Implicit -inf padding, at most half the (dilated) kernel (default 0). */
  padding?: SizeArg | undefined;
  /** Spacing of the window taps (default 1). */
  dilation?: SizeArg | undefined;
  /** Round the output size up, so a partial last window counts (default false). */
  ceilMode?: boolean | undefined;
  /** Also return the int64 flat index (`y * W + x` in its plane) of each maximum: `[values, indices]` (default false). */
  returnIndices?: boolean | undefined;
}

/** Options of {@linkcode avgPool2d} (torch `F.avg_pool2d`). */
export interface AvgPool2dOptions {
  /** Window step, `n` or `[h, w]` (default: the kernel size; `null`, torch's None, too). */
  stride?: SizeArg | null | undefined;
  /** Implicit zero padding, at most half the kernel (default 0). */
  padding?: SizeArg | undefined;
  /** Round the output size up, so a partial last window counts (default false). */
  ceilMode?: boolean | undefined;
  /** Divide by the window size including its padding (default true). */
  countIncludePad?: boolean | undefined;
  /** Divide every window's sum by this instead (torch's `divisor_override`; default none). */
  divisorOverride?: number | null | undefined;
}

const CONV_KEYS = ["bias", "stride", "padding", "dilation", "groups"] as const;
const MAX_KEYS = ["stride", "padding", "dilation", "ceilMode", "returnIndices"] as const;
const AVG_KEYS = ["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"] as const;

// the int64 option values of cobalt_conv / cobalt_pool2d (all in -1..2^31-1)
const PARAMS_I32 = new Int32Array(2 * 16); // room for 16 int64 values
const PARAMS = new Uint8Array(PARAMS_I32.buffer);

function writeParams(values: readonly number[]): Uint8Array {
  for (let i = 0; i < values.length; i++) {
    PARAMS_I32[2 * i] = values[i]!;
    PARAMS_I32[2 * i + 1] = values[i]! < 0 ? -1 : 0;
  }
  return PARAMS;
}

/** `v` (a number or an array of `dims` numbers) as `dims` integers >= `min`. */
function sizes(v: unknown, dims: number, op: string, what: string, min: number): number[] {
  const one = (x: unknown): number => {
    if (typeof x !== "number" || !Number.isInteger(x)) {
      throw new TypeError(`${op}: ${what} must be an integer or an array of ${dims}, got ${show(v)}`);
    }
    if (x < min || x > INT32_MAX) {
      throw new CobaltError("INVALID_ARGUMENT", `${op}: ${what} must be in ${min}..2^31-1, got ${show(v)}`);
    }
    return x;
  };
  if (Array.isArray(v)) {
    if (v.length !== dims) {
      throw new CobaltError("INVALID_ARGUMENT", `${op}: ${what} must have ${dims} entries, got ${show(v)}`);
    }
    return v.map(one);
  }
  const x = one(v);
  return Array.from({ length: dims }, () => x);
}

function conv(spatial: 1 | 2, input: Tensor, weight: Tensor, opts: Conv2dOptions | undefined): Tensor {
  const op = spatial === 1 ? "conv1d" : "conv2d";
  const x = asTensor(input, op), w = asTensor(weight, op);
  checkOptions(opts, CONV_KEYS, op);
  const b = opts?.bias == null ? undefined : asTensor(opts.bias, `${op} bias`);
  const stride = sizes(opts?.stride ?? 1, spatial, op, "stride", 1);
  const dilation = sizes(opts?.dilation ?? 1, spatial, op, "dilation", 1);
  const p = opts?.padding ?? 0;
  let padding: number[];
  if (p === "same") {
    if (stride.some((s) => s !== 1)) {
      throw new CobaltError(
        "INVALID_ARGUMENT",
        `${op}: padding "same" needs stride 1 (torch), got ${show(stride)}`,
      );
    }
    padding = [-1, -1];
  } else if (p === "valid") padding = [0, 0];
  else if (typeof p === "string") {
    throw new CobaltError(
      "INVALID_ARGUMENT",
      `${op}: padding must be a number, an array, "same" or "valid", got ${show(p)}`,
    );
  } else padding = sizes(p, spatial, op, "padding", 0);
  const gv = opts?.groups ?? 1;
  if (typeof gv !== "number" || !Number.isInteger(gv)) {
    throw new TypeError(`${op}: groups must be an integer, got ${show(gv)}`);
  }
  if (gv < 1 || gv > INT32_MAX) {
    throw new CobaltError("INVALID_ARGUMENT", `${op}: groups must be >= 1, got ${gv}`);
  }
  // the shapes, with messages that name them
  const layout = spatial === 1 ? "(N, C, L) or (C, L)" : "(N, C, H, W) or (C, H, W)";
  const wl = spatial === 1 ? "(O, C/groups, K)" : "(O, C/groups, kH, kW)";
  if (x.ndim !== spatial + 1 && x.ndim !== spatial + 2) {
    throw new CobaltError("SHAPE_MISMATCH", `${op}: input must be ${layout}, got shape ${fmtShape(x.shape)}`);
  }
  if (w.ndim !== spatial + 2) {
    throw new CobaltError("SHAPE_MISMATCH", `${op}: weight must be ${wl}, got shape ${fmtShape(w.shape)}`);
  }
  const c = x.shape[x.ndim - spatial - 1]!, [o, cg] = [w.shape[0]!, w.shape[1]!];
  if (cg * gv !== c) {
    throw new CobaltError(
      "SHAPE_MISMATCH",
      `${op}: input ${fmtShape(x.shape)} has ${c} channels, but weight ${
        fmtShape(w.shape)
      } with groups=${gv} ` +
        `expects ${cg * gv} (weight.shape[1] * groups)`,
    );
  }
  if (o % gv !== 0) {
    throw new CobaltError(
      "SHAPE_MISMATCH",
      `${op}: weight ${fmtShape(w.shape)} has ${o} output channels, not divisible by groups=${gv}`,
    );
  }
  if (b !== undefined && (b.ndim !== 1 || b.shape[0] !== o)) {
    throw new CobaltError(
      "SHAPE_MISMATCH",
      `${op}: bias must have shape (${o},) (the weight's output channels), got ${fmtShape(b.shape)}`,
    );
  }
  const two = (v: number[]) => (spatial === 1 ? [1, v[0]!] : v);
  const pads = spatial === 1 && padding[0] !== -1 ? [0, padding[0]!] : padding;
  const params = writeParams([...two(stride), ...pads, ...two(dilation), gv]);
  return wrap(sym.cobalt_conv(x.handle, w.handle, b === undefined ? null : b.handle, spatial, params));
}

/**
 * 2-D convolution, torch `F.conv2d` (a cross-correlation, as every deep-learning library's): input
 * (N, C, H, W) or unbatched (C, H, W), weight (O, C/groups, kH, kW); the output is (N, O, oH, oW)
 * with `oH = floor((H + 2*padH - dilationH*(kH - 1) - 1) / strideH) + 1`. Computed by im2col and
 * the packed GEMM kernels. Dtypes as `matmul`: the promoted dtype; integers wrap; bool is refused.
 * @param input (N, C, H, W) or (C, H, W)
 * @param weight (O, C/groups, kH, kW)
 * @param opts `bias` (O,), `stride` (default 1), `padding` (default 0; "same" pads the odd extra
 * at the bottom / right, as torch), `dilation` (default 1), `groups` (default 1)
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const x = cb.ones([1, 1, 4, 4]);
 * const w = cb.ones([2, 1, 3, 3]);
 * cb.conv2d(x, w).shape; // [1, 2, 2, 2]
 * cb.conv2d(x, w, { padding: "same", bias: cb.tensor([0, 1]) }).shape; // [1, 2, 4, 4]
 * cb.conv2d(x, w, { padding: 1 }).slice(0, 0, 0).toArray(); // [4, 6, 6, 4]
 * ```
 */
export function conv2d(input: Tensor, weight: Tensor, opts?: Conv2dOptions): Tensor {
  return conv(2, input, weight, opts);
}

/**
 * 1-D convolution, torch `F.conv1d`: input (N, C, L) or unbatched (C, L), weight (O, C/groups, K);
 * the output is (N, O, oL). The options are {@linkcode conv2d}'s with one size per option.
 * @param input (N, C, L) or (C, L)
 * @param weight (O, C/groups, K)
 * @param opts `bias` (O,), `stride` (default 1), `padding` (default 0, or "same" / "valid"),
 * `dilation` (default 1), `groups` (default 1)
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const x = cb.tensor([[[1, 2, 3, 4, 5]]]);
 * cb.conv1d(x, cb.tensor([[[1, 0, -1]]])).toArray(); // [[[-2, -2, -2]]]
 * ```
 */
export function conv1d(input: Tensor, weight: Tensor, opts?: Conv1dOptions): Tensor {
  return conv(1, input, weight, opts);
}

/** kind: 0 max, 1 avg, 2 the indices of max (cobalt_pool2d's). */
function pool(
  kind: 0 | 1 | 2,
  input: Tensor,
  kernelSize: SizeArg,
  opts: MaxPool2dOptions | AvgPool2dOptions | undefined,
): Tensor {
  const avg = kind === 1;
  const op = avg ? "avgPool2d" : "maxPool2d";
  const x = asTensor(input, op);
  checkOptions(opts, avg ? AVG_KEYS : MAX_KEYS, op);
  const o = (opts ?? {}) as MaxPool2dOptions & AvgPool2dOptions;
  const k = sizes(kernelSize, 2, op, "kernelSize", 1);
  const stride = o.stride == null ? k : sizes(o.stride, 2, op, "stride", 1);
  const padding = sizes(o.padding ?? 0, 2, op, "padding", 0);
  const dilation = avg ? [1, 1] : sizes(o.dilation ?? 1, 2, op, "dilation", 1);
  const ceil = boolOption(o.ceilMode, op, "ceilMode");
  if (!avg) boolOption(o.returnIndices, op, "returnIndices");
  const include = avg ? boolOption(o.countIncludePad, op, "countIncludePad", true) : false;
  const divisor = avg && o.divisorOverride != null
    ? sizes(o.divisorOverride, 1, op, "divisorOverride", 1)[0]!
    : 0;
  if (x.ndim !== 3 && x.ndim !== 4) {
    throw new CobaltError(
      "SHAPE_MISMATCH",
      `${op}: input must be (N, C, H, W) or (C, H, W), got shape ${fmtShape(x.shape)}`,
    );
  }
  for (let i = 0; i < 2; i++) {
    const eff = avg ? k[i]! : dilation[i]! * (k[i]! - 1) + 1;
    if (padding[i]! > Math.floor(eff / 2)) {
      throw new CobaltError(
        "INVALID_ARGUMENT",
        `${op}: padding ${show(padding)} must be at most half the kernel size ${show(k)}`,
      );
    }
  }
  const params = writeParams([...k, ...stride, ...padding, ...dilation, divisor]);
  try {
    return wrap(sym.cobalt_pool2d(kind, x.handle, params, ceil ? 1 : 0, include ? 1 : 0));
  } catch (e) {
    // the core names the op as torch does (max_pool2d): name it as it was called
    const native = avg ? "avg_pool2d:" : "max_pool2d:";
    if (e instanceof CobaltError && e.message.startsWith(native)) {
      throw new CobaltError(e.code, `${op}:${e.message.slice(native.length)}`, { cause: e });
    }
    throw e;
  }
}

/**
/**
 * 2-D max pooling, torch `F.max_pool2d`: the largest value of each window of (N, C, H, W) or
 * (C, H, W); padding is -inf (never chosen), a NaN in a window is the result. Keeps the dtype
 * (integers too; bool is refused). With `returnIndices: true`, `[values, indices]`: the int64
 * flat index of each value in its H x W plane (torch's `return_indices`).
 * @param input (N, C, H, W) or (C, H, W)
 * @param kernelSize the window, `k` or `[kH, kW]`
 * @param opts `stride` (default kernelSize), `padding` (default 0, at most half the kernel),
 * `dilation` (default 1), `ceilMode` (default false), `returnIndices` (default false)
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const x = cb.arange(16).reshape(1, 1, 4, 4);
 * cb.maxPool2d(x, 2).toArray(); // [[[[5, 7], [13, 15]]]]
 * const [v, i] = cb.maxPool2d(x, 3, { stride: 1, returnIndices: true });
 * i.toArray(); // [[[[10, 11], [14, 15]]]]
 * ```
 */
export function maxPool2d(
  input: Tensor,
  kernelSize: SizeArg,
  opts?: MaxPool2dOptions & { returnIndices?: false | undefined },
): Tensor;
/**
 * 2-D max pooling, torch `F.max_pool2d`: the largest value of each window of (N, C, H, W) or
 * (C, H, W); padding is -inf (never chosen), a NaN in a window is the result. Keeps the dtype
 * (integers too; bool is refused). With `returnIndices: true`, `[values, indices]`: the int64
 * flat index of each value in its H x W plane (torch's `return_indices`).
 * @param input (N, C, H, W) or (C, H, W)
 * @param kernelSize the window, `k` or `[kH, kW]`
 * @param opts `stride` (default kernelSize), `padding` (default 0, at most half the kernel),
 * `dilation` (default 1), `ceilMode` (default false), `returnIndices` (default false)
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const x = cb.arange(16).reshape(1, 1, 4, 4);
 * cb.maxPool2d(x, 2).toArray(); // [[[[5, 7], [13, 15]]]]
 * const [v, i] = cb.maxPool2d(x, 3, { stride: 1, returnIndices: true });
 * i.toArray(); // [[[[10, 11], [14, 15]]]]
 * ```
 */
export function maxPool2d(
  input: Tensor,
  kernelSize: SizeArg,
  opts: MaxPool2dOptions & { returnIndices: true },
): [Tensor, Tensor];
/**
 * 2-D max pooling, torch `F.max_pool2d`: the largest value of each window of (N, C, H, W) or
 * (C, H, W); padding is -inf (never chosen), a NaN in a window is the result. Keeps the dtype
 * (integers too; bool is refused). With `returnIndices: true`, `[values, indices]`: the int64
 * flat index of each value in its H x W plane (torch's `return_indices`).
 * @param input (N, C, H, W) or (C, H, W)
 * @param kernelSize the window, `k` or `[kH, kW]`
 * @param opts `stride` (default kernelSize), `padding` (default 0, at most half the kernel),
 * `dilation` (default 1), `ceilMode` (default false), `returnIndices` (default false)
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const x = cb.arange(16).reshape(1, 1, 4, 4);
 * cb.maxPool2d(x, 2).toArray(); // [[[[5, 7], [13, 15]]]]
 * const [v, i] = cb.maxPool2d(x, 3, { stride: 1, returnIndices: true });
 * i.toArray(); // [[[[10, 11], [14, 15]]]]
 * ```
 */
export function maxPool2d(
  input: Tensor,
  kernelSize: SizeArg,
  opts?: MaxPool2dOptions,
): Tensor | [Tensor, Tensor];
/**
 * 2-D max pooling, torch `F.max_pool2d`: the largest value of each window of (N, C, H, W) or
 * (C, H, W); padding is -inf (never chosen), a NaN in a window is the result. Keeps the dtype
 * (integers too; bool is refused). With `returnIndices: true`, `[values, indices]`: the int64
 * flat index of each value in its H x W plane (torch's `return_indices`).
 * @param input (N, C, H, W) or (C, H, W)
 * @param kernelSize the window, `k` or `[kH, kW]`
 * @param opts `stride` (default kernelSize), `padding` (default 0, at most half the kernel),
 * `dilation` (default 1), `ceilMode` (default false), `returnIndices` (default false)
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const x = cb.arange(16).reshape(1, 1, 4, 4);
 * cb.maxPool2d(x, 2).toArray(); // [[[[5, 7], [13, 15]]]]
 * const [v, i] = cb.maxPool2d(x, 3, { stride: 1, returnIndices: true });
 * i.toArray(); // [[[[10, 11], [14, 15]]]]
 * ```
 */
export function maxPool2d(
  input: Tensor,
  kernelSize: SizeArg,
  opts?: MaxPool2dOptions,
): Tensor | [Tensor, Tensor] {
  const values = pool(0, input, kernelSize, opts);
  if (opts?.returnIndices !== true) return values;
  try {
    return [values, pool(2, input, kernelSize, opts)];
  } catch (e) {
    values.dispose();
    throw e;
  }
}

/**
 * 2-D average pooling, torch `F.avg_pool2d`: the mean of each window of (N, C, H, W) or
 * (C, H, W), summed in float64. Float dtypes are kept; integers give float64; bool is refused.
 * @param input (N, C, H, W) or (C, H, W)
 * @param kernelSize the window, `k` or `[kH, kW]`
 * @param opts `stride` (default kernelSize), `padding` (default 0, at most half the kernel),
 * `ceilMode` (default false), `countIncludePad` (default true: padded zeros count in the divisor),
 * `divisorOverride` (default none: every window's divisor)
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const x = cb.arange(16).reshape(1, 1, 4, 4);
 * cb.avgPool2d(x, 2).toArray(); // [[[[2.5, 4.5], [10.5, 12.5]]]]
 * ```
 */
export function avgPool2d(input: Tensor, kernelSize: SizeArg, opts?: AvgPool2dOptions): Tensor {
  return pool(1, input, kernelSize, opts);
}
