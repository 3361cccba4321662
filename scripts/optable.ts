/**
 * The op table: the one place that names cobalt's primitive ops. `npm run gen` (scripts/gen.ts)
 * writes from it the op enums of rust/src/op.rs, the op constants of rust/include/cobalt.h, the op
 * codes of ffi/opcodes.ts, the one-line `Tensor` methods (declarations with their JSDoc in
 * ffi/tensor.ts, bodies in ffi/methods.ts), the op rows of README's API table, and the op lists the
 * tests iterate over (tests/op_table.ts, tests/op_table.json for the Python oracles). CI runs
 * `npm run gen -- --check` and fails when a generated file is stale.
 *
 * Adding a unary float op (see README, "Adding an op"): its kernel (one arm of `with_float_fn!` in
 * rust/src/cpu/elementwise.rs), one row here, and its numpy oracle in tests/oracle.py.
 *
 * Rules:
 * - `code` is an ABI value: codes are append-only within a kind; never renumber or reuse one.
 * - `name` is the JS method name (camelCase). The C constant is `COBALT_` + its snake_case in capitals,
 *   the Rust variant its PascalCase, the native (error message) name its snake_case, unless `c` /
 *   `rust` override them.
 * - `ex` is an example expression and `want` its value (`toArray()` of a tensor, or the number):
 *   the generated JSDoc shows it, and tests/optable_test.ts runs it in every runtime.
 * @module
 */

/** The four primitive op families, one native entry point each (`cobalt_binary`, ...). */
export type Kind = "binary" | "unary" | "reduce" | "scan";

/** One primitive op. */
export interface OpRow {
  kind: Kind;
  name: string;
  code: number;
  /** The first paragraph of the method's JSDoc (markdown). */
  doc: string;
  /** Example expressions and their values, shown in the JSDoc and checked by a test. */
  ex: [string, unknown][];
  /**
   * How the Tensor method is made: "gen" (default) generated from this row; "hand" written by hand
   * in tensor.ts/methods.ts (it takes options the generator does not know); "none" no method (an
   * op code that another method uses).
   */
  method?: "gen" | "hand" | "none";
  /**
   * The method's parameters: reduce "axes" (default: axis or axes, ReduceOptions), "arg" (one
   * axis), "var" (VarOptions with ddof); scan "last" (axis, default -1) or "flat" (axis, default:
   * the flattened tensor).
   */
  params?: "axes" | "arg" | "var" | "last" | "flat";
  /**
   * Unary ops: the result dtype, as numpy: "float" (a float function: integers and bool give
   * floats), "same" (the input's dtype), "bool".
   */
  result?: "float" | "same" | "bool";
  /** Unary ops: where the oracle tests draw inputs from (default [-4, 4]). */
  domain?: [number, number];
  /** A note after the C constant in cobalt.h. */
  cnote?: string;
  /** Overrides of the derived C constant suffix / Rust variant. */
  c?: string;
  rust?: string;
}

const binary = (name: string, code: number, doc: string, ex: [string, unknown][]): OpRow => ({
  kind: "binary",
  name,
  code,
  doc,
  ex,
});
const unary = (
  name: string,
  code: number,
  result: OpRow["result"],
  doc: string,
  ex: [string, unknown][],
  more: Partial<OpRow> = {},
): OpRow => ({ kind: "unary", name, code, result, doc, ex, ...more });
/** A row of an op along axes (a reduction or a scan): its `params` say how the method takes them. */
const alongAxes = (kind: "reduce" | "scan") =>
(
  name: string,
  code: number,
  params: OpRow["params"],
  doc: string,
  ex: [string, unknown][],
  more: Partial<OpRow> = {},
): OpRow => ({ kind, name, code, params, doc, ex, ...more });
const reduce = alongAxes("reduce");
const scan = alongAxes("scan");

const POSITIVE: [number, number] = [0.1, 4];
const UNIT: [number, number] = [-1, 1];

/** Every primitive op, grouped by kind, each kind in code order. */
export const OPS: OpRow[] = [
  // ---- binary: cobalt_binary / cobalt_binary_scalar, numpy broadcasting and promotion ----------
  binary("add", 0, "Elementwise `this + other` with numpy broadcasting and promotion.", [
    ["cb.tensor([1, 2]).add(1)", [2, 3]],
  ]),
  binary("sub", 1, "Elementwise `this - other`.", [["cb.tensor([1, 2]).sub(cb.tensor([[1], [2]]))", [[0, 1], [
    -1,
    0,
  ]]]]),
  binary("mul", 2, "Elementwise `this * other`.", [["cb.tensor([1, 2]).mul(3)", [3, 6]]]),
  binary("div", 3, "Elementwise true division (integers give float64).", [["cb.tensor([1, 2]).div(2)", [
    0.5,
    1,
  ]]]),
  binary("pow", 4, "Elementwise `this ** other` (integers to negative integer powers are refused).", [
    ["cb.tensor([1, 2]).pow(2)", [1, 4]],
  ]),
  binary("maximum", 5, "Elementwise maximum (NaN propagates).", [["cb.tensor([1, 5]).maximum(3)", [3, 5]]]),
  binary("minimum", 6, "Elementwise minimum (NaN propagates).", [["cb.tensor([1, 5]).minimum(3)", [1, 3]]]),
  binary("mod", 7, "Remainder with the sign of the divisor (Python's and numpy's `%`).", [
    ["cb.tensor([-7, 7]).mod(3)", [2, 1]],
  ]),
  binary("floorDiv", 8, "Floor division (Python's `//`; integer division by zero gives 0, like numpy).", [
    ["cb.tensor([-7, 7]).floorDiv(2)", [-4, 3]],
  ]),
  {
    ...binary("eq", 9, "Elementwise `==` (a bool tensor).", [["cb.tensor([1, 2]).eq(2)", [false, true]]]),
    cnote: "comparisons give bool",
  },
  binary("ne", 10, "Elementwise `!=` (a bool tensor).", [["cb.tensor([1, 2]).ne(2)", [true, false]]]),
  binary("lt", 11, "Elementwise `<` (a bool tensor).", [["cb.tensor([1, 2]).lt(2)", [true, false]]]),
  binary("le", 12, "Elementwise `<=` (a bool tensor).", [["cb.tensor([1, 2]).le(1)", [true, false]]]),
  binary("gt", 13, "Elementwise `>` (a bool tensor).", [["cb.tensor([1, 2]).gt(1)", [false, true]]]),
  binary("ge", 14, "Elementwise `>=` (a bool tensor).", [["cb.tensor([1, 2]).ge(2)", [false, true]]]),
  binary("logicalAnd", 15, "Elementwise logical and of the truth values (a bool tensor).", [
    ["cb.tensor([1, 0]).logicalAnd(1)", [true, false]],
  ]),
  binary("logicalOr", 16, "Elementwise logical or (a bool tensor).", [["cb.tensor([1, 0]).logicalOr(0)", [
    true,
    false,
  ]]]),
  binary("logicalXor", 17, "Elementwise logical xor (a bool tensor).", [
    ["cb.tensor([1, 0]).logicalXor(1)", [false, true]],
  ]),

  // ---- unary: cobalt_unary ------------------------------------------------------------------------
  unary("neg", 0, "same", "Elementwise `-x`.", [["cb.tensor([1, -2]).neg()", [-1, 2]]]),
  unary("exp", 1, "float", "Elementwise `e^x` (integers give floats, as in numpy).", [[
    "cb.tensor([0]).exp()",
    [1],
  ]]),
  unary("log", 2, "float", "Elementwise natural log.", [["cb.tensor([1, Math.E]).log()", [0, 1]]], {
    domain: POSITIVE,
  }),
  unary("sqrt", 3, "float", "Elementwise square root.", [["cb.tensor([4, 9]).sqrt()", [2, 3]]], {
    domain: POSITIVE,
  }),
  unary("abs", 4, "same", "Elementwise absolute value.", [["cb.tensor([-1, 2]).abs()", [1, 2]]]),
  unary("tanh", 5, "float", "Elementwise tanh.", [["cb.tensor([0, 100]).tanh()", [0, 1]]]),
  unary("sigmoid", 6, "float", "Elementwise logistic sigmoid `1 / (1 + e^-x)`, stable for large |x|.", [
    ["cb.tensor([0]).sigmoid()", [0.5]],
  ]),
  unary("relu", 7, "same", "Elementwise `max(x, 0)`.", [["cb.tensor([-1, 2]).relu()", [0, 2]]]),
  unary("sign", 8, "same", "Elementwise sign: -1, 0 or 1 (NaN stays NaN).", [[
    "cb.tensor([-3, 0, 2]).sign()",
    [-1, 0, 1],
  ]]),
  unary("log1p", 9, "float", "Elementwise `log(1 + x)`, accurate near 0.", [["cb.tensor([1e-10]).log1p()", [
    1e-10,
  ]]], {
    domain: POSITIVE,
  }),
  unary("expm1", 10, "float", "Elementwise `e^x - 1`, accurate near 0.", [["cb.tensor([1e-10]).expm1()", [
    1e-10,
  ]]]),
  unary("rsqrt", 11, "float", "Elementwise `1 / sqrt(x)`.", [["cb.tensor([4]).rsqrt()", [0.5]]], {
    domain: POSITIVE,
  }),
  unary("sin", 12, "float", "Elementwise sine.", [["cb.tensor([0, Math.PI / 2]).sin()", [0, 1]]]),
  unary("cos", 13, "float", "Elementwise cosine.", [["cb.tensor([0, Math.PI]).cos()", [1, -1]]]),
  unary("tan", 14, "float", "Elementwise tangent.", [["cb.tensor([0, Math.PI / 4]).tan()", [0, 1]]]),
  unary("gelu", 15, "float", "GELU (`gelu()`, options in its own docs).", [["cb.tensor([1]).gelu()", [
    0.8413447,
  ]]], {
    method: "hand",
    cnote: "exact (erf)",
  }),
  unary("silu", 16, "float", "Elementwise SiLU (swish) `x * sigmoid(x)`.", [["cb.tensor([0]).silu()", [0]]]),
  unary("softplus", 17, "float", "Elementwise softplus `log(1 + e^x)`, stable for large |x|.", [
    ["cb.tensor([0]).softplus()", [0.6931472]],
  ]),
  unary("floor", 18, "same", "Elementwise floor (integers unchanged).", [["cb.tensor([-1.5, 1.5]).floor()", [
    -2,
    1,
  ]]]),
  unary("ceil", 19, "same", "Elementwise ceiling (integers unchanged).", [["cb.tensor([-1.5, 1.5]).ceil()", [
    -1,
    2,
  ]]]),
  unary("round", 20, "same", "Elementwise rounding, halves to even (numpy's `round`).", [
    ["cb.tensor([0.5, 1.5, 2.5]).round()", [0, 2, 2]],
  ], { cnote: "half to even" }),
  unary("isnan", 21, "bool", "Elementwise NaN test (a bool tensor).", [["cb.tensor([NaN, 1]).isnan()", [
    true,
    false,
  ]]], {
    rust: "IsNan",
  }),
  unary("isfinite", 22, "bool", "Elementwise finiteness test (a bool tensor).", [
    ["cb.tensor([Infinity, 1]).isfinite()", [false, true]],
  ], { rust: "IsFinite" }),
  unary("logicalNot", 23, "bool", "Elementwise logical not (a bool tensor).", [
    ["cb.tensor([1, 0]).logicalNot()", [false, true]],
  ]),
  unary("geluTanh", 24, "float", 'GELU with the tanh approximation (`gelu({ approximate: "tanh" })`).', [
    ['cb.tensor([1]).gelu({ approximate: "tanh" })', [0.8411920]],
  ], { method: "none" }),
  unary("square", 25, "same", "Elementwise `x * x` (integers wrap like numpy's).", [[
    "cb.tensor([-3, 2]).square()",
    [9, 4],
  ]]),
  unary("log2", 26, "float", "Elementwise base-2 logarithm.", [["cb.tensor([1, 8]).log2()", [0, 3]]], {
    domain: POSITIVE,
  }),
  unary("log10", 27, "float", "Elementwise base-10 logarithm.", [["cb.tensor([1, 1000]).log10()", [0, 3]]], {
    domain: POSITIVE,
  }),
  unary("exp2", 28, "float", "Elementwise `2^x`.", [["cb.tensor([0, 10]).exp2()", [1, 1024]]]),
  unary("trunc", 29, "same", "Elementwise rounding toward zero (integers unchanged).", [
    ["cb.tensor([-1.7, 1.7]).trunc()", [-1, 1]],
  ]),
  unary("erf", 30, "float", "Elementwise error function `2/√π ∫₀ˣ e^(-t²) dt`.", [[
    "cb.tensor([0, 10]).erf()",
    [0, 1],
  ]]),
  unary("asin", 31, "float", "Elementwise inverse sine (NaN outside [-1, 1]).", [[
    "cb.tensor([0, 1]).asin()",
    [0, Math.PI / 2],
  ]], {
    domain: UNIT,
  }),
  unary("acos", 32, "float", "Elementwise inverse cosine (NaN outside [-1, 1]).", [[
    "cb.tensor([1, 0]).acos()",
    [0, Math.PI / 2],
  ]], {
    domain: UNIT,
  }),
  unary("atan", 33, "float", "Elementwise inverse tangent.", [["cb.tensor([0, 1]).atan()", [
    0,
    Math.PI / 4,
  ]]]),
  unary("sinh", 34, "float", "Elementwise hyperbolic sine.", [["cb.tensor([0]).sinh()", [0]]]),
  unary("cosh", 35, "float", "Elementwise hyperbolic cosine.", [["cb.tensor([0]).cosh()", [1]]]),
  unary("reciprocal", 36, "float", "Elementwise `1 / x` (integers give floats, like torch's `reciprocal`).", [
    ["cb.tensor([2, 4]).reciprocal()", [0.5, 0.25]],
  ], { domain: POSITIVE }),

  unary("cbrt", 37, "float", "Elementwise cube root (negative for negative x).", [[
    "cb.tensor([8, -27]).cbrt()",
    [2, -3],
  ]]),
  // ---- reductions: cobalt_reduce ------------------------------------------------------------------
  reduce(
    "sum",
    0,
    "axes",
    "Sum over all elements, one axis or several (negative axes count from the end). Integers and bools sum to int64.",
    [
      ["cb.tensor([[1, 2], [3, 4]]).sum().item()", 10],
      ["cb.tensor([[1, 2], [3, 4]]).sum(0)", [4, 6]],
      ["cb.tensor([[1, 2], [3, 4]]).sum(-1, { keepdims: true })", [[3], [7]]],
    ],
  ),
  reduce("mean", 1, "axes", "Mean over all elements or the given axes (integers give float64).", [
    ["cb.tensor([1, 2, 3, 4]).mean().item()", 2.5],
  ]),
  reduce("max", 2, "axes", "Maximum over all elements or the given axes (NaN propagates).", [
    ["cb.tensor([[1, 5], [7, 2]]).max(1)", [5, 7]],
  ]),
  reduce("min", 3, "axes", "Minimum over all elements or the given axes (NaN propagates).", [
    ["cb.tensor([3, 1, 2]).min().item()", 1],
  ]),
  reduce("prod", 4, "axes", "Product over all elements or the given axes (integers and bools give int64).", [
    ["cb.tensor([2, 3]).prod().item()", 6],
  ]),
  reduce(
    "argmax",
    5,
    "arg",
    "Index (int64) of the maximum, over the flattened tensor or along one axis; the first wins.",
    [
      ["cb.tensor([1, 9, 9]).argmax().item()", 1],
    ],
    { rust: "ArgMax", cnote: "one axis or none" },
  ),
  reduce(
    "argmin",
    6,
    "arg",
    "Index (int64) of the minimum, over the flattened tensor or along one axis; the first wins.",
    [
      ["cb.tensor([[3, 1], [0, 2]]).argmin(1)", [1, 0]],
    ],
    { rust: "ArgMin" },
  ),
  reduce("any", 7, "axes", "True where any element is non-zero (bool).", [[
    "cb.tensor([0, 0, 1]).any().item()",
    1,
  ]]),
  reduce("all", 8, "axes", "True where every element is non-zero (bool).", [[
    "cb.tensor([1, 0]).all().item()",
    0,
  ]]),
  reduce("logsumexp", 9, "axes", "`log(sum(exp(x)))`, computed without overflow.", [
    ["cb.tensor([1000, 1000]).logsumexp().item()", 1000.6931472],
  ], { rust: "LogSumExp" }),
  reduce("var", 10, "var", "Variance with `ddof` (default 0, like numpy).", [
    ["cb.tensor([1, 2, 3, 4]).var(null, { ddof: 1 }).item()", 1.6666667],
  ], { cnote: "uses ddof" }),
  reduce("std", 11, "var", "Standard deviation with `ddof` (default 0).", [[
    "cb.tensor([1, 3]).std().item()",
    1,
  ]]),

  // ---- scans along one axis: cobalt_scan ----------------------------------------------------------
  scan(
    "cumsum",
    0,
    "flat",
    "Running sum along `axis` (of the flattened tensor without one; integers give int64).",
    [
      ["cb.tensor([1, 2, 3]).cumsum()", [1, 3, 6]],
    ],
    { rust: "CumSum" },
  ),
  scan("cumprod", 1, "flat", "Running product along `axis` (of the flattened tensor without one).", [
    ["cb.tensor([1, 2, 3]).cumprod()", [1, 2, 6]],
  ], { rust: "CumProd" }),
  scan("softmax", 2, "last", "Softmax along `axis`, stable for large inputs.", [[
    "cb.tensor([1, 1]).softmax()",
    [0.5, 0.5],
  ]]),
  scan("logSoftmax", 3, "last", "`log(softmax(x))` along `axis`, computed directly.", [
    ["cb.tensor([0, 0]).logSoftmax()", [-0.6931472, -0.6931472]],
  ]),
];
