//! Element types: the `DType` enum (codes shared with the C ABI) and the `Elem` trait kernels are generic over.

use crate::error::{Error, Result};

/// The element type of a tensor. The discriminants are ABI codes: append-only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum DType {
    F32 = 0,
    F64 = 1,
}

impl DType {
    /// All dtypes, in code order.
    pub const ALL: [DType; 2] = [DType::F32, DType::F64];

    /// The dtype for an ABI code, or `Error::DType`.
    pub fn from_code(code: i32) -> Result<DType> {
        DType::ALL
            .get(usize::try_from(code).map_err(|_| bad(code))?)
            .copied()
            .ok_or_else(|| bad(code))
    }

    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            DType::F32 => 4,
            DType::F64 => 8,
        }
    }

    /// The numpy-style name: `float32`, `float64`.
    pub fn name(self) -> &'static str {
        match self {
            DType::F32 => "float32",
            DType::F64 => "float64",
        }
    }

    /// numpy's result type of a binary op on two tensors of these dtypes.
    pub fn promote(a: DType, b: DType) -> DType {
        if a == DType::F64 || b == DType::F64 {
            DType::F64
        } else {
            DType::F32
        }
    }
}

fn bad(code: i32) -> Error {
    Error::DType(format!("unknown dtype code {code}"))
}

/// A scalar type kernels are generic over. Adding a dtype = one `DType` variant + one `Elem` impl
/// + one arm in [`dispatch!`](crate::dispatch).
pub trait Elem: Copy + Send + Sync + PartialOrd + 'static + std::fmt::Debug {
    const DTYPE: DType;
    fn from_f64(v: f64) -> Self;
    fn to_f64(self) -> f64;
    fn zero() -> Self;
    fn one() -> Self;
    fn add(self, o: Self) -> Self;
    fn sub(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;
    fn div(self, o: Self) -> Self;
    fn exp(self) -> Self;
    fn ln(self) -> Self;
    fn sqrt(self) -> Self;
    fn tanh(self) -> Self;
    fn abs(self) -> Self;
    fn powf(self, o: Self) -> Self;
    fn is_nan(self) -> bool;
}

macro_rules! float_elem {
    ($t:ty, $d:expr) => {
        impl Elem for $t {
            const DTYPE: DType = $d;
            #[inline(always)]
            fn from_f64(v: f64) -> Self { v as $t }
            #[inline(always)]
            fn to_f64(self) -> f64 { self as f64 }
            #[inline(always)]
            fn zero() -> Self { 0.0 }
            #[inline(always)]
            fn one() -> Self { 1.0 }
            #[inline(always)]
            fn add(self, o: Self) -> Self { self + o }
            #[inline(always)]
            fn sub(self, o: Self) -> Self { self - o }
            #[inline(always)]
            fn mul(self, o: Self) -> Self { self * o }
            #[inline(always)]
            fn div(self, o: Self) -> Self { self / o }
            #[inline(always)]
            fn exp(self) -> Self { <$t>::exp(self) }
            #[inline(always)]
            fn ln(self) -> Self { <$t>::ln(self) }
            #[inline(always)]
            fn sqrt(self) -> Self { <$t>::sqrt(self) }
            #[inline(always)]
            fn tanh(self) -> Self { <$t>::tanh(self) }
            #[inline(always)]
            fn abs(self) -> Self { <$t>::abs(self) }
            #[inline(always)]
            fn powf(self, o: Self) -> Self { <$t>::powf(self, o) }
            #[inline(always)]
            fn is_nan(self) -> bool { <$t>::is_nan(self) }
        }
    };
}
float_elem!(f32, DType::F32);
float_elem!(f64, DType::F64);

/// Runs `$body` with `$T` bound to the Rust type of `$dtype`.
#[macro_export]
macro_rules! dispatch {
    ($dtype:expr, $T:ident => $body:expr) => {
        match $dtype {
            $crate::dtype::DType::F32 => {
                type $T = f32;
                $body
            }
            $crate::dtype::DType::F64 => {
                type $T = f64;
                $body
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for d in DType::ALL {
            assert_eq!(DType::from_code(d as i32).unwrap(), d);
        }
        assert!(matches!(DType::from_code(99), Err(Error::DType(_))));
        assert!(matches!(DType::from_code(-1), Err(Error::DType(_))));
    }

    #[test]
    fn promotion_is_symmetric() {
        for a in DType::ALL {
            for b in DType::ALL {
                assert_eq!(DType::promote(a, b), DType::promote(b, a));
            }
        }
        assert_eq!(DType::promote(DType::F32, DType::F64), DType::F64);
    }
}
