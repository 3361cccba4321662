//! Reductions over any set of axes (numpy semantics: negative axes, keepdims, result dtypes) and
//! scans along one axis (cumsum, cumprod, softmax, log-softmax); the row kernels are
//! [`crate::cpu::reduce`]'s.

use super::{contiguous_as, finish, fresh, inverse};
use crate::cpu::math::Num;
use crate::cpu::reduce::{
    arg_extreme, column_sums, cumsum_parallel, dispatch_widen, extreme, fill_rows, logsumexp, moments, scan_row,
    scan_rows, softmax_row, split_reduce, sum_widened, widen,
};
use crate::cpu::PAR_MIN;
use crate::dtype::{Bool, DType, Elem};
use crate::error::{fmt_shape, Error, Result};
use crate::op::{ReduceOp, ScanOp};
use crate::shape::normalize_axis;
use crate::tensor::Tensor;
use crate::{dispatch, dispatch_float, dispatch_num};
use std::borrow::Cow;

/// A fresh tensor of `shape` holding `f(r)` for each of its `rows` elements (rows of `inner`
/// input elements).
fn fill<O: Elem>(shape: &[usize], rows: usize, inner: usize, f: impl Fn(usize) -> O + Sync) -> Result<Tensor> {
    fresh::<O>(shape, |o| {
        debug_assert_eq!(o.len(), rows);
        fill_rows(o, inner, f)
    })
}

/// Output and compute dtypes of a reduction of `d`.
fn dtypes(op: ReduceOp, d: DType) -> (DType, DType) {
    use ReduceOp::*;
    match op {
        Sum | Prod if !d.is_float() => (DType::I64, DType::I64),
        Mean | Var | Std if !d.is_float() => (DType::F64, DType::F64),
        Sum | Prod | Mean | Var | Std => (d, d.compute()),
        Max | Min | ArgMax | ArgMin | Any | All => (d, d),
        LogSumExp => (d.float_result(), d.float_result().compute()),
    }
}

/// Reduces over `axes` (all axes when `None`). `ddof` is used by var and std.
pub fn reduce(op: ReduceOp, a: &Tensor, axes: Option<&[i64]>, keepdims: bool, ddof: f64) -> Result<Tensor> {
    use ReduceOp::*;
    let nd = a.ndim();
    let mut reduced = vec![false; nd];
    match axes {
        None => reduced.iter_mut().for_each(|r| *r = true),
        Some(list) => {
            if matches!(op, ArgMax | ArgMin) && list.len() > 1 {
                return Err(Error::Axis(format!("{}: takes one axis or none, got {list:?}", op.name())));
            }
            for &ax in list {
                let i = normalize_axis(op.name(), ax, nd)?;
                if std::mem::replace(&mut reduced[i], true) {
                    return Err(Error::Axis(format!("{}: axis {ax} is repeated", op.name())));
                }
            }
        }
    }
    let kept: Vec<usize> = (0..nd).filter(|&i| !reduced[i]).collect();
    let red: Vec<usize> = (0..nd).filter(|&i| reduced[i]).collect();
    let inner: usize = red.iter().map(|&i| a.shape()[i]).product();
    if inner == 0 && matches!(op, Max | Min | ArgMax | ArgMin) {
        return Err(Error::InvalidArgument(format!(
            "{}: zero-size reduction has no identity (shape {})",
            op.name(),
            fmt_shape(a.shape())
        )));
    }
    let out_shape: Vec<usize> = if keepdims {
        (0..nd).map(|i| if reduced[i] { 1 } else { a.shape()[i] }).collect()
    } else {
        kept.iter().map(|&i| a.shape()[i]).collect()
    };
    let (out_dtype, ct) = dtypes(op, a.dtype());
    if out_shape.contains(&0) {
        // no output elements: no work, however long the reduced axes are
        let dtype = match op {
            ArgMax | ArgMin => DType::I64,
            Any | All => DType::Bool,
            _ => out_dtype,
        };
        return Tensor::empty(dtype, &out_shape);
    }
    // NOTE: sums, means, products and moments read the input in its own dtype and widen each
    // element as they go (uint8 to int64 or float64, float16 to float32...): a converted copy of
    // the whole input would be up to 8 times its size.
    // Sum or mean over leading axes of a contiguous tensor: add whole rows into the output (bands
    // of rows across the pool) instead of transposing a copy first.
    let leading = red.iter().enumerate().all(|(i, &d)| i == d);
    if matches!(op, Sum | Mean) && leading && !kept.is_empty() && inner > 0 && a.is_contiguous() {
        let cols: usize = kept.iter().map(|&i| a.shape()[i]).product();
        let r = dispatch_widen!(a.dtype(), ct, S, T => {
            let out = Tensor::empty(T::DTYPE, &out_shape)?;
            // SAFETY: `out` is fresh and unshared.
            column_sums::<S, T>(a.as_slice::<S>(), inner, cols, op == Mean, unsafe { out.slice_mut::<T>() })?;
            out
        });
        return finish(r, out_dtype);
    }
    let perm: Vec<usize> = kept.iter().chain(red.iter()).copied().collect();
    let permuted = a.permute(&perm)?;
    let src = if matches!(op, Sum | Mean | Prod | Var | Std) {
        Cow::Owned(permuted.contiguous()?)
    } else {
        contiguous_as(&permuted, ct)?
    };
    let rows = out_shape.iter().product::<usize>();
    let row = |r: usize| r * inner..(r + 1) * inner;
    let r = match op {
        Max | Min | ArgMax | ArgMin | Any | All => dispatch!(ct, T => {
            let x = src.as_slice::<T>();
            match op {
                Max | Min if rows == 1 && inner >= PAR_MIN => {
                    let m = split_reduce(x, |s| extreme(s, op == Max), |a, b| extreme(&[a, b], op == Max));
                    fill::<T>(&out_shape, 1, 1, |_| m)
                }
                Max | Min => fill::<T>(&out_shape, rows, inner, |r| extreme(&x[row(r)], op == Max)),
                ArgMax | ArgMin => fill::<i64>(&out_shape, rows, inner, |r| arg_extreme(&x[row(r)], op == ArgMax)),
                Any => fill::<Bool>(&out_shape, rows, inner, |r| Bool(x[row(r)].iter().any(|v| v.truthy()) as u8)),
                _ => fill::<Bool>(&out_shape, rows, inner, |r| Bool(x[row(r)].iter().all(|v| v.truthy()) as u8)),
            }
        }),
        Var | Std => dispatch_widen!(a.dtype(), ct, S, T => {
            let x = src.as_slice::<S>();
            fill::<T>(&out_shape, rows, inner, |r| {
                let v = moments(&x[row(r)], ddof);
                T::from_f64(if op == Std { v.sqrt() } else { v })
            })
        }),
        LogSumExp => dispatch_float!(ct, T => {
            let x = src.as_slice::<T>();
            fill::<T>(&out_shape, rows, inner, |r| logsumexp(&x[row(r)]))
        }, unreachable!()),
        _ => dispatch_widen!(a.dtype(), ct, S, T => {
            let x = src.as_slice::<S>();
            // one long row (a full reduction): partial sums on the pool
            let sum = |s: &[S]| -> T {
                if s.len() >= PAR_MIN && rows == 1 {
                    split_reduce(s, sum_widened::<S, T>, |a, b| a.add(b))
                } else {
                    sum_widened(s)
                }
            };
            fill::<T>(&out_shape, rows, inner, |r| {
                let s = &x[row(r)];
                match op {
                    Sum => sum(s),
                    Prod => s.iter().fold(T::one(), |p, &v| p.mul(widen(v))),
                    _ => T::from_f64(if s.is_empty() { f64::NAN } else { sum(s).to_f64() / s.len() as f64 }),
                }
            })
        }),
    }?;
    let out_dtype = if matches!(op, ArgMax | ArgMin) {
        DType::I64
    } else if matches!(op, Any | All) {
        DType::Bool
    } else {
        out_dtype
    };
    finish(r, out_dtype)
}

/// A scan along `axis` (`None`: over the flattened tensor, for cumsum/cumprod as numpy does).
pub fn scan(op: ScanOp, a: &Tensor, axis: Option<i64>) -> Result<Tensor> {
    let (a, axis) = match axis {
        None => (a.reshape(&[a.numel()])?, 0),
        Some(ax) => (a.clone(), normalize_axis(op.name(), ax, a.ndim())?),
    };
    let d = a.dtype();
    let (out_dtype, ct) = match op {
        ScanOp::CumSum | ScanOp::CumProd if !d.is_float() => (DType::I64, DType::I64),
        ScanOp::CumSum | ScanOp::CumProd => (d, d.compute()),
        _ => (d.float_result(), d.float_result().compute()),
    };
    // move the axis last, scan rows, move it back
    let nd = a.ndim();
    let mut perm: Vec<usize> = (0..nd).filter(|&i| i != axis).collect();
    perm.push(axis);
    let permuted = a.permute(&perm)?;
    let src = contiguous_as(&permuted, ct)?;
    let n = a.shape()[axis];
    let shape = src.shape();
    let out = match src.numel().checked_div(n) {
        // an empty axis: nothing to scan, no element to write
        None => Tensor::empty(ct, shape)?,
        // float compute types only reach here (the dtype rules above)
        Some(rows) if matches!(op, ScanOp::Softmax | ScanOp::LogSoftmax) => dispatch_float!(ct, F => {
            fresh::<F>(shape, |o| scan_rows(src.as_slice::<F>(), o, n, rows, |x, o| softmax_row(op == ScanOp::Softmax, x, o)))
        }, unreachable!())?,
        Some(rows) if op == ScanOp::CumSum && rows == 1 && n >= PAR_MIN => {
            dispatch_num!(ct, T => fresh::<T>(shape, |o| cumsum_parallel(src.as_slice::<T>(), o)), unreachable!())?
        }
        Some(rows) => dispatch_num!(ct, T => {
            fresh::<T>(shape, |o| scan_rows(src.as_slice::<T>(), o, n, rows, |x, o| scan_row(op, x, o)))
        }, unreachable!())?,
    };
    finish(out.permute(&inverse(&perm))?.contiguous()?, out_dtype)
}
