//! The one error enum of the core and its stable status codes (append-only, shared with the C ABI).

use std::fmt;

/// Every way the core can refuse a request. Each variant maps to a stable `COBALT_*` status code.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// An argument is out of its domain (a negative dimension, a NULL pointer, a bad enum value...).
    InvalidArgument(String),
    /// Two shapes that had to agree did not: names the op and both shapes.
    ShapeMismatch { op: &'static str, lhs: Vec<usize>, rhs: Vec<usize> },
    /// The dtype is unknown or not supported by this op.
    DType(String),
    /// An allocation failed or its size overflowed.
    OutOfMemory(String),
    /// A Rust panic caught at the ABI boundary.
    Panic(String),
    /// An axis out of range or repeated.
    Axis(String),
    /// An index out of range.
    Index(String),
    /// A write into a tensor that an in-flight async job reads.
    Borrowed(String),
    /// A linear-algebra failure: a singular matrix, one not positive definite, no convergence.
    Linalg(String),
}

/// Result alias of the core.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// The stable status code of this error (see `COBALT_*` in `cobalt.h`).
    pub fn code(&self) -> i32 {
        match self {
            Error::InvalidArgument(_) => 1,
            Error::ShapeMismatch { .. } => 2,
            Error::DType(_) => 3,
            Error::OutOfMemory(_) => 4,
            Error::Panic(_) => 5,
            Error::Axis(_) => 6,
            Error::Index(_) => 7,
            Error::Borrowed(_) => 8,
            Error::Linalg(_) => 9,
        }
    }

    /// Shorthand for a shape mismatch between two shapes.
    pub fn shape(op: &'static str, lhs: &[usize], rhs: &[usize]) -> Error {
        Error::ShapeMismatch { op, lhs: lhs.to_vec(), rhs: rhs.to_vec() }
    }

    /// `Error::Panic` with the message of a caught panic's payload (`panic!` gives a `&str` or a
    /// `String`; anything else is an unknown payload).
    pub fn from_panic(payload: &(dyn std::any::Any + Send)) -> Error {
        Error::Panic(
            payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic payload".into()),
        )
    }
}

/// Formats a shape the way numpy prints it: `(2, 3)`, `(4,)`, `()`.
pub fn fmt_shape(s: &[usize]) -> String {
    match s.len() {
        1 => format!("({},)", s[0]),
        _ => format!("({})", s.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")),
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidArgument(m)
            | Error::DType(m)
            | Error::OutOfMemory(m)
            | Error::Axis(m)
            | Error::Index(m)
            | Error::Borrowed(m)
            | Error::Linalg(m) => f.write_str(m),
            Error::Panic(m) => write!(f, "panic in cobalt: {m}"),
            Error::ShapeMismatch { op, lhs, rhs } => {
                write!(f, "{op}: shapes {} and {} are not compatible", fmt_shape(lhs), fmt_shape(rhs))
            }
        }
    }
}

impl std::error::Error for Error {}
