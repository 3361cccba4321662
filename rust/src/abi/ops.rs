//! Ops: each returns a new tensor (+1), or NULL with the status recorded.
//!
//! The `ops` section of `cobalt.h`.

use super::args::{flag, read_axes, read_shape};
use super::handle::{get, CobaltTensor};
use super::trampoline::trampoline;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::op::{BinaryOp, ReduceOp, ScanOp, UnaryOp};
use crate::ops;

/// Elementwise `a op b` with numpy broadcasting and promotion (`COBALT_ADD`...).
///
/// # Safety
/// `a`, `b` are live handles; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_binary(op: i32, a: *const CobaltTensor, b: *const CobaltTensor) -> *mut CobaltTensor {
    trampoline(|| ops::binary(BinaryOp::from_code(op)?, get(a)?, get(b)?))
}

/// Elementwise `a op s` (or `s op a` when `scalar_first != 0`); the result keeps `a`'s dtype.
///
/// # Safety
/// `a` is a live handle; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_binary_scalar(
    op: i32,
    a: *const CobaltTensor,
    s: f64,
    scalar_first: i32,
) -> *mut CobaltTensor {
    trampoline(|| ops::binary_scalar(BinaryOp::from_code(op)?, get(a)?, s, flag(scalar_first)))
}

/// Elementwise unary op (`COBALT_NEG`, `COBALT_EXP`...).
///
/// # Safety
/// `a` is a live handle; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_unary(op: i32, a: *const CobaltTensor) -> *mut CobaltTensor {
    trampoline(|| ops::unary(UnaryOp::from_code(op)?, get(a)?))
}

/// Reduction over `naxes` axes (negative axes count from the end); `naxes < 0` reduces over all
/// axes. `ddof` is the delta degrees of freedom of var and std (ignored by the others).
///
/// # Safety
/// `a` is a live handle; `axes` holds `naxes` values when `naxes > 0`; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_reduce(
    op: i32,
    a: *const CobaltTensor,
    axes: *const i32,
    naxes: i32,
    keepdims: i32,
    ddof: f64,
) -> *mut CobaltTensor {
    trampoline(|| {
        let op = ReduceOp::from_code(op)?;
        // SAFETY: forwarded contract on `axes`.
        let list = unsafe { read_axes(axes, naxes) }?;
        ops::reduce(op, get(a)?, list.as_deref(), flag(keepdims), ddof)
    })
}

/// A scan along `axis` (`COBALT_CUMSUM`, `COBALT_CUMPROD`, `COBALT_SOFTMAX`, `COBALT_LOG_SOFTMAX`);
/// with `flatten != 0` the tensor is flattened first and `axis` is ignored.
///
/// # Safety
/// `a` is a live handle; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_scan(op: i32, a: *const CobaltTensor, axis: i32, flatten: i32) -> *mut CobaltTensor {
    trampoline(|| ops::scan(ScanOp::from_code(op)?, get(a)?, if flag(flatten) { None } else { Some(axis as i64) }))
}

/// Matrix product (1-D and 2-D operands, numpy rules).
///
/// # Safety
/// `a`, `b` are live handles; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_matmul(a: *const CobaltTensor, b: *const CobaltTensor) -> *mut CobaltTensor {
    trampoline(|| ops::matmul(get(a)?, get(b)?))
}

/// A tensor with another shape (one dim may be -1); a view sharing storage when `a` is contiguous,
/// otherwise a copy.
///
/// # Safety
/// `a` is a live handle; `shape` holds `ndim` values; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_reshape(a: *const CobaltTensor, shape: *const i64, ndim: i32) -> *mut CobaltTensor {
    trampoline(|| {
        let t = get(a)?;
        t.reshape(&read_shape(shape, ndim, Some(t.numel()))?)
    })
}

/// A view with dims permuted by `perm` (negative entries count from the end); `n < 0` reverses the dims.
///
/// # Safety
/// `a` is a live handle; `perm` holds `n` values when `n > 0`; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_permute(a: *const CobaltTensor, perm: *const i32, n: i32) -> *mut CobaltTensor {
    trampoline(|| {
        let t = get(a)?;
        if n < 0 {
            return Ok(t.transpose());
        }
        if n > 0 && perm.is_null() {
            return Err(Error::InvalidArgument("permute: perm pointer is NULL".into()));
        }
        let raw: &[i32] = if n == 0 {
            &[]
        } else {
            // SAFETY: `perm` holds `n` values (contract).
            unsafe { std::slice::from_raw_parts(perm, n as usize) }
        };
        let p = raw
            .iter()
            .map(|&x| crate::shape::normalize_axis("permute", x as i64, t.ndim()))
            .collect::<Result<Vec<_>>>()?;
        t.permute(&p)
    })
}

/// `a` in a contiguous layout: a new reference to `a` itself when already contiguous, else a copy.
///
/// # Safety
/// `a` is a live handle; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_contiguous(a: *const CobaltTensor) -> *mut CobaltTensor {
    trampoline(|| get(a)?.contiguous())
}

/// A contiguous copy of `a` in new storage (never shared).
///
/// # Safety
/// `a` is a live handle; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_clone(a: *const CobaltTensor) -> *mut CobaltTensor {
    trampoline(|| ops::copy_contiguous(get(a)?))
}

/// `a` converted to `dtype` (a contiguous copy; shares storage when the dtype is unchanged).
///
/// # Safety
/// `a` is a live handle; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_astype(a: *const CobaltTensor, dtype: i32) -> *mut CobaltTensor {
    trampoline(|| get(a)?.astype(DType::from_code(dtype)?))
}

/// A view of `a` broadcast to `shape` (stride 0 on stretched dims).
///
/// # Safety
/// `a` is a live handle; `shape` holds `ndim` values; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_expand(a: *const CobaltTensor, shape: *const i64, ndim: i32) -> *mut CobaltTensor {
    trampoline(|| get(a)?.expand(&read_shape(shape, ndim, None)?))
}

/// A view with `shape` and `strides` (in elements, may be negative or 0) starting `offset`
/// elements from `a`'s first element; refused unless it stays inside `a`'s storage. `offset` is a
/// whole number passed as a double.
///
/// # Safety
/// `a` is a live handle; `shape` and `strides` hold `ndim` values; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_as_strided(
    a: *const CobaltTensor,
    shape: *const i64,
    strides: *const i64,
    ndim: i32,
    offset: f64,
) -> *mut CobaltTensor {
    trampoline(|| {
        let t = get(a)?;
        let shape = read_shape(shape, ndim, None)?;
        if ndim > 0 && strides.is_null() {
            return Err(Error::InvalidArgument("as_strided: strides pointer is NULL".into()));
        }
        let st: Vec<isize> = if ndim == 0 {
            vec![]
        } else {
            // SAFETY: `strides` holds `ndim` values (contract).
            unsafe { std::slice::from_raw_parts(strides, ndim as usize) }.iter().map(|&s| s as isize).collect()
        };
        if offset.fract() != 0.0 || !offset.is_finite() {
            return Err(Error::InvalidArgument(format!("as_strided: offset {offset} is not a whole number")));
        }
        t.as_strided(&shape, &st, offset as isize)
    })
}

/// Joins `n` tensors along `axis` (dtypes promote).
///
/// # Safety
/// `ts` holds `n` live handles; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_concat(ts: *const *const CobaltTensor, n: i32, axis: i32) -> *mut CobaltTensor {
    trampoline(|| {
        if n <= 0 || ts.is_null() {
            return Err(Error::InvalidArgument("concat: needs at least one tensor".into()));
        }
        // SAFETY: `ts` holds `n` handles (contract).
        let hs = unsafe { std::slice::from_raw_parts(ts, n as usize) };
        let list = hs.iter().map(|&h| get(h)).collect::<Result<Vec<_>>>()?;
        ops::concat(&list, axis as i64)
    })
}

/// numpy `take(a, idx, axis)`: elements of `a` at integer indices `idx` along `axis`.
///
/// # Safety
/// `a`, `idx` are live handles; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_index_select(
    a: *const CobaltTensor,
    axis: i32,
    idx: *const CobaltTensor,
) -> *mut CobaltTensor {
    trampoline(|| ops::index_select(get(a)?, axis as i64, get(idx)?))
}

/// torch `gather`: values of `a` picked along `axis` by `index` (same ndim as `a`).
///
/// # Safety
/// `a`, `index` are live handles; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_gather(
    a: *const CobaltTensor,
    axis: i32,
    index: *const CobaltTensor,
) -> *mut CobaltTensor {
    trampoline(|| ops::gather(get(a)?, axis as i64, get(index)?))
}

/// torch `scatter` (`add` = 0) or `scatter_add` (`add` != 0), out of place: a copy of `a` with the
/// elements of `src` written (or added) along `axis` at the positions `index` gives.
///
/// # Safety
/// `a`, `index`, `src` are live handles; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_scatter(
    a: *const CobaltTensor,
    axis: i32,
    index: *const CobaltTensor,
    src: *const CobaltTensor,
    add: i32,
) -> *mut CobaltTensor {
    trampoline(|| ops::scatter(get(a)?, axis as i64, get(index)?, get(src)?, flag(add)))
}

/// `cond ? a : b` with three-way broadcasting.
///
/// # Safety
/// All three are live handles; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_where(
    cond: *const CobaltTensor,
    a: *const CobaltTensor,
    b: *const CobaltTensor,
) -> *mut CobaltTensor {
    trampoline(|| ops::where_(get(cond)?, get(a)?, get(b)?))
}

/// int64 indices that sort `a` along `axis` (stable; NaN sorts as the largest value).
///
/// # Safety
/// `a` is a live handle; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_argsort(a: *const CobaltTensor, axis: i32, descending: i32) -> *mut CobaltTensor {
    trampoline(|| ops::argsort(get(a)?, axis as i64, flag(descending)))
}
