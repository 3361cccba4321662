//! Op enums: the small primitive set the kernels implement. Codes are ABI values: append-only.

use crate::error::{Error, Result};

macro_rules! op_enum {
    ($(#[$m:meta])* $name:ident, $kind:literal { $($v:ident = $c:literal => $s:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(i32)]
        pub enum $name { $($v = $c),* }

        impl $name {
            /// Every op, in code order.
            pub const ALL: &'static [$name] = &[$($name::$v),*];

            /// The op for an ABI code, or `InvalidArgument`.
            pub fn from_code(code: i32) -> Result<Self> {
                match code {
                    $($c => Ok($name::$v),)*
                    _ => Err(Error::InvalidArgument(format!(concat!("unknown ", $kind, " op code {}"), code))),
                }
            }
            /// The user-facing name, used in error messages.
            pub fn name(self) -> &'static str {
                match self { $($name::$v => $s),* }
            }
        }
    };
}

// <generated ops> (npm run gen, from scripts/optable.ts)
op_enum!(
    /// Elementwise binary ops with numpy broadcasting and type promotion.
    BinaryOp, "binary" {
        Add = 0 => "add",
        Sub = 1 => "sub",
        Mul = 2 => "mul",
        Div = 3 => "div",
        Pow = 4 => "pow",
        Maximum = 5 => "maximum",
        Minimum = 6 => "minimum",
        Mod = 7 => "mod",
        FloorDiv = 8 => "floor_div",
        Eq = 9 => "eq",
        Ne = 10 => "ne",
        Lt = 11 => "lt",
        Le = 12 => "le",
        Gt = 13 => "gt",
        Ge = 14 => "ge",
        LogicalAnd = 15 => "logical_and",
        LogicalOr = 16 => "logical_or",
        LogicalXor = 17 => "logical_xor",
    }
);

op_enum!(
    /// Elementwise unary ops.
    UnaryOp, "unary" {
        Neg = 0 => "neg",
        Exp = 1 => "exp",
        Log = 2 => "log",
        Sqrt = 3 => "sqrt",
        Abs = 4 => "abs",
        Tanh = 5 => "tanh",
        Sigmoid = 6 => "sigmoid",
        Relu = 7 => "relu",
        Sign = 8 => "sign",
        Log1p = 9 => "log1p",
        Expm1 = 10 => "expm1",
        Rsqrt = 11 => "rsqrt",
        Sin = 12 => "sin",
        Cos = 13 => "cos",
        Tan = 14 => "tan",
        Gelu = 15 => "gelu",
        Silu = 16 => "silu",
        Softplus = 17 => "softplus",
        Floor = 18 => "floor",
        Ceil = 19 => "ceil",
        Round = 20 => "round",
        IsNan = 21 => "isnan",
        IsFinite = 22 => "isfinite",
        LogicalNot = 23 => "logical_not",
        GeluTanh = 24 => "gelu_tanh",
        Square = 25 => "square",
        Log2 = 26 => "log2",
        Log10 = 27 => "log10",
        Exp2 = 28 => "exp2",
        Trunc = 29 => "trunc",
        Erf = 30 => "erf",
        Asin = 31 => "asin",
        Acos = 32 => "acos",
        Atan = 33 => "atan",
        Sinh = 34 => "sinh",
        Cosh = 35 => "cosh",
        Reciprocal = 36 => "reciprocal",
        Cbrt = 37 => "cbrt",
    }
);

op_enum!(
    /// Reductions over some or all axes.
    ReduceOp, "reduce" {
        Sum = 0 => "sum",
        Mean = 1 => "mean",
        Max = 2 => "max",
        Min = 3 => "min",
        Prod = 4 => "prod",
        ArgMax = 5 => "argmax",
        ArgMin = 6 => "argmin",
        Any = 7 => "any",
        All = 8 => "all",
        LogSumExp = 9 => "logsumexp",
        Var = 10 => "var",
        Std = 11 => "std",
    }
);

op_enum!(
    /// Ops along one axis that keep the shape.
    ScanOp, "scan" {
        CumSum = 0 => "cumsum",
        CumProd = 1 => "cumprod",
        Softmax = 2 => "softmax",
        LogSoftmax = 3 => "log_softmax",
    }
);
// </generated>
