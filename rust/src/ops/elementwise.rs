//! Elementwise ops on tensors: numpy broadcasting and numpy type promotion; the loops are
//! [`crate::cpu::elementwise`]'s.

use super::{as_dtype, cast, copy_contiguous, finish, fresh};
use crate::cpu::elementwise as k;
use crate::dtype::{Bool, DType, Elem};
use crate::error::{Error, Result};
use crate::op::{BinaryOp, UnaryOp};
use crate::shape::{broadcast_shapes, Dims};
use crate::tensor::Tensor;
use crate::{dispatch, dispatch_float, dispatch_num};

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
            dispatch_num!(ct, T => fresh::<Bool>(&shape, |o| k::compare::<T>(op, a.view(), b.view(), &shape, o)),
                unreachable!("compute types are numeric"))
        }
        LogicalAnd | LogicalOr | LogicalXor => {
            let (a, b) = (as_dtype(a, DType::Bool)?, as_dtype(b, DType::Bool)?);
            fresh::<Bool>(&shape, |o| k::logical(op, a.view(), b.view(), &shape, o))
        }
        _ if common == DType::Bool => match op {
            // numpy: + is `or`, * is `and` on booleans
            Add | Maximum => binary(LogicalOr, a, b),
            Mul | Minimum => binary(LogicalAnd, a, b),
            Div => binary(Div, &cast(a, DType::F64)?, &cast(b, DType::F64)?),
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
            let r = dispatch_num!(ct, T => fresh::<T>(&shape, |o| k::arith::<T>(op, a.view(), b.view(), &shape, o)),
                unreachable!("compute types are numeric"))?;
            finish(r, out)
        }
    }
}

/// True when an element of `t` is negative.
fn has_negative(t: &Tensor) -> bool {
    dispatch!(t.dtype(), T => {
        let (x, l) = t.view::<T>();
        k::has_negative(x, l)
    })
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
        return dispatch_float!(a.dtype(), T => {
            fresh::<T>(a.shape(), |o| k::arith_scalar::<T>(op, a.view(), T::from_f64(s), scalar_first, o))
        }, unreachable!());
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

/// Elementwise unary op, with numpy's result dtypes (float functions of integers give floats).
pub fn unary(op: UnaryOp, a: &Tensor) -> Result<Tensor> {
    use UnaryOp::*;
    let d = a.dtype();
    match op {
        IsNan | IsFinite | LogicalNot => dispatch!(d, T => fresh::<Bool>(a.shape(), |o| {
            let (x, l) = a.view::<T>();
            k::predicate::<T>(op, x, l, o)
        })),
        Neg | Sign if d == DType::Bool => {
            Err(Error::DType(format!("{}: not supported for bool tensors (use logicalNot)", op.name())))
        }
        Square if d == DType::Bool => Err(Error::DType(
            "square: not supported for bool tensors (numpy gives int8, which cobalt does not have)".into(),
        )),
        Abs | Floor | Ceil | Trunc | Relu if d == DType::Bool => copy_contiguous(a),
        Round if d == DType::Bool => cast(a, DType::F16),
        Neg | Abs | Sign | Floor | Ceil | Round | Trunc | Square | Relu => {
            let ct = d.compute();
            let x = as_dtype(a, ct)?;
            let r = dispatch_num!(ct, T => fresh::<T>(x.shape(), |o| {
                let (xs, l) = x.view::<T>();
                k::unary_num::<T>(op, xs, l, o)
            }), unreachable!())?;
            finish(r, d)
        }
        _ => {
            let out = d.float_result();
            let ct = out.compute();
            let x = as_dtype(a, ct)?;
            let r = dispatch_float!(ct, T => fresh::<T>(x.shape(), |o| {
                let (xs, l) = x.view::<T>();
                k::unary_float::<T>(op, xs, l, o)
            }), unreachable!())?;
            finish(r, out)
        }
    }
}
