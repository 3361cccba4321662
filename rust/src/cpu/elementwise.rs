//! Elementwise kernels: the closure of every unary and binary op, each monomorphised into the
//! loops of [`super::map`] and [`super::zip_map`] (broadcasting by layout). Result dtypes and
//! promotion are the op layer's ([`crate::ops::elementwise`]).

use super::math::{cos_f32, sin_f32, Float, Num, TRIG_F32_LIMIT};
use super::{map, zip_map, Src};
use crate::dtype::{Bool, Elem};
use crate::layout::{for_each_offsets, Layout};
use crate::op::{BinaryOp, UnaryOp};
use crate::shape::Dims;

/// Runs `$body` with `$f` bound to the arithmetic closure of `$op` on `$T: Num`.
macro_rules! with_arith {
    ($op:expr, $T:ty, $f:ident => $body:expr) => {
        match $op {
            BinaryOp::Add => {
                let $f = |x: $T, y: $T| x.add(y);
                $body
            }
            BinaryOp::Sub => {
                let $f = |x: $T, y: $T| x.sub(y);
                $body
            }
            BinaryOp::Mul => {
                let $f = |x: $T, y: $T| x.mul(y);
                $body
            }
            BinaryOp::Div => {
                let $f = |x: $T, y: $T| x.div(y);
                $body
            }
            BinaryOp::Pow => {
                let $f = |x: $T, y: $T| Num::pow(x, y);
                $body
            }
            BinaryOp::Mod => {
                let $f = |x: $T, y: $T| x.rem(y);
                $body
            }
            BinaryOp::FloorDiv => {
                let $f = |x: $T, y: $T| x.floor_div(y);
                $body
            }
            // numpy propagates NaN through maximum/minimum
            BinaryOp::Maximum => {
                let $f = |x: $T, y: $T| if x.is_nan() || x > y { x } else { y };
                $body
            }
            BinaryOp::Minimum => {
                let $f = |x: $T, y: $T| if x.is_nan() || x < y { x } else { y };
                $body
            }
            _ => unreachable!("not an arithmetic op"),
        }
    };
}

/// Comparison closure of `$op` on `$T` (NaN compares unequal to everything, as in IEEE/numpy).
macro_rules! with_cmp {
    ($op:expr, $T:ty, $f:ident => $body:expr) => {
        match $op {
            BinaryOp::Eq => {
                let $f = |x: $T, y: $T| Bool((x == y) as u8);
                $body
            }
            BinaryOp::Ne => {
                let $f = |x: $T, y: $T| Bool((x != y) as u8);
                $body
            }
            BinaryOp::Lt => {
                let $f = |x: $T, y: $T| Bool((x < y) as u8);
                $body
            }
            BinaryOp::Le => {
                let $f = |x: $T, y: $T| Bool((x <= y) as u8);
                $body
            }
            BinaryOp::Gt => {
                let $f = |x: $T, y: $T| Bool((x > y) as u8);
                $body
            }
            BinaryOp::Ge => {
                let $f = |x: $T, y: $T| Bool((x >= y) as u8);
                $body
            }
            _ => unreachable!("not a comparison"),
        }
    };
}

/// `o = op(a, b)` for an arithmetic `op` (add ... minimum), `a` and `b` broadcast to `shape`.
pub fn arith<T: Num>(op: BinaryOp, a: Src<T>, b: Src<T>, shape: &[usize], o: &mut [T]) {
    with_arith!(op, T, f => zip_map(a, b, shape, o, f))
}

/// `o = op(a, s)` (or `op(s, a)` when `scalar_first`) for an arithmetic `op` and a scalar `s`.
pub fn arith_scalar<T: Num>(op: BinaryOp, (x, l): Src<T>, s: T, scalar_first: bool, o: &mut [T]) {
    with_arith!(op, T, f => {
        if scalar_first {
            map(x, l, o, |v| f(s, v))
        } else {
            map(x, l, o, |v| f(v, s))
        }
    })
}

/// `o = op(a, b)` for a comparison `op`, `a` and `b` broadcast to `shape`.
pub fn compare<T: Num>(op: BinaryOp, a: Src<T>, b: Src<T>, shape: &[usize], o: &mut [Bool]) {
    with_cmp!(op, T, f => zip_map(a, b, shape, o, f))
}

/// `o = op(a, b)` for a logical `op` (and, or, xor) of bools, `a` and `b` broadcast to `shape`.
pub fn logical(op: BinaryOp, a: Src<Bool>, b: Src<Bool>, shape: &[usize], o: &mut [Bool]) {
    let f = match op {
        BinaryOp::LogicalAnd => |x: Bool, y: Bool| Bool((x.truthy() && y.truthy()) as u8),
        BinaryOp::LogicalOr => |x: Bool, y: Bool| Bool((x.truthy() || y.truthy()) as u8),
        _ => |x: Bool, y: Bool| Bool((x.truthy() != y.truthy()) as u8),
    };
    zip_map(a, b, shape, o, f)
}

/// True when an element of the view `l` over `x` is negative. Reads each stored element once:
/// broadcast dims (stride 0) are walked at one index, so a huge broadcast view costs no more than
/// its storage.
pub fn has_negative<T: Elem>(x: &[T], l: &Layout) -> bool {
    let shape: Dims<usize> =
        l.shape.iter().zip(l.strides.iter()).map(|(&d, &s)| if s == 0 { d.min(1) } else { d }).collect();
    let mut neg = false;
    // SAFETY: the offsets are a subset of the layout's, which lie within the storage.
    for_each_offsets(&shape, [&l.strides], [l.offset], |[o]| neg |= unsafe { *x.get_unchecked(o) }.to_f64() < 0.0);
    neg
}

// Every float function is bound to an `#[inline(always)]` closure, and the compound ones below are
// `#[inline(always)]` fns: so they are inlined into the per-instruction-set loops of `map` and
// vectorised there. (Without the attribute, LLVM kept the larger ones, such as gelu, out of line:
// compiled once for the baseline and called per element, 25x slower. A fn item passed directly
// goes through a shim that has the same issue.) The closures call the `Float` methods by path:
// `x.exp()` on an f32 would pick std's inherent method, not cobalt's vectorisable one.
#[inline(always)]
fn rsqrt_<T: Float>(x: T) -> T {
    T::one().div(x.sqrt())
}
/// Stable on both sides: never exp of a large positive number.
#[inline(always)]
fn sigmoid_<T: Float>(x: T) -> T {
    let e = Float::exp(Num::neg(Num::abs(x)));
    let r = T::one().div(T::one().add(e));
    if x >= T::zero() {
        r
    } else {
        e.mul(r)
    }
}
#[inline(always)]
fn silu_<T: Float>(x: T) -> T {
    x.mul(sigmoid_(x))
}
/// log(1 + e^x) = max(x, 0) + log1p(e^-|x|)
#[inline(always)]
fn softplus_<T: Float>(x: T) -> T {
    (if x > T::zero() { x } else { T::zero() }).add(Float::ln_1p(Float::exp(Num::neg(Num::abs(x)))))
}
#[inline(always)]
fn gelu_tanh_<T: Float>(x: T) -> T {
    let c = T::from_f64((2.0 / std::f64::consts::PI).sqrt());
    let inner = c.mul(x.add(T::from_f64(0.044715).mul(x).mul(x).mul(x)));
    T::from_f64(0.5).mul(x).mul(T::one().add(Float::tanh(inner)))
}

/// The float function of `$op` on `$T: Float`, bound to `$f` for `$body`: one line per op
/// (`Variant => |x| expression`, with `x: $T`). `$T` is f32 or f64 (a concrete type, so a method
/// that `Float` does not name, such as `x.log2()`, is std's).
macro_rules! with_float_fn {
    ($op:expr, $T:ty, $f:ident => $body:expr) => {
        with_float_fn!(@arms $op, $T, $f, $body;
            Exp => |x| Float::exp(x),
            Log => |x| Float::ln(x),
            Sqrt => |x| Float::sqrt(x),
            Tanh => |x| Float::tanh(x),
            Log1p => |x| Float::ln_1p(x),
            Expm1 => |x| Float::exp_m1(x),
            Rsqrt => |x| rsqrt_::<$T>(x),
            Sin => |x| Float::sin(x),
            Cos => |x| Float::cos(x),
            Tan => |x| Float::tan(x),
            Sigmoid => |x| sigmoid_::<$T>(x),
            Silu => |x| silu_::<$T>(x),
            Softplus => |x| softplus_::<$T>(x),
            Gelu => |x| Float::gelu(x),
            GeluTanh => |x| gelu_tanh_::<$T>(x),
            Log2 => |x| x.log2(),
            Log10 => |x| x.log10(),
            Exp2 => |x| x.exp2(),
            Erf => |x| Float::erf(x),
            Asin => |x| x.asin(),
            Acos => |x| x.acos(),
            Atan => |x| x.atan(),
            Sinh => |x| x.sinh(),
            Cosh => |x| x.cosh(),
            Reciprocal => |x| <$T>::one().div(x),
            Cbrt => |x| x.cbrt(),
        )
    };
    (@arms $op:expr, $T:ty, $f:ident, $body:expr; $($v:ident => |$x:ident| $e:expr),* $(,)?) => {
        match $op {
            $(UnaryOp::$v => {
                let $f = {
                    #[inline(always)]
                    |$x: $T| $e
                };
                $body
            })*
            _ => unreachable!("not a float function"),
        }
    };
}

/// `o = op(x)` for the predicates isnan, isfinite and logicalNot, of any dtype.
pub fn predicate<T: Elem>(op: UnaryOp, x: &[T], l: &Layout, o: &mut [Bool]) {
    match op {
        UnaryOp::IsNan => map(x, l, o, |v| Bool(v.is_nan() as u8)),
        UnaryOp::IsFinite => map(x, l, o, |v| {
            let v = v.to_f64();
            Bool(v.is_finite() as u8)
        }),
        _ => map(x, l, o, |v| Bool(!v.truthy() as u8)),
    }
}

/// `o = op(x)` for the numeric unary ops (neg, abs, sign, floor, ceil, round, trunc, square, relu) of a
/// compute type.
pub fn unary_num<T: Num>(op: UnaryOp, x: &[T], l: &Layout, o: &mut [T]) {
    match op {
        UnaryOp::Neg => map(x, l, o, Num::neg),
        UnaryOp::Abs => map(x, l, o, Num::abs),
        UnaryOp::Sign => map(x, l, o, Num::sign),
        UnaryOp::Floor => map(x, l, o, Num::floor),
        UnaryOp::Ceil => map(x, l, o, Num::ceil),
        UnaryOp::Round => map(x, l, o, Num::round),
        UnaryOp::Trunc => map(x, l, o, |v| if v < T::zero() { v.ceil() } else { v.floor() }),
        UnaryOp::Square => map(x, l, o, |v| v.mul(v)),
        _ => map(x, l, o, |v| if v > T::zero() || v.is_nan() { v } else { T::zero() }),
    }
}

/// The float functions of one float type: `with_float_fn!` expanded for f32 and for f64, so an arm
/// may call a method only std has (`x.log2()`), without a `Float` method for it.
pub trait FloatFns: Float {
    /// `o = op(x)` for a float function (exp ... gelu_tanh, log2 ...).
    fn unary_float(op: UnaryOp, x: &[Self], l: &Layout, o: &mut [Self]);
}
impl FloatFns for f32 {
    fn unary_float(op: UnaryOp, x: &[f32], l: &Layout, o: &mut [f32]) {
        // float32 sin and cos vectorise (computed in float64, one rounding) while every argument
        // is within the range they reduce exactly; otherwise std's, element by element
        match op {
            UnaryOp::Sin if trig_args_in_range(x, l) => map(x, l, o, sin_f32),
            UnaryOp::Cos if trig_args_in_range(x, l) => map(x, l, o, cos_f32),
            _ => with_float_fn!(op, f32, f => map(x, l, o, f)),
        }
    }
}
impl FloatFns for f64 {
    fn unary_float(op: UnaryOp, x: &[f64], l: &Layout, o: &mut [f64]) {
        with_float_fn!(op, f64, f => map(x, l, o, f))
    }
}

/// Whether no finite element of the view has |x| > [`TRIG_F32_LIMIT`] (one vectorised pass).
fn trig_args_in_range(x: &[f32], l: &Layout) -> bool {
    let over = |v: f32| (v.abs() > TRIG_F32_LIMIT && v.is_finite()) as u32;
    if l.is_contiguous() {
        let n = l.numel();
        x[l.offset..l.offset + n].iter().fold(0u32, |a, &v| a | over(v)) == 0
    } else {
        let mut any = 0u32;
        for_each_offsets(&l.shape, [&l.strides], [l.offset], |[off]| any |= over(x[off]));
        any == 0
    }
}

/// `o = op(x)` for a float function of float32 or float64.
pub fn unary_float<T: FloatFns>(op: UnaryOp, x: &[T], l: &Layout, o: &mut [T]) {
    T::unary_float(op, x, l, o)
}
