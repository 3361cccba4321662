//! The arithmetic of the compute types, which kernels are generic over: [`Num`] (float32, float64,
//! int32, int64, uint8, with numpy semantics) and [`Float`] (float32 and float64); and the scalar
//! functions std lacks: erf (for the exact GELU), and `exp` written without branches or calls so
//! the compiler vectorises the loops that use it (std's `exp` is a libm call per element).

use crate::dtype::Elem;

/// The compute types (float32, float64, int32, int64, uint8): arithmetic with numpy semantics.
pub trait Num: Elem {
    fn zero() -> Self;
    fn one() -> Self;
    fn add(self, o: Self) -> Self;
    fn sub(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;
    /// Division: true division for floats; for integers floor division (x / 0 = 0, as numpy).
    fn div(self, o: Self) -> Self;
    /// Floor division (Python's `//`).
    fn floor_div(self, o: Self) -> Self;
    /// Remainder with the sign of the divisor (Python's `%`); x % 0 = 0 for integers.
    fn rem(self, o: Self) -> Self;
    fn pow(self, o: Self) -> Self;
    fn neg(self) -> Self;
    fn abs(self) -> Self;
    fn sign(self) -> Self;
    fn floor(self) -> Self;
    fn ceil(self) -> Self;
    /// Round half to even (numpy's `round`).
    fn round(self) -> Self;
    /// The identity of `max` (lowest value) and of `min` (highest value).
    fn lowest() -> Self;
    fn highest() -> Self;
}

/// float32 and float64: the transcendental functions.
pub trait Float: Num {
    fn exp(self) -> Self;
    fn ln(self) -> Self;
    fn ln_1p(self) -> Self;
    fn exp_m1(self) -> Self;
    fn sqrt(self) -> Self;
    fn sin(self) -> Self;
    fn cos(self) -> Self;
    fn tan(self) -> Self;
    fn tanh(self) -> Self;
    fn erf(self) -> Self;
    /// The exact (erf) GELU, `x/2 (1 + erf(x/sqrt 2))`.
    fn gelu(self) -> Self;
    fn is_finite(self) -> bool;
    fn infinity() -> Self;
}

macro_rules! float_num {
    ($t:ty, $exp:ident, $ln:ident, $tanh:ident, $gelu:ident) => {
        impl Num for $t {
            #[inline(always)]
            fn zero() -> Self {
                0.0
            }
            #[inline(always)]
            fn one() -> Self {
                1.0
            }
            #[inline(always)]
            fn add(self, o: Self) -> Self {
                self + o
            }
            #[inline(always)]
            fn sub(self, o: Self) -> Self {
                self - o
            }
            #[inline(always)]
            fn mul(self, o: Self) -> Self {
                self * o
            }
            #[inline(always)]
            fn div(self, o: Self) -> Self {
                self / o
            }
            #[inline(always)]
            fn floor_div(self, o: Self) -> Self {
                // numpy's npy_divmod: the quotient of `self - fmod`, one less when the remainder
                // takes the divisor's sign, snapped to an integer. NOTE: from the raw fmod (the
                // adjusted remainder is inf for -5 % inf, and (-5 - inf) / inf would be NaN).
                if o == 0.0 {
                    return self / o;
                }
                let m = self % o;
                let mut d = (self - m) / o;
                if m != 0.0 && ((o < 0.0) != (m < 0.0)) {
                    d -= 1.0;
                }
                if d == 0.0 {
                    (0.0 as $t).copysign(self / o)
                } else {
                    let f = d.floor();
                    if d - f > 0.5 {
                        f + 1.0
                    } else {
                        f
                    }
                }
            }
            #[inline(always)]
            fn rem(self, o: Self) -> Self {
                // numpy's npy_remainder (fmod, moved to the divisor's sign)
                if o == 0.0 {
                    return <$t>::NAN;
                }
                let m = self % o;
                if m != 0.0 && ((m < 0.0) != (o < 0.0)) {
                    m + o
                } else if m == 0.0 {
                    (0.0 as $t).copysign(o)
                } else {
                    m
                }
            }
            #[inline(always)]
            fn pow(self, o: Self) -> Self {
                self.powf(o)
            }
            #[inline(always)]
            fn neg(self) -> Self {
                -self
            }
            #[inline(always)]
            fn abs(self) -> Self {
                <$t>::abs(self)
            }
            #[inline(always)]
            fn sign(self) -> Self {
                if self > 0.0 {
                    1.0
                } else if self < 0.0 {
                    -1.0
                } else {
                    self
                }
            }
            #[inline(always)]
            fn floor(self) -> Self {
                <$t>::floor(self)
            }
            #[inline(always)]
            fn ceil(self) -> Self {
                <$t>::ceil(self)
            }
            #[inline(always)]
            fn round(self) -> Self {
                <$t>::round_ties_even(self)
            }
            #[inline(always)]
            fn lowest() -> Self {
                <$t>::NEG_INFINITY
            }
            #[inline(always)]
            fn highest() -> Self {
                <$t>::INFINITY
            }
        }
        impl Float for $t {
            #[inline(always)]
            fn exp(self) -> Self {
                $exp(self)
            }
            #[inline(always)]
            fn ln(self) -> Self {
                $ln(self)
            }
            #[inline(always)]
            fn ln_1p(self) -> Self {
                <$t>::ln_1p(self)
            }
            #[inline(always)]
            fn exp_m1(self) -> Self {
                <$t>::exp_m1(self)
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                <$t>::sqrt(self)
            }
            #[inline(always)]
            fn sin(self) -> Self {
                <$t>::sin(self)
            }
            #[inline(always)]
            fn cos(self) -> Self {
                <$t>::cos(self)
            }
            #[inline(always)]
            fn tan(self) -> Self {
                <$t>::tan(self)
            }
            #[inline(always)]
            fn tanh(self) -> Self {
                $tanh(self)
            }
            #[inline(always)]
            fn gelu(self) -> Self {
                $gelu(self)
            }
            #[inline(always)]
            fn erf(self) -> Self {
                erf(self as f64) as $t
            }
            #[inline(always)]
            fn is_finite(self) -> bool {
                <$t>::is_finite(self)
            }
            #[inline(always)]
            fn infinity() -> Self {
                <$t>::INFINITY
            }
        }
    };
}
float_num!(f32, exp_f32, ln_f32, tanh_f32, gelu_f32);
float_num!(f64, exp_f64, ln_f64, tanh_f64, gelu_f64);

macro_rules! int_num {
    ($t:ty, $signed:expr) => {
        impl Num for $t {
            #[inline(always)]
            fn zero() -> Self {
                0
            }
            #[inline(always)]
            fn one() -> Self {
                1
            }
            #[inline(always)]
            fn add(self, o: Self) -> Self {
                self.wrapping_add(o)
            }
            #[inline(always)]
            fn sub(self, o: Self) -> Self {
                self.wrapping_sub(o)
            }
            #[inline(always)]
            fn mul(self, o: Self) -> Self {
                self.wrapping_mul(o)
            }
            #[inline(always)]
            fn div(self, o: Self) -> Self {
                self.floor_div(o)
            }
            #[inline(always)]
            fn floor_div(self, o: Self) -> Self {
                if o == 0 {
                    return 0;
                }
                let q = self.wrapping_div(o);
                if $signed && (self.wrapping_rem(o) != 0) && ((self < (0 as $t)) != (o < (0 as $t))) {
                    q.wrapping_sub(1)
                } else {
                    q
                }
            }
            #[inline(always)]
            fn rem(self, o: Self) -> Self {
                if o == 0 {
                    return 0;
                }
                let r = self.wrapping_rem(o);
                if $signed && r != 0 && ((r < (0 as $t)) != (o < (0 as $t))) {
                    r.wrapping_add(o)
                } else {
                    r
                }
            }
            #[inline(always)]
            fn pow(self, o: Self) -> Self {
                // negative exponents are refused before the kernel runs
                let mut e = o as u64;
                let (mut b, mut r) = (self, 1 as $t);
                while e > 0 {
                    if e & 1 == 1 {
                        r = r.wrapping_mul(b);
                    }
                    b = b.wrapping_mul(b);
                    e >>= 1;
                }
                r
            }
            #[inline(always)]
            fn neg(self) -> Self {
                (0 as $t).wrapping_sub(self)
            }
            #[inline(always)]
            fn abs(self) -> Self {
                if $signed && self < (0 as $t) {
                    (0 as $t).wrapping_sub(self)
                } else {
                    self
                }
            }
            #[inline(always)]
            fn sign(self) -> Self {
                if self > (0 as $t) {
                    1
                } else if self == (0 as $t) {
                    0
                } else {
                    (0 as $t).wrapping_sub(1)
                }
            }
            #[inline(always)]
            fn floor(self) -> Self {
                self
            }
            #[inline(always)]
            fn ceil(self) -> Self {
                self
            }
            #[inline(always)]
            fn round(self) -> Self {
                self
            }
            #[inline(always)]
            fn lowest() -> Self {
                <$t>::MIN
            }
            #[inline(always)]
            fn highest() -> Self {
                <$t>::MAX
            }
        }
    };
}
int_num!(i32, true);
int_num!(i64, true);
int_num!(u8, false);

/// `e^x` in float32 to within 2 ulp of the correctly rounded result, branch-free: Cody-Waite
/// reduction `x = n ln2 + r` with |r| <= ln2/2, a degree-6 polynomial for `e^r`, and `2^n`
/// applied as two exact power-of-two factors so overflow gives inf and deep underflow rounds
/// once into the subnormals. NaN stays NaN; the clamp keeps `n` in range for the bit tricks.
#[inline(always)]
pub fn exp_f32(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_359_4; // few mantissa bits: n * LN2_HI is exact
    const LN2_LO: f32 = -2.121_944_4e-4;
    const ROUND: f32 = 12_582_912.0; // 1.5 * 2^23: adding and subtracting rounds to an integer
                                     // clamp keeps a NaN a NaN (min/max would drop it)
    let xc = x.clamp(-104.0, 88.8);
    let t = xc * LOG2E + ROUND;
    let n = t - ROUND;
    // the integer n is also in t's low mantissa bits (no float-to-int conversion: Rust's
    // saturating `as` does not vectorise)
    let ni = t.to_bits() as i32 - ROUND.to_bits() as i32; // in [-150, 129]
    let r = (xc - n * LN2_HI) - n * LN2_LO;
    let mut p = 1.987_569_1e-4_f32;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 5e-1;
    let e = p * r * r + r + 1.0;
    let h = ni >> 1;
    let s1 = f32::from_bits(((h + 127) as u32) << 23);
    let s2 = f32::from_bits(((ni - h + 127) as u32) << 23);
    e * s1 * s2
}

/// `tanh x` in float32, branch-free (both halves computed, one selected): an odd polynomial below
/// |x| = 0.625 (no cancellation near 0), `1 - 2 / (e^2|x| + 1)` above it (Cephes' scheme).
#[inline(always)]
pub fn tanh_f32(x: f32) -> f32 {
    let a = x.abs();
    let z = x * x;
    // x (1 + z P(z)), not x + x z P(z): the product keeps the sign of -0
    let small = x
        * (1.0
            + ((((-5.704_988_7e-3 * z + 2.063_909e-2) * z - 5.373_971_6e-2) * z + 1.333_144_2e-1) * z - 3.333_328e-1)
                * z);
    let big = 1.0 - 2.0 / (exp_f32(2.0 * a) + 1.0);
    let big = if x < 0.0 { -big } else { big };
    if a > 0.625 {
        big
    } else {
        small
    }
}

/// float64 `tanh` (std's; kept as a function so both float types name one in `Float`).
#[inline(always)]
pub fn tanh_f64(x: f64) -> f64 {
    x.tanh()
}

/// Exact (erf) GELU in float32: `x/2 (1 + erf(x/sqrt 2))`, written with erfc of |x|/sqrt 2 so the
/// negative side (where 1 + erf is tiny) keeps its relative accuracy. Branch-free.
///
/// erfc(a) for a >= 0 is a Chebyshev fit in `t = 1 / (1 + a/2)` times `e^-a^2` (Numerical Recipes,
/// relative error about 1.2e-7). A rounded `a^2` would put `a^2 * 2^-24` of absolute error in the
/// exponent (4e-6 relative at x = -12), so `a^2 = x^2 / 2` is formed from `x = hi + lo` with hi's
/// 12 leading bits: `hi^2 / 2` is exact and goes through its own `exp`.
#[inline(always)]
pub fn gelu_f32(x: f32) -> f32 {
    // beyond 20, erfc(|x|/sqrt 2) < 1e-88 is 0 in float32; the clamp keeps hi^2 finite
    let ax = if x.abs() > 20.0 { 20.0 } else { x.abs() };
    let a = ax * std::f32::consts::FRAC_1_SQRT_2;
    let t = 1.0 / (1.0 + 0.5 * a);
    // Horner written out: a loop over a coefficient array is not always unrolled, and then the
    // whole function stops vectorising
    let p = 0.170_872_77_f32;
    let p = p * t - 0.822_152_23;
    let p = p * t + 1.488_515_9;
    let p = p * t - 1.135_204;
    let p = p * t + 0.278_868_07;
    let p = p * t - 0.186_288_06;
    let p = p * t + 0.096_784_18;
    let p = p * t + 0.374_091_96;
    let p = p * t + 1.000_023_7;
    let hi = f32::from_bits(ax.to_bits() & 0xffff_f000);
    let lo_sq = (ax - hi) * (ax + hi);
    let e = t * exp_f32(-0.5 * (hi * hi)) * exp_f32(-0.5 * lo_sq - 1.265_512_2 + t * p);
    // gelu(-inf) = -inf * 0 = NaN, as the formula gives in numpy and torch
    0.5 * x * if x >= 0.0 { 2.0 - e } else { e }
}

/// Exact (erf) GELU in float64, through erfc on the negative side (as [`gelu_f32`]).
#[inline(always)]
pub fn gelu_f64(x: f64) -> f64 {
    let e = erfc_pos(x.abs() * std::f64::consts::FRAC_1_SQRT_2);
    0.5 * x * if x >= 0.0 { 2.0 - e } else { e }
}

/// `erfc x` for x >= 0 (NaN passes through): `1 - erf` below 3, where erfc > 2e-5 so little is
/// cancelled, the continued fraction above.
pub fn erfc_pos(x: f64) -> f64 {
    if x < 3.0 {
        1.0 - erf(x)
    } else if x > 26.6 {
        0.0 // below f64's smallest subnormal
    } else if x >= 3.0 {
        erfc_cf(x)
    } else {
        x
    }
}

/// `e^x` in float64 to within 2 ulp, branch-free, the same scheme as [`exp_f32`] with a
/// degree-13 Taylor polynomial on |r| <= ln2/2.
#[inline(always)]
pub fn exp_f64(x: f64) -> f64 {
    const LOG2E: f64 = std::f64::consts::LOG2_E;
    const LN2_HI: f64 = 6.931_471_803_691_238e-1; // 0x3fe62e42fee00000: n * LN2_HI is exact
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    const ROUND: f64 = 6_755_399_441_055_744.0; // 1.5 * 2^52
    let xc = x.clamp(-746.0, 709.8);
    let t = xc * LOG2E + ROUND;
    let n = t - ROUND;
    let ni = t.to_bits() as i64 - ROUND.to_bits() as i64; // in [-1077, 1025]
    let r = (xc - n * LN2_HI) - n * LN2_LO;
    // 1/k! for k = 13 down to 2
    let mut p = 1.605_904_383_682_161_3e-10;
    for c in [
        2.087_675_698_786_81e-9,
        2.505_210_838_544_172e-8,
        2.755_731_922_398_589e-7,
        2.755_731_922_398_589_3e-6,
        2.480_158_730_158_73e-5,
        1.984_126_984_126_984e-4,
        1.388_888_888_888_889e-3,
        8.333_333_333_333_333e-3,
        4.166_666_666_666_666_4e-2,
        1.666_666_666_666_666_6e-1,
        0.5,
    ] {
        p = p * r + c;
    }
    let e = p * r * r + r + 1.0;
    let h = ni >> 1;
    let s1 = f64::from_bits(((h + 1023) as u64) << 52);
    let s2 = f64::from_bits(((ni - h + 1023) as u64) << 52);
    e * s1 * s2
}

/// `ln x` in float32, branch-free (so the loops using it vectorise; std's is a libm call per
/// element): `x = m 2^e` with `m` in [sqrt(1/2), sqrt(2)), `ln(m)` by Cephes' degree-9 polynomial
/// in `m - 1`, `e ln2` added in two parts. Subnormals are scaled up first; 0 gives -inf, a
/// negative number or NaN gives NaN, inf gives inf.
#[inline(always)]
pub fn ln_f32(x: f32) -> f32 {
    const SQRTHF: f32 = std::f32::consts::FRAC_1_SQRT_2;
    let sub = x < f32::MIN_POSITIVE;
    let xs = if sub { x * 8_388_608.0 } else { x }; // 2^23
    let bits = xs.to_bits() as i32;
    let e = ((bits >> 23) & 0xff) - 126 - if sub { 23 } else { 0 };
    let m = f32::from_bits(((bits & 0x007f_ffff) | 0x3f00_0000) as u32); // [0.5, 1)
    let small = m < SQRTHF;
    let e = e - small as i32;
    let m = if small { m + m - 1.0 } else { m - 1.0 };
    let z = m * m;
    let y = 7.037_683_6e-2_f32;
    let y = y * m - 1.151_461e-1;
    let y = y * m + 1.167_699_9e-1;
    let y = y * m - 1.242_014_1e-1;
    let y = y * m + 1.424_932_3e-1;
    let y = y * m - 1.666_805_8e-1;
    let y = y * m + 2.000_071_5e-1;
    let y = y * m - 2.499_999_4e-1;
    let y = y * m + 3.333_333e-1;
    let ef = e as f32;
    let y = y * m * z - 2.121_944_4e-4 * ef - 0.5 * z;
    let r = m + y + 0.693_359_4 * ef;
    if x == 0.0 {
        f32::NEG_INFINITY
    } else if x == f32::INFINITY {
        x
    } else if x > 0.0 {
        r
    } else {
        f32::NAN
    }
}

/// `ln x` in float64 to within 1 ulp, branch-free (fdlibm's scheme): `x = m 2^k` with `m` in
/// [sqrt(1/2), sqrt(2)), `f = m - 1`, `s = f / (2 + f)`, `ln(1 + f) = 2s + s R(s^2)` with a degree-7
/// polynomial R, `k ln2` added in two parts. Special values as [`ln_f32`].
#[inline(always)]
pub fn ln_f64(x: f64) -> f64 {
    const LN2_HI: f64 = 6.931_471_803_691_238e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    let sub = x < f64::MIN_POSITIVE;
    let xs = if sub { x * 18_014_398_509_481_984.0 } else { x }; // 2^54
    let bits = xs.to_bits();
    let hx = (bits >> 32) as i64;
    let k = ((hx >> 20) & 0x7ff) - 1023 - if sub { 54 } else { 0 };
    let hm = hx & 0x000f_ffff;
    // i = 0x100000 when the mantissa is >= sqrt(2)'s: then m is halved into [sqrt(1/2), 1)
    let i = (hm + 0x95f64) & 0x10_0000;
    let mbits = (bits & 0x000f_ffff_ffff_ffff) | (((i ^ 0x3ff0_0000) as u64) << 32);
    let k = k + (i >> 20);
    let f = f64::from_bits(mbits) - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (3.999_999_999_940_942e-1 + w * (2.222_219_843_214_978_4e-1 + w * 1.531_383_769_920_937_3e-1));
    let t2 = z
        * (6.666_666_666_666_735e-1
            + w * (2.857_142_874_366_239e-1 + w * (1.818_357_216_161_805e-1 + w * 1.479_819_860_511_658_6e-1)));
    let r = t1 + t2;
    let hfsq = 0.5 * f * f;
    let kf = k as f64;
    let v = kf * LN2_HI - ((hfsq - (s * (hfsq + r) + kf * LN2_LO)) - f);
    if x == 0.0 {
        f64::NEG_INFINITY
    } else if x == f64::INFINITY {
        x
    } else if x > 0.0 {
        v
    } else {
        f64::NAN
    }
}

/// Arguments up to this size reduce exactly in [`sin_f32`] and [`cos_f32`] (`j pi/2` with `j` below
/// 2^17 and pi/2 split in a 33-bit and a 53-bit part); larger ones need std's full reduction.
pub const TRIG_F32_LIMIT: f32 = 1.0e5;

/// `x` reduced by multiples of pi/2, in float64: `(r, j)` with `x = j pi/2 + r`, |r| <= pi/4.
#[inline(always)]
fn reduce_pio2(x: f32) -> (f64, i64) {
    const TWO_OVER_PI: f64 = std::f64::consts::FRAC_2_PI;
    const PIO2_HI: f64 = 1.570_796_326_734_125_6; // 33 bits: j * PIO2_HI is exact
    const PIO2_LO: f64 = 6.077_100_506_506_192e-11;
    const ROUND: f64 = 6_755_399_441_055_744.0; // 1.5 * 2^52
    let y = x as f64;
    let t = y * TWO_OVER_PI + ROUND;
    let j = t - ROUND;
    let ji = t.to_bits() as i64 - ROUND.to_bits() as i64;
    ((y - j * PIO2_HI) - j * PIO2_LO, ji)
}

/// sin and cos of |r| <= pi/4 in float64 (Taylor to r^13 and r^14: errors below 1e-11, far
/// under float32's half ulp).
#[inline(always)]
fn sincos_kernel(r: f64) -> (f64, f64) {
    let z = r * r;
    // r (1 + z P(z)), not r + r z P(z): the product keeps the sign of -0
    let s = r
        * (1.0
            + z * (-1.666_666_666_666_666_6e-1
                + z * (8.333_333_333_333_333e-3
                    + z * (-1.984_126_984_126_984e-4
                        + z * (2.755_731_922_398_589e-6
                            + z * (-2.505_210_838_544_172e-8 + z * 1.605_904_383_682_161_3e-10))))));
    let c = 1.0
        + z * (-0.5
            + z * (4.166_666_666_666_666_4e-2
                + z * (-1.388_888_888_888_889e-3
                    + z * (2.480_158_730_158_73e-5
                        + z * (-2.755_731_922_398_589_3e-7
                            + z * (2.087_675_698_786_81e-9 - z * 1.147_074_559_772_972_5e-11))))));
    (s, c)
}

/// `sin x` in float32 for |x| <= [`TRIG_F32_LIMIT`] (NaN and infinities give NaN), branch-free so
/// its loops vectorise: reduction and polynomials in float64, rounded once.
#[inline(always)]
pub fn sin_f32(x: f32) -> f32 {
    let (r, j) = reduce_pio2(x);
    let (s, c) = sincos_kernel(r);
    let v = if j & 1 == 0 { s } else { c };
    (if j & 2 == 0 { v } else { -v }) as f32
}

/// `cos x` in float32, as [`sin_f32`].
#[inline(always)]
pub fn cos_f32(x: f32) -> f32 {
    let (r, j) = reduce_pio2(x);
    let (s, c) = sincos_kernel(r);
    let v = if j & 1 == 0 { c } else { s };
    (if (j + 1) & 2 == 0 { v } else { -v }) as f32
}

/// The error function, accurate to ~1e-15 relative (a series of positive terms below |x| = 3, a
/// continued fraction for erfc above).
pub fn erf(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    let a = x.abs();
    let r = if a < 3.0 {
        // erf(x) = 2/sqrt(pi) e^(-x^2) sum 2^n x^(2n+1) / (1*3*...*(2n+1)): positive terms, no cancellation
        let x2 = a * a;
        let (mut term, mut sum, mut n) = (a, a, 0.0);
        loop {
            n += 1.0;
            term *= 2.0 * x2 / (2.0 * n + 1.0);
            sum += term;
            if term <= 1e-17 * sum {
                break;
            }
        }
        sum * std::f64::consts::FRAC_2_SQRT_PI * (-x2).exp()
    } else if a < 6.0 {
        1.0 - erfc_cf(a)
    } else {
        1.0 // erfc(6) < 2.2e-17: below the last bit of 1.0
    };
    if x < 0.0 {
        -r
    } else {
        r
    }
}

/// erfc(x) for x >= 3 by its continued fraction (modified Lentz).
fn erfc_cf(x: f64) -> f64 {
    // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + 2/(x + ...)))))
    let tiny = 1e-300;
    let mut f = x;
    let (mut c, mut d) = (x, 0.0);
    for k in 1..200 {
        let an = k as f64 / 2.0;
        d = x + an * d;
        d = if d.abs() < tiny { tiny } else { d };
        c = x + an / c;
        c = if c.abs() < tiny { tiny } else { c };
        d = 1.0 / d;
        let delta = c * d;
        f *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    (-x * x).exp() / (f * std::f64::consts::PI.sqrt())
}

#[cfg(test)]
mod tests {
    use super::erf;

    #[test]
    fn erf_matches_known_values() {
        // reference values from mpmath
        let cases = [
            (0.0, 0.0),
            (0.1, 0.1124629160182849),
            (0.5, 0.5204998778130465),
            (1.0, 0.8427007929497149),
            (2.0, 0.9953222650189527),
            (2.9, 0.9999589021219005),
            (3.0, 0.9999779095030014),
            (4.0, 0.9999999845827421),
            (-1.5, -0.9661051464753108),
        ];
        for (x, want) in cases {
            let got = erf(x);
            assert!((got - want).abs() <= 2e-15 * want.abs().max(1e-300) + 1e-16, "erf({x}) = {got}, want {want}");
        }
        assert_eq!(erf(f64::INFINITY), 1.0);
        assert_eq!(erf(-40.0), -1.0);
    }
}

#[cfg(test)]
mod exp_tests {
    #[test]
    fn tanh_and_gelu_f32_match_float64_references() {
        let mut worst = (0.0f64, 0.0f32, "");
        for bits in (0..=u32::MAX).step_by(101) {
            let x = f32::from_bits(bits);
            if x.is_nan() {
                assert!(tanh_f32(x).is_nan() && gelu_f32(x).is_nan());
                continue;
            }
            let xd = x as f64;
            let e = erfc_pos(xd.abs() * std::f64::consts::FRAC_1_SQRT_2);
            let gref = 0.5 * xd * if xd >= 0.0 { 2.0 - e } else { e };
            for (got, want, name) in [(tanh_f32(x), xd.tanh(), "tanh"), (gelu_f32(x), gref, "gelu")] {
                // relative error; results below 1e-30 (gelu's far negative tail, where erfc
                // reaches float32's subnormals) only need a tiny absolute error
                let diff = (got as f64 - want).abs();
                if want.abs() < 1e-30 {
                    assert!(diff < 1e-36, "{name}({x:e}) = {got:e}, want {want:e}");
                    continue;
                }
                let err = diff / want.abs();
                if err > worst.0 {
                    worst = (err, x, name);
                }
            }
        }
        assert!(worst.0 < 1e-6, "worst relative error {:e} in {} at x = {:e}", worst.0, worst.2, worst.1);
        assert_eq!(
            (tanh_f32(f32::INFINITY), tanh_f32(f32::NEG_INFINITY), tanh_f32(-0.0).to_bits()),
            (1.0, -1.0, (-0.0f32).to_bits())
        );
        assert_eq!(gelu_f32(f32::INFINITY), f32::INFINITY);
        assert!(gelu_f32(f32::NEG_INFINITY).is_nan(), "-inf * 0, as numpy's formula and torch give");
    }

    use super::*;

    fn ulp32(a: f32, b: f32) -> u32 {
        if a == b || (a.is_nan() && b.is_nan()) {
            return 0;
        }
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs() as u32
    }

    #[test]
    fn exp_f32_is_within_2_ulp_of_libm_everywhere() {
        // every 97th float32 bit pattern: all of the range, subnormal results included
        let mut worst = (0, 0.0f32);
        for bits in (0..=u32::MAX).step_by(97) {
            let x = f32::from_bits(bits);
            let want = (x as f64).exp() as f32; // f64 libm, rounded once: a correctly rounded oracle
            let u = ulp32(exp_f32(x), want);
            if u > worst.0 {
                worst = (u, x);
            }
        }
        assert!(worst.0 <= 2, "worst {} ulp at x = {:e}", worst.0, worst.1);
        for (x, want) in
            [(f32::INFINITY, f32::INFINITY), (f32::NEG_INFINITY, 0.0), (0.0, 1.0), (89.0, f32::INFINITY), (-110.0, 0.0)]
        {
            assert_eq!(exp_f32(x), want, "exp({x})");
        }
        assert!(exp_f32(f32::NAN).is_nan());
    }

    #[test]
    fn ln_f32_is_within_2_ulp_of_libm_everywhere() {
        // every 97th positive float32 bit pattern, subnormals included
        let mut worst = (0, 0.0f32);
        for bits in (1..0x7f80_0000u32).step_by(97) {
            let x = f32::from_bits(bits);
            let want = (x as f64).ln() as f32;
            let u = ulp32(ln_f32(x), want);
            if u > worst.0 {
                worst = (u, x);
            }
        }
        assert!(worst.0 <= 2, "worst {} ulp at x = {:e}", worst.0, worst.1);
        assert_eq!(ln_f32(0.0), f32::NEG_INFINITY);
        assert_eq!(ln_f32(-0.0), f32::NEG_INFINITY);
        assert_eq!(ln_f32(1.0), 0.0);
        assert_eq!(ln_f32(f32::INFINITY), f32::INFINITY);
        assert!(ln_f32(-1.0).is_nan() && ln_f32(f32::NAN).is_nan() && ln_f32(f32::NEG_INFINITY).is_nan());
    }

    #[test]
    fn ln_f64_is_within_1_ulp_of_libm() {
        let mut seed = 0x2545f4914f6cdd1du64;
        for i in 0..2_000_000u64 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            // random bit patterns of positive doubles (every binade, subnormals included), and
            // every other draw near 1, where ln is small
            let x = if i % 2 == 0 {
                f64::from_bits((seed >> 1) % 0x7ff0_0000_0000_0000)
            } else {
                0.5 + (seed >> 11) as f64 / (1u64 << 53) as f64
            };
            if x == 0.0 {
                continue;
            }
            let (got, want) = (ln_f64(x), x.ln());
            let d = (got.to_bits() as i128 - want.to_bits() as i128).unsigned_abs();
            assert!(d <= 1 || got == want, "ln({x:e}) = {got:e}, libm {want:e}");
        }
        assert_eq!(ln_f64(0.0), f64::NEG_INFINITY);
        assert_eq!(ln_f64(1.0), 0.0);
        assert_eq!(ln_f64(f64::INFINITY), f64::INFINITY);
        assert!(ln_f64(-1.0).is_nan() && ln_f64(f64::NAN).is_nan());
    }

    #[test]
    fn sin_cos_f32_are_within_1_ulp_of_libm_up_to_the_limit() {
        let mut worst = (0, 0.0f32);
        let mut check = |x: f32| {
            for (got, want) in [(sin_f32(x), (x as f64).sin() as f32), (cos_f32(x), (x as f64).cos() as f32)] {
                let u = ulp32(got, want);
                // near a zero of sin/cos the result is tiny: compare absolutely there
                if u > worst.0 && (got - want).abs() > 1e-9 {
                    worst = (u, x);
                }
            }
        };
        for bits in (0..0x47c3_5000u32).step_by(101) {
            let x = f32::from_bits(bits); // 0 ..= 1e5
            check(x);
            check(-x);
        }
        assert!(worst.0 <= 1, "worst {} ulp at x = {:e}", worst.0, worst.1);
        assert!(sin_f32(f32::NAN).is_nan() && cos_f32(f32::INFINITY).is_nan() && sin_f32(f32::NEG_INFINITY).is_nan());
        assert_eq!(sin_f32(-0.0).to_bits(), (-0.0f32).to_bits());
    }

    #[test]
    fn exp_f64_is_within_2_ulp_of_libm() {
        let mut seed = 0x9e3779b97f4a7c15u64;
        for i in 0..2_000_000u64 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            // uniform over [-760, 720] and, every other draw, over [-1, 1]
            let u = (seed >> 11) as f64 / (1u64 << 53) as f64;
            let x = if i % 2 == 0 { u * 1480.0 - 760.0 } else { u * 2.0 - 1.0 };
            let (got, want) = (exp_f64(x), x.exp());
            let d = (got.to_bits() as i128 - want.to_bits() as i128).unsigned_abs();
            assert!(d <= 2 || got == want, "exp({x:e}) = {got:e}, libm {want:e}");
        }
        for (x, want) in [
            (f64::INFINITY, f64::INFINITY),
            (f64::NEG_INFINITY, 0.0),
            (0.0, 1.0),
            (710.0, f64::INFINITY),
            (-750.0, 0.0),
        ] {
            assert_eq!(exp_f64(x), want, "exp({x})");
        }
        assert!(exp_f64(f64::NAN).is_nan());
    }
}

#[cfg(test)]
mod num_tests {
    use super::*;

    #[test]
    fn integer_division_follows_python() {
        assert_eq!((-7i32).floor_div(2), -4);
        assert_eq!((-7i32).rem(2), 1);
        assert_eq!(7i32.rem(-2), -1);
        assert_eq!(5i32.floor_div(0), 0);
        assert_eq!(5u8.rem(0), 0);
        assert_eq!((-7.0f64).floor_div(2.0), -4.0);
        assert_eq!((-7.0f64).rem(2.0), 1.0);
        assert_eq!(3i64.pow(4), 81);
    }
}
