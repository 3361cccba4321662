//! Elementwise ops: numpy broadcasting, numpy type promotion, one monomorphised loop per op.

use super::{as_dtype, finish, map, zip_map};
use crate::cpu::math::{Float, Num};
use crate::dtype::{Bool, DType, Elem};
use crate::error::{Error, Result};
use crate::op::{BinaryOp, UnaryOp};
use crate::shape::{broadcast_shapes, Dims};
use crate::tensor::Tensor;
use crate::{dispatch, dispatch_float, dispatch_num};

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

fn shape_of(op: BinaryOp, a: &Tensor, b: &Tensor) -> Result<Dims<usize>> {
    if a.shape() == b.shape() {
        Ok(Dims::from(a.shape()))
    } else {
        broadcast_shapes(op.name(), a.shape(), b.shape())
    }
}

/// Elementwise `op(a, b)` with numpy broadcasting and type promotion.
pub fn binary(op: BinaryOp, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    use BinaryOp::*;
    let shape = shape_of(op, a, b)?;
    let common = DType::promote(a.dtype(), b.dtype());
    match op {
        Eq | Ne | Lt | Le | Gt | Ge => {
            // compare in the common type (bool compares as uint8)
            let ct = if common == DType::Bool { DType::U8 } else { common.compute() };
            let (a, b) = (as_dtype(a, ct)?, as_dtype(b, ct)?);
            dispatch_num!(ct, T => with_cmp!(op, T, f => zip_map::<T, T, Bool>(&a, &b, &shape, f)),
                unreachable!("compute types are numeric"))
        }
        LogicalAnd | LogicalOr | LogicalXor => {
            let (a, b) = (as_dtype(a, DType::Bool)?, as_dtype(b, DType::Bool)?);
            let f = match op {
                LogicalAnd => |x: Bool, y: Bool| Bool((x.truthy() && y.truthy()) as u8),
                LogicalOr => |x: Bool, y: Bool| Bool((x.truthy() || y.truthy()) as u8),
                _ => |x: Bool, y: Bool| Bool((x.truthy() != y.truthy()) as u8),
            };
            zip_map::<Bool, Bool, Bool>(&a, &b, &shape, f)
        }
        _ if common == DType::Bool => match op {
            // numpy: + is `or`, * is `and` on booleans
            Add | Maximum => binary(LogicalOr, a, b),
            Mul | Minimum => binary(LogicalAnd, a, b),
            Div => binary(Div, &super::cast(a, DType::F64)?, &super::cast(b, DType::F64)?),
            _ => Err(Error::DType(format!(
                "{}: not supported for bool tensors (numpy would use int8, which cobalt lacks); \
                 convert with astype(\"int32\") first",
                op.name()
            ))),
        },
        _ => {
            let out = if op == Div && !common.is_float() { DType::F64 } else { common };
            let ct = out.compute();
            let (a, b) = (as_dtype(a, ct)?, as_dtype(b, ct)?);
            if op == Pow && !ct.is_float() && has_negative(&b) {
                return Err(Error::InvalidArgument("pow: integers to negative integer powers are not allowed".into()));
            }
            let r = dispatch_num!(ct, T => with_arith!(op, T, f => zip_map::<T, T, T>(&a, &b, &shape, f)),
                unreachable!("compute types are numeric"))?;
            finish(r, out)
        }
    }
}

/// True when an element of `t` is negative. Reads each stored element once: broadcast dims
/// (stride 0) are walked at one index, so a huge broadcast view costs no more than its storage.
fn has_negative(t: &Tensor) -> bool {
    let l = t.layout();
    let shape: Dims<usize> =
        l.shape.iter().zip(l.strides.iter()).map(|(&d, &s)| if s == 0 { d.min(1) } else { d }).collect();
    let mut neg = false;
    dispatch!(t.dtype(), T => {
        let base = t.base::<T>();
        // SAFETY: the offsets are a subset of the layout's, which lie within the storage.
        crate::layout::for_each_offsets(&shape, [&l.strides], [l.offset], |[o]| neg |= unsafe { *base.add(o) }.to_f64() < 0.0);
    });
    neg
}

/// The dtype a JS number takes next to a tensor of `d` (numpy 2 / NEP 50 "weak" scalars): a
/// float tensor keeps its dtype; an integer tensor keeps it for an integer that fits, and goes to
/// float64 for a fraction; bool goes to int64 or float64.
pub fn scalar_dtype(op: BinaryOp, d: DType, s: f64) -> Result<DType> {
    if d.is_float() {
        return Ok(d);
    }
    let integral = s.is_finite() && s.fract() == 0.0;
    if !integral {
        return Ok(DType::F64);
    }
    // NOTE: i64::MAX as f64 is 2^63, which does not fit: the upper bound is exclusive there.
    let (lo, hi, promoted) = match d {
        DType::U8 => (0.0, 256.0, d),
        DType::I32 => (i32::MIN as f64, i32::MAX as f64 + 1.0, d),
        DType::I64 => (i64::MIN as f64, i64::MAX as f64, d),
        _ => (i64::MIN as f64, i64::MAX as f64, DType::I64), // bool with an integer
    };
    if s < lo || s >= hi {
        // numpy (NEP 50): true division is float64 anyway; comparisons stay exact (bool ones only
        // within int64); logical ops read truth values of numbers within int64; every other op
        // refuses the number
        let in_i64 = (i64::MIN as f64..i64::MAX as f64).contains(&s);
        let cmp = matches!(op, BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge);
        let logical = matches!(op, BinaryOp::LogicalAnd | BinaryOp::LogicalOr | BinaryOp::LogicalXor);
        if op == BinaryOp::Div || (cmp && (d != DType::Bool || in_i64)) || (logical && in_i64) {
            return Ok(DType::F64);
        }
        return Err(Error::InvalidArgument(format!(
            "{}: the number {} is out of bounds for {}",
            op.name(),
            if s.abs() >= 1e16 { format!("{s:e}") } else { s.to_string() },
            d.name()
        )));
    }
    Ok(promoted)
}

/// Elementwise `op(a, s)` (or `op(s, a)` when `scalar_first`) with a JS number `s`.
pub fn binary_scalar(op: BinaryOp, a: &Tensor, s: f64, scalar_first: bool) -> Result<Tensor> {
    let sd = scalar_dtype(op, a.dtype(), s)?;
    // fast path: float tensors and the arithmetic ops, without building a scalar tensor
    if sd == a.dtype() && matches!(a.dtype(), DType::F32 | DType::F64) && !is_cmp_or_logical(op) {
        return dispatch_float!(a.dtype(), T => with_arith!(op, T, f => {
            let y = T::from_f64(s);
            if scalar_first { map::<T, T>(a, |x| f(y, x)) } else { map::<T, T>(a, |x| f(x, y)) }
        }), unreachable!());
    }
    let st = Tensor::full(sd, &[], s)?;
    if scalar_first {
        binary(op, &st, a)
    } else {
        binary(op, a, &st)
    }
}

fn is_cmp_or_logical(op: BinaryOp) -> bool {
    use BinaryOp::*;
    matches!(op, Eq | Ne | Lt | Le | Gt | Ge | LogicalAnd | LogicalOr | LogicalXor)
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

/// The float function of `$op` on `$T: Float`, bound to `$f` for `$body`.
macro_rules! with_float_fn {
    ($op:expr, $T:ty, $f:ident => $body:expr) => {
        match $op {
            UnaryOp::Exp => {
                let $f = {
                    #[inline(always)]
                    |x: $T| Float::exp(x)
                };
                $body
            }
            UnaryOp::Log => {
                let $f = {
                    #[inline(always)]
                    |x: $T| Float::ln(x)
                };
                $body
            }
            UnaryOp::Sqrt => {
                let $f = {
                    #[inline(always)]
                    |x: $T| Float::sqrt(x)
                };
                $body
            }
            UnaryOp::Tanh => {
                let $f = {
                    #[inline(always)]
                    |x: $T| Float::tanh(x)
                };
                $body
            }
            UnaryOp::Log1p => {
                let $f = {
                    #[inline(always)]
                    |x: $T| Float::ln_1p(x)
                };
                $body
            }
            UnaryOp::Expm1 => {
                let $f = {
                    #[inline(always)]
                    |x: $T| Float::exp_m1(x)
                };
                $body
            }
            UnaryOp::Rsqrt => {
                let $f = {
                    #[inline(always)]
                    |x: $T| rsqrt_::<$T>(x)
                };
                $body
            }
            UnaryOp::Sin => {
                let $f = {
                    #[inline(always)]
                    |x: $T| Float::sin(x)
                };
                $body
            }
            UnaryOp::Cos => {
                let $f = {
                    #[inline(always)]
                    |x: $T| Float::cos(x)
                };
                $body
            }
            UnaryOp::Tan => {
                let $f = {
                    #[inline(always)]
                    |x: $T| Float::tan(x)
                };
                $body
            }
            UnaryOp::Sigmoid => {
                let $f = {
                    #[inline(always)]
                    |x: $T| sigmoid_::<$T>(x)
                };
                $body
            }
            UnaryOp::Silu => {
                let $f = {
                    #[inline(always)]
                    |x: $T| silu_::<$T>(x)
                };
                $body
            }
            UnaryOp::Softplus => {
                let $f = {
                    #[inline(always)]
                    |x: $T| softplus_::<$T>(x)
                };
                $body
            }
            UnaryOp::Gelu => {
                let $f = {
                    #[inline(always)]
                    |x: $T| Float::gelu(x)
                };
                $body
            }
            UnaryOp::GeluTanh => {
                let $f = {
                    #[inline(always)]
                    |x: $T| gelu_tanh_::<$T>(x)
                };
                $body
            }
            _ => unreachable!("not a float function"),
        }
    };
}

/// Elementwise unary op, with numpy's result dtypes (float functions of integers give floats).
pub fn unary(op: UnaryOp, a: &Tensor) -> Result<Tensor> {
    use UnaryOp::*;
    let d = a.dtype();
    match op {
        IsNan | IsFinite => dispatch!(d, T => {
            if op == IsNan {
                map::<T, Bool>(a, |x| Bool(x.is_nan() as u8))
            } else {
                map::<T, Bool>(a, |x| { let v = x.to_f64(); Bool(v.is_finite() as u8) })
            }
        }),
        LogicalNot => dispatch!(d, T => map::<T, Bool>(a, |x| Bool(!x.truthy() as u8))),
        Neg | Sign if d == DType::Bool => {
            Err(Error::DType(format!("{}: not supported for bool tensors (use logicalNot)", op.name())))
        }
        Abs | Floor | Ceil | Relu if d == DType::Bool => super::copy_contiguous(a),
        Round if d == DType::Bool => super::cast(a, DType::F16),
        Neg | Abs | Sign | Floor | Ceil | Round | Relu => {
            let ct = d.compute();
            let x = as_dtype(a, ct)?;
            let r = dispatch_num!(ct, T => match op {
                Neg => map::<T, T>(&x, Num::neg),
                Abs => map::<T, T>(&x, Num::abs),
                Sign => map::<T, T>(&x, Num::sign),
                Floor => map::<T, T>(&x, Num::floor),
                Ceil => map::<T, T>(&x, Num::ceil),
                Round => map::<T, T>(&x, Num::round),
                _ => map::<T, T>(&x, |v| if v > T::zero() || v.is_nan() { v } else { T::zero() }),
            }, unreachable!())?;
            finish(r, d)
        }
        _ => {
            let out = d.float_result();
            let ct = out.compute();
            let x = as_dtype(a, ct)?;
            let r = dispatch_float!(ct, T => with_float_fn!(op, T, f => map::<T, T>(&x, f)), unreachable!())?;
            finish(r, out)
        }
    }
}
