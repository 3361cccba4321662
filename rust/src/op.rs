//! Op enums: the small primitive set the kernels implement. Codes are ABI values: append-only.

use crate::error::{Error, Result};

macro_rules! op_enum {
    ($(#[$m:meta])* $name:ident, $kind:literal { $($v:ident = $c:literal => $s:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(i32)]
        pub enum $name { $($v = $c),* }

        impl $name {
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

op_enum!(
    /// Elementwise binary ops with numpy broadcasting.
    BinaryOp, "binary" {
        Add = 0 => "add", Sub = 1 => "sub", Mul = 2 => "mul", Div = 3 => "div",
        Pow = 4 => "pow", Maximum = 5 => "maximum", Minimum = 6 => "minimum",
    }
);

op_enum!(
    /// Elementwise unary ops.
    UnaryOp, "unary" {
        Neg = 0 => "neg", Exp = 1 => "exp", Log = 2 => "log", Sqrt = 3 => "sqrt", Abs = 4 => "abs",
        Tanh = 5 => "tanh", Sigmoid = 6 => "sigmoid", Relu = 7 => "relu",
    }
);

op_enum!(
    /// Reductions over some or all axes.
    ReduceOp, "reduce" {
        Sum = 0 => "sum", Mean = 1 => "mean", Max = 2 => "max", Min = 3 => "min", Prod = 4 => "prod",
    }
);
