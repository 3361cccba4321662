//! Element types: the `DType` enum (codes shared with the C ABI), numpy's promotion rules, the
//! storage types (`F16`, `BF16`, `Bool` newtypes next to the Rust primitives) and [`Elem`], the
//! trait of every storage type. The arithmetic traits of the compute types (`Num`, `Float`) are
//! the kernels' own, in [`crate::cpu::math`].

use crate::error::{Error, Result};
use std::cmp::Ordering;

/// The element type of a tensor. The discriminants are ABI codes: append-only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum DType {
    F32 = 0,
    F64 = 1,
    I32 = 2,
    I64 = 3,
    U8 = 4,
    Bool = 5,
    F16 = 6,
    BF16 = 7,
}

impl DType {
    /// All dtypes, in code order.
    pub const ALL: [DType; 8] =
        [DType::F32, DType::F64, DType::I32, DType::I64, DType::U8, DType::Bool, DType::F16, DType::BF16];

    /// The dtype for an ABI code, or `Error::DType`.
    pub fn from_code(code: i32) -> Result<DType> {
        usize::try_from(code)
            .ok()
            .and_then(|i| DType::ALL.get(i).copied())
            .ok_or_else(|| Error::DType(format!("unknown dtype code {code}")))
    }

    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            DType::F64 | DType::I64 => 8,
            DType::F32 | DType::I32 => 4,
            DType::F16 | DType::BF16 => 2,
            DType::U8 | DType::Bool => 1,
        }
    }

    /// The numpy-style name: `float32`, `int64`, `bool`, `bfloat16`...
    pub fn name(self) -> &'static str {
        match self {
            DType::F32 => "float32",
            DType::F64 => "float64",
            DType::I32 => "int32",
            DType::I64 => "int64",
            DType::U8 => "uint8",
            DType::Bool => "bool",
            DType::F16 => "float16",
            DType::BF16 => "bfloat16",
        }
    }

    pub fn is_float(self) -> bool {
        matches!(self, DType::F32 | DType::F64 | DType::F16 | DType::BF16)
    }

    /// The type kernels compute in: float16 and bfloat16 widen to float32.
    pub fn compute(self) -> DType {
        match self {
            DType::F16 | DType::BF16 => DType::F32,
            d => d,
        }
    }

    /// The float dtype numpy gives a float function (exp, sqrt...) of this dtype: the smallest
    /// float that holds every value (bool, uint8 -> float16; int32, int64 -> float64).
    pub fn float_result(self) -> DType {
        match self {
            DType::Bool | DType::U8 => DType::F16,
            DType::I32 | DType::I64 => DType::F64,
            d => d,
        }
    }

    /// numpy's result type of a binary op on two tensors of these dtypes (bfloat16 behaves like
    /// ml_dtypes': it meets float16 at float32).
    pub fn promote(a: DType, b: DType) -> DType {
        use DType::*;
        if a == b {
            return a;
        }
        let (lo, hi) = if rank(a) <= rank(b) { (a, b) } else { (b, a) };
        match (lo, hi) {
            (Bool, x) => x,
            (U8, I32 | I64 | F16 | BF16 | F32 | F64) => hi,
            (I32, I64 | F64) => hi,
            (I32, F16 | BF16 | F32) => F64,
            (I64, F16 | BF16 | F32 | F64) => F64,
            (F16, BF16) => F32,
            (F16 | BF16, F32 | F64) => hi,
            (F32, F64) => F64,
            _ => hi,
        }
    }
}

fn rank(d: DType) -> u8 {
    match d {
        DType::Bool => 0,
        DType::U8 => 1,
        DType::I32 => 2,
        DType::I64 => 3,
        DType::F16 => 4,
        DType::BF16 => 5,
        DType::F32 => 6,
        DType::F64 => 7,
    }
}

/// IEEE 754 half precision, stored as its bits.
#[derive(Clone, Copy, Default, Debug, PartialEq)]
#[repr(transparent)]
pub struct F16(pub u16);

/// bfloat16 (the top half of a float32), stored as its bits.
#[derive(Clone, Copy, Default, Debug, PartialEq)]
#[repr(transparent)]
pub struct BF16(pub u16);

/// A boolean stored as one byte; any non-zero byte reads as true (a JS view may write anything).
#[derive(Clone, Copy, Default, Debug)]
#[repr(transparent)]
pub struct Bool(pub u8);

impl F16 {
    /// Rounds to nearest, ties to even (as numpy's float16 conversion).
    pub fn from_f32(x: f32) -> F16 {
        let b = x.to_bits();
        let sign = ((b >> 16) & 0x8000) as u16;
        let exp = ((b >> 23) & 0xff) as i32;
        let man = b & 0x7f_ffff;
        if exp == 0xff {
            // inf or nan (keep a quiet nan)
            return F16(sign | 0x7c00 | if man != 0 { 0x200 | (man >> 13) as u16 } else { 0 });
        }
        let e = exp - 127 + 15;
        if e >= 0x1f {
            return F16(sign | 0x7c00); // overflow -> inf
        }
        if e <= 0 {
            // subnormal or zero
            if e < -10 {
                return F16(sign);
            }
            let m = man | 0x80_0000;
            let shift = (14 - e) as u32;
            let half = 1u32 << (shift - 1);
            let rem = m & ((1 << shift) - 1);
            let mut r = m >> shift;
            if rem > half || (rem == half && r & 1 == 1) {
                r += 1;
            }
            return F16(sign | r as u16);
        }
        let mut r = ((e as u32) << 10) | (man >> 13);
        let rem = man & 0x1fff;
        if rem > 0x1000 || (rem == 0x1000 && r & 1 == 1) {
            r += 1; // may carry into the exponent: still correct (up to inf)
        }
        F16(sign | r as u16)
    }

    pub fn to_f32(self) -> f32 {
        let h = self.0 as u32;
        let sign = (h & 0x8000) << 16;
        let exp = (h >> 10) & 0x1f;
        let man = h & 0x3ff;
        let bits = if exp == 0 {
            if man == 0 {
                sign
            } else {
                // subnormal: normalise
                let mut e = 127 - 15 + 1;
                let mut m = man;
                while m & 0x400 == 0 {
                    m <<= 1;
                    e -= 1;
                }
                sign | ((e as u32) << 23) | ((m & 0x3ff) << 13)
            }
        } else if exp == 0x1f {
            sign | 0x7f80_0000 | (man << 13)
        } else {
            sign | ((exp + 127 - 15) << 23) | (man << 13)
        };
        f32::from_bits(bits)
    }
}

impl BF16 {
    /// Rounds to nearest, ties to even.
    pub fn from_f32(x: f32) -> BF16 {
        let b = x.to_bits();
        if x.is_nan() {
            return BF16(((b >> 16) as u16) | 0x40);
        }
        let r = b.wrapping_add(0x7fff + ((b >> 16) & 1));
        BF16((r >> 16) as u16)
    }

    pub fn to_f32(self) -> f32 {
        f32::from_bits((self.0 as u32) << 16)
    }
}

impl PartialOrd for F16 {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        self.to_f32().partial_cmp(&o.to_f32())
    }
}
impl PartialOrd for BF16 {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        self.to_f32().partial_cmp(&o.to_f32())
    }
}
impl PartialEq for Bool {
    fn eq(&self, o: &Self) -> bool {
        (self.0 != 0) == (o.0 != 0)
    }
}
impl PartialOrd for Bool {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        (self.0 != 0).partial_cmp(&(o.0 != 0))
    }
}

/// Every storage type. Conversions follow numpy's `astype`: float to int truncates toward zero
/// (NaN and out-of-range values saturate, where numpy's result is undefined).
pub trait Elem: Copy + Send + Sync + Default + PartialOrd + std::fmt::Debug + 'static {
    const DTYPE: DType;
    fn to_f64(self) -> f64;
    fn from_f64(v: f64) -> Self;
    /// Exact for integer types; floats truncate.
    fn to_i64(self) -> i64 {
        self.to_f64() as i64
    }
    /// Integer types wrap like numpy's astype; floats round to nearest.
    fn from_i64(v: i64) -> Self {
        Self::from_f64(v as f64)
    }
    fn is_nan(self) -> bool {
        false
    }
    /// Non-zero (NaN counts as true, as in numpy).
    fn truthy(self) -> bool;
    fn from_bool(b: bool) -> Self {
        Self::from_i64(b as i64)
    }
}

macro_rules! float_elem {
    ($t:ty, $d:expr) => {
        impl Elem for $t {
            const DTYPE: DType = $d;
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
            #[inline(always)]
            fn truthy(self) -> bool {
                self != 0.0
            }
        }
    };
}
float_elem!(f32, DType::F32);
float_elem!(f64, DType::F64);

macro_rules! int_elem {
    ($t:ty, $d:expr) => {
        impl Elem for $t {
            const DTYPE: DType = $d;
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn to_i64(self) -> i64 {
                self as i64
            }
            #[inline(always)]
            fn from_i64(v: i64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn truthy(self) -> bool {
                self != 0
            }
        }
    };
}
int_elem!(i32, DType::I32);
int_elem!(i64, DType::I64);
int_elem!(u8, DType::U8);

impl Elem for Bool {
    const DTYPE: DType = DType::Bool;
    fn to_f64(self) -> f64 {
        (self.0 != 0) as u8 as f64
    }
    fn from_f64(v: f64) -> Self {
        Bool((v != 0.0) as u8)
    }
    fn to_i64(self) -> i64 {
        (self.0 != 0) as i64
    }
    fn from_i64(v: i64) -> Self {
        Bool((v != 0) as u8)
    }
    fn truthy(self) -> bool {
        self.0 != 0
    }
}

/// `v` as an f32 rounded to odd: when `v` is not exact in f32, the neighbour whose last mantissa bit
/// is 1. Rounding that to a format with at least 2 fewer mantissa bits (float16: 11, bfloat16: 8;
/// f32 has 24) gives the correctly rounded result of `v`, where `v as f32` first could round twice
/// (a float64 just above a float16 tie became the tie, then rounded to even: the fuzzer found one).
fn f32_round_to_odd(v: f64) -> f32 {
    let f = v as f32;
    if !f.is_finite() || f as f64 == v || f.to_bits() & 1 == 1 {
        return f;
    }
    // even and inexact: step one ulp toward v (the other neighbour, which is odd)
    let bits = f.to_bits();
    let toward_zero = (f as f64).abs() > v.abs();
    f32::from_bits(if toward_zero { bits - 1 } else { bits + 1 })
}

impl Elem for F16 {
    const DTYPE: DType = DType::F16;
    fn to_f64(self) -> f64 {
        self.to_f32() as f64
    }
    fn from_f64(v: f64) -> Self {
        F16::from_f32(f32_round_to_odd(v))
    }
    fn is_nan(self) -> bool {
        self.0 & 0x7c00 == 0x7c00 && self.0 & 0x3ff != 0
    }
    fn truthy(self) -> bool {
        self.0 & 0x7fff != 0
    }
}

impl Elem for BF16 {
    const DTYPE: DType = DType::BF16;
    fn to_f64(self) -> f64 {
        self.to_f32() as f64
    }
    fn from_f64(v: f64) -> Self {
        BF16::from_f32(f32_round_to_odd(v))
    }
    fn is_nan(self) -> bool {
        self.to_f32().is_nan()
    }
    fn truthy(self) -> bool {
        self.0 & 0x7fff != 0
    }
}

/// Runs `$body` with `$T` bound to the Rust storage type of `$dtype` (all eight dtypes).
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
            $crate::dtype::DType::I32 => {
                type $T = i32;
                $body
            }
            $crate::dtype::DType::I64 => {
                type $T = i64;
                $body
            }
            $crate::dtype::DType::U8 => {
                type $T = u8;
                $body
            }
            $crate::dtype::DType::Bool => {
                type $T = $crate::dtype::Bool;
                $body
            }
            $crate::dtype::DType::F16 => {
                type $T = $crate::dtype::F16;
                $body
            }
            $crate::dtype::DType::BF16 => {
                type $T = $crate::dtype::BF16;
                $body
            }
        }
    };
}

/// Runs `$body` with `$T` bound to a compute type (`Num`); other dtypes reach `$other`.
#[macro_export]
macro_rules! dispatch_num {
    ($dtype:expr, $T:ident => $body:expr, $other:expr) => {
        match $dtype {
            $crate::dtype::DType::F32 => {
                type $T = f32;
                $body
            }
            $crate::dtype::DType::F64 => {
                type $T = f64;
                $body
            }
            $crate::dtype::DType::I32 => {
                type $T = i32;
                $body
            }
            $crate::dtype::DType::I64 => {
                type $T = i64;
                $body
            }
            $crate::dtype::DType::U8 => {
                type $T = u8;
                $body
            }
            _ => $other,
        }
    };
}

/// Runs `$body` with `$T` bound to f32 or f64; other dtypes reach `$other`.
#[macro_export]
macro_rules! dispatch_float {
    ($dtype:expr, $T:ident => $body:expr, $other:expr) => {
        match $dtype {
            $crate::dtype::DType::F32 => {
                type $T = f32;
                $body
            }
            $crate::dtype::DType::F64 => {
                type $T = f64;
                $body
            }
            _ => $other,
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The correctly rounded (nearest, ties to even) 16-bit float of `v`, by search over every
    /// finite value of the format (`to` decodes bits), for the positive range.
    fn nearest(v: f64, to: impl Fn(u16) -> f64, max_bits: u16) -> u16 {
        let (mut lo, mut hi) = (0u16, max_bits);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if to(mid) <= v {
                lo = mid
            } else {
                hi = mid
            }
        }
        let (dl, dh) = (v - to(lo), to(hi) - v);
        if dl < dh || (dl == dh && lo % 2 == 0) {
            lo
        } else {
            hi
        }
    }

    #[test]
    fn float64_to_16_bit_floats_rounds_once() {
        // found by the fuzzer: just above a float16 tie, which `as f32` turned into the tie
        assert_eq!(F16::from_f64(0.10244751209393144).to_f32(), 0.102_478_03);
        let f16 = |b: u16| F16(b).to_f32() as f64;
        let bf16 = |b: u16| BF16(b).to_f32() as f64;
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        for i in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // values near ties of both formats: a tie moved by a few float64 ulps either way
            let b = (x % 0x7bff) as u16;
            let tie16 = (f16(b) + f16(b + 1)) / 2.0;
            let bb = (x % 0x7f7f) as u16;
            let tie_bf = (bf16(bb) + bf16(bb + 1)) / 2.0;
            let nudge = ((x >> 40) % 9) as i64 - 4;
            let v16 = f64::from_bits((tie16.to_bits() as i64 + nudge) as u64);
            let vbf = f64::from_bits((tie_bf.to_bits() as i64 + nudge) as u64);
            assert_eq!(F16::from_f64(v16).0, nearest(v16, f16, 0x7bff), "float16 of {v16:e} (case {i})");
            assert_eq!(BF16::from_f64(vbf).0, nearest(vbf, bf16, 0x7f7f), "bfloat16 of {vbf:e} (case {i})");
            assert_eq!(F16::from_f64(-v16).0, nearest(v16, f16, 0x7bff) | 0x8000);
        }
    }

    #[test]
    fn codes_round_trip() {
        for d in DType::ALL {
            assert_eq!(DType::from_code(d as i32).unwrap(), d);
        }
        assert!(matches!(DType::from_code(99), Err(Error::DType(_))));
        assert!(matches!(DType::from_code(-1), Err(Error::DType(_))));
    }

    #[test]
    fn promotion_is_symmetric_and_matches_numpy() {
        use DType::*;
        for a in DType::ALL {
            for b in DType::ALL {
                assert_eq!(DType::promote(a, b), DType::promote(b, a), "{a:?} {b:?}");
            }
        }
        let cases = [
            (U8, I32, I32),
            (I32, I64, I64),
            (I32, F16, F64),
            (U8, F16, F16),
            (I64, F32, F64),
            (U8, F32, F32),
            (Bool, U8, U8),
            (F16, F32, F32),
            (F16, BF16, F32),
            (Bool, F16, F16),
        ];
        for (a, b, r) in cases {
            assert_eq!(DType::promote(a, b), r, "{a:?} + {b:?}");
        }
    }

    #[test]
    fn f16_round_trips_and_rounds_to_even() {
        for bits in 0u16..=0xffff {
            let h = F16(bits);
            if h.is_nan() {
                assert!(F16::from_f32(h.to_f32()).is_nan());
            } else {
                assert_eq!(F16::from_f32(h.to_f32()).0, bits, "{bits:#x}");
            }
        }
        assert_eq!(F16::from_f32(1.0).0, 0x3c00);
        assert_eq!(F16::from_f32(65504.0).0, 0x7bff);
        assert_eq!(F16::from_f32(65520.0).0, 0x7c00); // rounds up to inf
        assert_eq!(F16::from_f32(1.0 + 1.0 / 2048.0).0, 0x3c00); // tie -> even
        assert_eq!(F16::from_f32(5.96e-8).0, 0x0001); // smallest subnormal
    }

    #[test]
    fn bf16_rounds_to_even() {
        assert_eq!(BF16::from_f32(1.0).0, 0x3f80);
        assert_eq!(BF16::from_f32(1.0 + 1.0 / 256.0).0, 0x3f80); // tie -> even
        assert_eq!(BF16::from_f32(1.0 + 3.0 / 256.0).0, 0x3f82);
        assert!(BF16::from_f32(f32::NAN).to_f32().is_nan());
        for bits in [0u16, 0x3f80, 0xc2f7, 0x7f80, 0x0001] {
            assert_eq!(BF16::from_f32(BF16(bits).to_f32()).0, bits);
        }
    }
}
