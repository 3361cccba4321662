//! Indexing and data movement on tensors: copy_into (assignment into a view), concat,
//! index_select (numpy `take` along an axis), gather (torch semantics), where, argsort; the loops
//! are [`crate::cpu::index`]'s.

use super::{as_dtype, cast, contiguous_as, finish, fresh, inverse};
use crate::alloc::try_with_capacity;
use crate::cpu::index as k;
use crate::cpu::math::Num;
use crate::dtype::{Bool, DType};
use crate::error::{Error, Result};
use crate::shape::{broadcast_shapes, normalize_axis};
use crate::tensor::Tensor;
use crate::{dispatch, dispatch_num};
use std::sync::Arc;

/// Writes `src` (broadcast to `dst`'s shape, converted to its dtype) into the elements of `dst`,
/// which may be a strided view: the one in-place primitive. Overlapping storage is handled.
pub fn copy_into(dst: &Tensor, src: &Tensor) -> Result<()> {
    let shape = broadcast_shapes("copy_into", dst.shape(), src.shape())?;
    if &*shape != dst.shape() {
        return Err(Error::shape("copy_into", dst.shape(), src.shape()));
    }
    if dst.storage().is_borrowed() {
        return Err(Error::Borrowed("copy_into: the destination is being read by an async job; await it first".into()));
    }
    if dst.layout().strides.iter().zip(dst.shape()).any(|(&s, &d)| s == 0 && d > 1) {
        return Err(Error::InvalidArgument("copy_into: the destination is a broadcast view (elements alias)".into()));
    }
    let src = if Arc::ptr_eq(dst.storage(), src.storage()) {
        cast(src, dst.dtype())?
    } else {
        as_dtype(src, dst.dtype())?.into_owned()
    };
    dispatch!(dst.dtype(), T => {
        // SAFETY: a write through a view is the one in-place operation (the caller owns `dst`);
        // `src` is in another storage (copied above if shared), so the two slices do not overlap.
        let (d, ld) = unsafe { dst.view_mut::<T>() };
        k::copy::<T>(d, ld, src.view::<T>());
    });
    Ok(())
}

/// Joins tensors along an existing axis (dtypes promote).
pub fn concat(ts: &[&Tensor], axis: i64) -> Result<Tensor> {
    let first = ts.first().ok_or_else(|| Error::InvalidArgument("concat: needs at least one tensor".into()))?;
    let nd = first.ndim();
    if nd == 0 {
        return Err(Error::InvalidArgument("concat: zero-dimensional tensors cannot be concatenated".into()));
    }
    let ax = normalize_axis("concat", axis, nd)?;
    let mut dtype = first.dtype();
    let mut total = 0;
    for t in ts {
        let ok = t.ndim() == nd && (0..nd).all(|d| d == ax || t.shape()[d] == first.shape()[d]);
        if !ok {
            return Err(Error::shape("concat", first.shape(), t.shape()));
        }
        dtype = DType::promote(dtype, t.dtype());
        total = usize::checked_add(total, t.shape()[ax])
            .ok_or_else(|| Error::OutOfMemory("concat: the joined dim overflows".into()))?;
    }
    let mut shape = first.shape().to_vec();
    shape[ax] = total;
    let out = Tensor::empty(dtype, &shape)?;
    let mut start = 0;
    for t in ts {
        let len = t.shape()[ax];
        copy_into(&out.narrow(ax, start, len)?, t)?;
        start += len;
    }
    Ok(out)
}

/// Reads an integer index tensor as i64 values (negative ones count from the end of `len`).
fn indices(op: &str, idx: &Tensor, len: usize) -> Result<Vec<usize>> {
    if !matches!(idx.dtype(), DType::I32 | DType::I64 | DType::U8) {
        return Err(Error::DType(format!("{op}: indices must be integers, got {}", idx.dtype().name())));
    }
    let raw = cast(idx, DType::I64)?;
    let mut out = try_with_capacity(raw.numel(), op)?;
    for &i in raw.as_slice::<i64>() {
        let j = if i < 0 { i + len as i64 } else { i };
        if j < 0 || j >= len as i64 {
            return Err(Error::Index(format!("{op}: index {i} is out of bounds for size {len}")));
        }
        out.push(j as usize);
    }
    Ok(out)
}

/// numpy `take(a, idx, axis)`: the result has `a.shape[:axis] + idx.shape + a.shape[axis+1:]`.
pub fn index_select(a: &Tensor, axis: i64, idx: &Tensor) -> Result<Tensor> {
    let nd = a.ndim();
    let ax = normalize_axis("index_select", axis, nd)?;
    let ids = indices("index_select", idx, a.shape()[ax])?;
    // axis first, contiguous: each index picks one contiguous row
    let mut perm = vec![ax];
    perm.extend((0..nd).filter(|&d| d != ax));
    let src = a.permute(&perm)?.contiguous()?;
    let row: usize = src.shape()[1..].iter().product();
    let mut tmp_shape = vec![ids.len()];
    tmp_shape.extend_from_slice(&src.shape()[1..]);
    let tmp = dispatch!(a.dtype(), T => fresh::<T>(&tmp_shape, |o| k::take_rows(src.as_slice::<T>(), row, &ids, o)))?;
    // tmp dims: [ids..., before..., after...] -> [before..., idx.shape..., after...]
    let mut dims = idx.shape().to_vec();
    dims.extend_from_slice(&src.shape()[1..]);
    let t = tmp.reshape(&dims)?;
    let k = idx.ndim();
    let mut order: Vec<usize> = (k..k + ax).collect();
    order.extend(0..k);
    order.extend(k + ax..k + nd - 1);
    t.permute(&order)?.contiguous()
}

/// torch `gather`: `out[i][j][k] = a[index[i][j][k]][j][k]` for axis 0 (and so on); `index` has
/// `a`'s ndim and no dim larger than `a`'s, except along `axis`.
pub fn gather(a: &Tensor, axis: i64, index: &Tensor) -> Result<Tensor> {
    let nd = a.ndim();
    let ax = normalize_axis("gather", axis, nd)?;
    if index.ndim() != nd || (0..nd).any(|d| d != ax && index.shape()[d] > a.shape()[d]) {
        return Err(Error::shape("gather", a.shape(), index.shape()));
    }
    let ids = indices("gather", index, a.shape()[ax])?;
    let shape = index.shape();
    dispatch!(a.dtype(), T => fresh::<T>(shape, |o| {
        let (x, l) = a.view::<T>();
        k::gather(x, l, ax, &ids, shape, o)
    }))
}

/// torch `scatter` (`add == false`) and `scatter_add` (`add == true`), out of place: a copy of `a`
/// where, for each position of `index`, the element of `src` at that position is written (or
/// added) at the same position with dim `axis` replaced by the index. `index` has `a`'s ndim and no
/// dim larger than `src`'s, nor than `a`'s except along `axis`; `src` converts to `a`'s dtype and a
/// 0-d `src` stands for every position. Duplicate indices: the last write wins (in index order),
/// or every one adds. Sums compute in `a`'s compute type (float16 in float32), integers wrap.
pub fn scatter(a: &Tensor, axis: i64, index: &Tensor, src: &Tensor, add: bool) -> Result<Tensor> {
    let op = if add { "scatter_add" } else { "scatter" };
    let nd = a.ndim();
    let ax = normalize_axis(op, axis, nd)?;
    if index.ndim() != nd || (0..nd).any(|d| d != ax && index.shape()[d] > a.shape()[d]) {
        return Err(Error::shape(op, a.shape(), index.shape()));
    }
    let src = if src.ndim() == 0 { src.expand(index.shape())? } else { src.clone() };
    if src.ndim() != nd || (0..nd).any(|d| index.shape()[d] > src.shape()[d]) {
        return Err(Error::shape(op, index.shape(), src.shape()));
    }
    let ids = indices(op, index, a.shape()[ax])?;
    let dtype = a.dtype();
    if add && dtype == DType::Bool {
        return Err(Error::DType(format!("{op}: bool tensors cannot be summed; cast to an integer dtype first")));
    }
    let ct = if add { dtype.compute() } else { dtype };
    let out = cast(a, ct)?;
    let s = as_dtype(&src, ct)?;
    let ishape = index.shape();
    if add {
        dispatch_num!(ct, T => {
            // SAFETY: `out` is a fresh contiguous copy, unshared.
            let o = unsafe { out.slice_mut::<T>() };
            k::scatter(o, a.shape(), ax, &ids, ishape, s.view::<T>(), Some(<T as Num>::add));
        }, unreachable!("compute types are numeric"));
    } else {
        dispatch!(ct, T => {
            // SAFETY: `out` is a fresh contiguous copy, unshared.
            let o = unsafe { out.slice_mut::<T>() };
            k::scatter(o, a.shape(), ax, &ids, ishape, s.view::<T>(), None);
        });
    }
    finish(out, dtype)
}

/// `cond ? a : b` elementwise, with three-way broadcasting; `a` and `b` promote.
pub fn where_(cond: &Tensor, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let s1 = broadcast_shapes("where", cond.shape(), a.shape())?;
    let shape = broadcast_shapes("where", &s1, b.shape())?;
    let dtype = DType::promote(a.dtype(), b.dtype());
    let c = contiguous_as(&cond.expand(&shape)?, DType::Bool)?.into_owned();
    let x = contiguous_as(&a.expand(&shape)?, dtype)?.into_owned();
    let y = contiguous_as(&b.expand(&shape)?, dtype)?.into_owned();
    dispatch!(dtype, T => fresh::<T>(&shape, |o| {
        k::select(c.as_slice::<Bool>(), x.as_slice::<T>(), y.as_slice::<T>(), o)
    }))
}

/// Indices (int64) that sort `a` along `axis`; stable; NaN sorts as the largest value.
pub fn argsort(a: &Tensor, axis: i64, descending: bool) -> Result<Tensor> {
    let nd = a.ndim();
    if nd == 0 {
        return Tensor::full(DType::I64, &[], 0.0);
    }
    let ax = normalize_axis("argsort", axis, nd)?;
    let mut perm: Vec<usize> = (0..nd).filter(|&d| d != ax).collect();
    perm.push(ax);
    let src = a.permute(&perm)?.contiguous()?;
    let n = a.shape()[ax];
    let out = Tensor::empty(DType::I64, src.shape())?;
    if out.numel() == 0 {
        // no rows (or empty rows): nothing to sort, and no scratch sized by the axis
        return out.permute(&inverse(&perm))?.contiguous();
    }
    // SAFETY: `out` is fresh and unshared.
    let o = unsafe { out.slice_mut::<i64>() };
    dispatch!(a.dtype(), T => k::argsort_rows(src.as_slice::<T>(), n, descending, o))?;
    out.permute(&inverse(&perm))?.contiguous()
}
