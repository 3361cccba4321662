//! CPU kernels: elementwise (with broadcasting and strided inputs), reductions, matmul, copies.
//!
//! Contiguous inputs take slice loops the compiler vectorises; strided and broadcast inputs walk their
//! offsets with [`for_each_offset`]. Outputs are always fresh contiguous tensors.

use crate::dispatch;
use crate::dtype::{DType, Elem};
use crate::error::{Error, Result};
use crate::layout::{for_each_offset, for_each_offset2};
use crate::op::{BinaryOp, ReduceOp, UnaryOp};
use crate::shape::{broadcast_shapes, normalize_axis, Dims};
use crate::tensor::Tensor;
use std::borrow::Cow;

/// Runs `$body` with `$f` bound to the closure of binary op `$op` on `$T` (one monomorphised copy
/// of the kernel per op, so the inner loops inline and vectorise).
macro_rules! with_binary {
    ($op:expr, $T:ty, $f:ident => $body:expr) => {
        match $op {
            BinaryOp::Add => { let $f = |x: $T, y: $T| x.add(y); $body }
            BinaryOp::Sub => { let $f = |x: $T, y: $T| x.sub(y); $body }
            BinaryOp::Mul => { let $f = |x: $T, y: $T| x.mul(y); $body }
            BinaryOp::Div => { let $f = |x: $T, y: $T| x.div(y); $body }
            BinaryOp::Pow => { let $f = |x: $T, y: $T| x.powf(y); $body }
            // numpy propagates NaN through maximum/minimum
            BinaryOp::Maximum => { let $f = |x: $T, y: $T| if x.is_nan() || x > y { x } else { y }; $body }
            BinaryOp::Minimum => { let $f = |x: $T, y: $T| if x.is_nan() || x < y { x } else { y }; $body }
        }
    };
}

/// Like [`with_binary`] for unary ops.
macro_rules! with_unary {
    ($op:expr, $T:ty, $f:ident => $body:expr) => {
        match $op {
            UnaryOp::Neg => { let $f = |x: $T| <$T>::zero().sub(x); $body }
            UnaryOp::Exp => { let $f = |x: $T| x.exp(); $body }
            UnaryOp::Log => { let $f = |x: $T| x.ln(); $body }
            UnaryOp::Sqrt => { let $f = |x: $T| x.sqrt(); $body }
            UnaryOp::Abs => { let $f = |x: $T| x.abs(); $body }
            UnaryOp::Tanh => { let $f = |x: $T| x.tanh(); $body }
            UnaryOp::Sigmoid => {
                let $f = |x: $T| <$T>::one().div(<$T>::one().add(<$T>::zero().sub(x).exp()));
                $body
            }
            UnaryOp::Relu => { let $f = |x: $T| if x > <$T>::zero() || x.is_nan() { x } else { <$T>::zero() }; $body }
        }
    };
}

/// Applies `f` to every element of `a` into a new contiguous tensor.
fn map<T: Elem>(a: &Tensor, f: impl Fn(T) -> T) -> Result<Tensor> {
    let out = Tensor::zeros(T::DTYPE, a.shape())?;
    // SAFETY: `out` is fresh and unshared.
    let o = unsafe { out.slice_mut::<T>() };
    if a.is_contiguous() {
        for (d, &s) in o.iter_mut().zip(a.as_slice::<T>()) {
            *d = f(s);
        }
    } else {
        let (base, l) = (a.base::<T>(), a.layout());
        let mut i = 0;
        // SAFETY: the layout's offsets lie within the storage.
        for_each_offset(&l.shape, &l.strides, l.offset, |off| {
            o[i] = f(unsafe { *base.add(off) });
            i += 1;
        });
    }
    Ok(out)
}

/// Elementwise `op(a, b)` with numpy broadcasting and type promotion.
pub fn binary(op: BinaryOp, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let shape = if a.shape() == b.shape() {
        Dims::from(a.shape())
    } else {
        broadcast_shapes(op.name(), a.shape(), b.shape())?
    };
    let dtype = DType::promote(a.dtype(), b.dtype());
    let (a, b) = (as_dtype(a, dtype)?, as_dtype(b, dtype)?);
    dispatch!(dtype, T => with_binary!(op, T, f => binary_typed::<T>(f, &a, &b, &shape)))
}

/// `a` itself when it has `dtype` already, else a converted copy (no clone on the common path).
fn as_dtype(a: &Tensor, dtype: DType) -> Result<Cow<'_, Tensor>> {
    Ok(if a.dtype() == dtype { Cow::Borrowed(a) } else { Cow::Owned(cast(a, dtype)?) })
}

#[inline(always)]
fn binary_typed<T: Elem>(f: impl Fn(T, T) -> T, a: &Tensor, b: &Tensor, shape: &[usize]) -> Result<Tensor> {
    let out = Tensor::zeros(T::DTYPE, shape)?;
    // SAFETY: `out` is fresh and unshared.
    let o = unsafe { out.slice_mut::<T>() };
    let same = a.shape() == shape && b.shape() == shape;
    if same && a.is_contiguous() && b.is_contiguous() {
        for ((d, &x), &y) in o.iter_mut().zip(a.as_slice::<T>()).zip(b.as_slice::<T>()) {
            *d = f(x, y);
        }
        return Ok(out);
    }
    if b.numel() == 1 && a.shape() == shape && a.is_contiguous() {
        let y = b.to_scalar::<T>();
        for (d, &x) in o.iter_mut().zip(a.as_slice::<T>()) {
            *d = f(x, y);
        }
        return Ok(out);
    }
    if a.numel() == 1 && b.shape() == shape && b.is_contiguous() {
        let x = a.to_scalar::<T>();
        for (d, &y) in o.iter_mut().zip(b.as_slice::<T>()) {
            *d = f(x, y);
        }
        return Ok(out);
    }
    let (sa, sb) = (a.layout().broadcast_strides(shape), b.layout().broadcast_strides(shape));
    let (pa, pb) = (a.base::<T>(), b.base::<T>());
    let mut i = 0;
    // SAFETY: offsets come from valid (broadcast) layouts over each storage.
    for_each_offset2(shape, (&sa, a.layout().offset), (&sb, b.layout().offset), |x, y| {
        o[i] = f(unsafe { *pa.add(x) }, unsafe { *pb.add(y) });
        i += 1;
    });
    Ok(out)
}

/// Elementwise `op(a, s)` (or `op(s, a)` when `scalar_first`) with a scalar that takes `a`'s dtype,
/// as numpy does for Python scalars.
pub fn binary_scalar(op: BinaryOp, a: &Tensor, s: f64, scalar_first: bool) -> Result<Tensor> {
    dispatch!(a.dtype(), T => with_binary!(op, T, f => {
        let y = T::from_f64(s);
        if scalar_first { map::<T>(a, |x| f(y, x)) } else { map::<T>(a, |x| f(x, y)) }
    }))
}

/// Elementwise unary op.
pub fn unary(op: UnaryOp, a: &Tensor) -> Result<Tensor> {
    dispatch!(a.dtype(), T => with_unary!(op, T, f => map::<T>(a, f)))
}

/// A contiguous copy of any layout.
pub fn copy_contiguous(a: &Tensor) -> Result<Tensor> {
    dispatch!(a.dtype(), T => map::<T>(a, |x| x))
}

/// A contiguous copy converted to `dtype`.
pub fn cast(a: &Tensor, dtype: DType) -> Result<Tensor> {
    let out = Tensor::zeros(dtype, a.shape())?;
    dispatch!(a.dtype(), S => dispatch!(dtype, D => {
        // SAFETY: `out` is fresh and unshared; the layout's offsets lie within a's storage.
        let o = unsafe { out.slice_mut::<D>() };
        let (base, l) = (a.base::<S>(), a.layout());
        let mut i = 0;
        for_each_offset(&l.shape, &l.strides, l.offset, |off| {
            o[i] = D::from_f64(unsafe { *base.add(off) }.to_f64());
            i += 1;
        });
    }));
    Ok(out)
}

/// Sum of a slice: pairwise over blocks, 8 independent accumulators inside a block (numpy-like accuracy).
fn pairwise_sum<T: Elem>(x: &[T]) -> T {
    const BLOCK: usize = 1024;
    if x.len() > BLOCK {
        let mid = (x.len() / 2).next_multiple_of(8);
        return pairwise_sum(&x[..mid]).add(pairwise_sum(&x[mid..]));
    }
    let mut acc = [T::zero(); 8];
    let chunks = x.chunks_exact(8);
    let rest = chunks.remainder();
    for c in chunks {
        for k in 0..8 {
            acc[k] = acc[k].add(c[k]);
        }
    }
    let mut s = ((acc[0].add(acc[1])).add(acc[2].add(acc[3]))).add((acc[4].add(acc[5])).add(acc[6].add(acc[7])));
    for &v in rest {
        s = s.add(v);
    }
    s
}

fn reduce_slice<T: Elem>(op: ReduceOp, x: &[T]) -> T {
    match op {
        ReduceOp::Sum => pairwise_sum(x),
        ReduceOp::Mean => T::from_f64(pairwise_sum(x).to_f64() / x.len() as f64),
        ReduceOp::Prod => x.iter().fold(T::one(), |a, &b| a.mul(b)),
        ReduceOp::Max => x.iter().skip(1).fold(x[0], |a, &b| if a.is_nan() || a >= b { a } else { b }),
        ReduceOp::Min => x.iter().skip(1).fold(x[0], |a, &b| if a.is_nan() || a <= b { a } else { b }),
    }
}

/// Reduces over `axes` (all axes when `None`), numpy-style: negative axes allowed, repeats refused.
pub fn reduce(op: ReduceOp, a: &Tensor, axes: Option<&[i64]>, keepdims: bool) -> Result<Tensor> {
    let nd = a.ndim();
    let mut reduced = vec![false; nd];
    match axes {
        None => reduced.iter_mut().for_each(|r| *r = true),
        Some(list) => {
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
    if inner == 0 && matches!(op, ReduceOp::Max | ReduceOp::Min) {
        return Err(Error::InvalidArgument(format!(
            "{}: zero-size reduction has no identity (shape {})",
            op.name(),
            crate::error::fmt_shape(a.shape())
        )));
    }
    let out_shape: Vec<usize> = if keepdims {
        (0..nd).map(|i| if reduced[i] { 1 } else { a.shape()[i] }).collect()
    } else {
        kept.iter().map(|&i| a.shape()[i]).collect()
    };
    let perm: Vec<usize> = kept.iter().chain(red.iter()).copied().collect();
    let src = a.permute(&perm)?.contiguous()?;
    let out = Tensor::zeros(a.dtype(), &out_shape)?;
    dispatch!(a.dtype(), T => {
        // SAFETY: `out` is fresh and unshared.
        let o = unsafe { out.slice_mut::<T>() };
        let x = src.as_slice::<T>();
        for (r, d) in o.iter_mut().enumerate() {
            *d = if inner == 0 {
                match op {
                    ReduceOp::Prod => T::one(),
                    ReduceOp::Mean => T::from_f64(f64::NAN),
                    _ => T::zero(),
                }
            } else {
                reduce_slice(op, &x[r * inner..(r + 1) * inner])
            };
        }
    });
    Ok(out)
}

/// Matrix product of 1-D or 2-D operands with numpy's rules for 1-D (prepend/append a unit dim, then drop it).
pub fn matmul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if a.ndim() == 0 || b.ndim() == 0 || a.ndim() > 2 || b.ndim() > 2 {
        return Err(Error::shape("matmul", a.shape(), b.shape()));
    }
    let (m, k) = if a.ndim() == 2 { (a.shape()[0], a.shape()[1]) } else { (1, a.shape()[0]) };
    let (k2, n) = if b.ndim() == 2 { (b.shape()[0], b.shape()[1]) } else { (b.shape()[0], 1) };
    if k != k2 {
        return Err(Error::shape("matmul", a.shape(), b.shape()));
    }
    let dtype = DType::promote(a.dtype(), b.dtype());
    let (a, b) = (a.astype(dtype)?.contiguous()?, b.astype(dtype)?.contiguous()?);
    let mut shape = vec![];
    if a.ndim() == 2 {
        shape.push(m);
    }
    if b.ndim() == 2 {
        shape.push(n);
    }
    let out = Tensor::zeros(dtype, &shape)?;
    dispatch!(dtype, T => {
        // SAFETY: `out` is fresh and unshared.
        let o = unsafe { out.slice_mut::<T>() };
        let (x, y) = (a.as_slice::<T>(), b.as_slice::<T>());
        for i in 0..m {
            let row = &mut o[i * n..(i + 1) * n];
            for p in 0..k {
                let s = x[i * k + p];
                for (d, &w) in row.iter_mut().zip(&y[p * n..(p + 1) * n]) {
                    *d = d.add(s.mul(w));
                }
            }
        }
    });
    Ok(out)
}

impl Tensor {
    /// The single element of a one-element tensor, as `T`.
    pub(crate) fn to_scalar<T: Elem>(&self) -> T {
        debug_assert_eq!(self.numel(), 1);
        // SAFETY: one element at the layout's offset.
        unsafe { *self.base::<T>().add(self.layout().offset) }
    }
}

